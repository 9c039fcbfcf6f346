/**
 * Recovery on open: validate every segment and every record, then cut a torn tail or refuse to open
 * over corruption. Records before the journal's checkpoint, where the log ended at its last clean
 * close, are not read again (`checkpoint.ts` says why that is sound); `repair` and `fullScan` read
 * them all.
 *
 * Validating a record here means its frame's structure and CRC-32C (`FrameCheckDepth` 'crc'). The
 * CRC covers the whole frame, so it finds every torn write and every bit flip; the payload's
 * BLAKE3, which a CRC-valid frame fails only with a chance of 2^-32 per damaged frame, is checked
 * by every read before the record is served. Hashing every payload here as well took about a third
 * of the time of an open, for no more detection of the faults recovery is for. Frames examined
 * past damage, whose validity decides between torn tail and corruption, are checked fully.
 *
 * The rule (SPEC §3, docs/FORMAT.md): damage at global offset X is
 * - **corruption** if the log is known to have been durable past X: a later segment exists (a new
 *   segment is created only after the previous one was synced whole), or a valid record after X says
 *   in its `durable-through` field that a sync had completed past X (a clean close leaves a seal
 *   record that says so for the whole log). Open then fails with `CorruptionError`, unless `repair`
 *   is asked for: the damaged region and everything after it are quarantined, and every valid record
 *   before it is kept.
 * - a **torn tail** otherwise: bytes never covered by a completed sync, so never acknowledged under
 *   `immediate`. They are quarantined and the segment is truncated, so appends continue exactly at
 *   the end of valid data.
 * Nothing is ever both dropped and unreported: every cut is copied to `quarantine/` first and
 * listed in the report.
 */
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FileHandle, FileSystem } from '../durability/index.js';
import { CorruptionError, FsyncFailedError, IoError } from '../errors.js';
import { RECORD_ALIGNMENT_BYTES, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, YIELD_EVERY_RECORDS } from '../limits.js';
import { readCheckpoint, sealCrcEndingAt } from './checkpoint.js';
import { RECORD_KIND_DATA, RECORD_KIND_SEAL, checkSegmentHeader, parseSegmentFileName } from './format.js';
import { deliberateBug } from './deliberate-bugs.js';
import { FrameReader } from './frame-reader.js';
import { Quarantine } from './quarantine.js';

export interface SegmentFile {
  baseOffset: number;
  path: string;
  sizeBytes: number;
}

export const QUARANTINE_KINDS = ['torn-tail', 'torn-segment', 'corruption'] as const;
export type QuarantineKind = (typeof QUARANTINE_KINDS)[number];

export interface QuarantinedRegion {
  kind: QuarantineKind;
  /** Global offset of the first byte taken out of the log. */
  offset: number;
  sizeBytes: number;
  /** Where the bytes now are. */
  file: string;
  reason: string;
}

export interface RecoveryReport {
  segmentsScanned: number;
  /** Valid data records found past `validatedFrom` (seal records not counted). */
  recordsScanned: number;
  /**
   * The global offset from which records were validated: the log's first segment, or the end of
   * the log at its last clean close when its checkpoint was used (see `checkpoint.ts`).
   */
  validatedFrom: number;
  /** Where the recovered log ends: the next append goes here. */
  endOffset: number;
  /** True if the log ended with the seal of a clean close. */
  cleanShutdown: boolean;
  quarantined: QuarantinedRegion[];
  bytesQuarantined: number;
}

export interface RecoveredJournal {
  /** The surviving segments in order; the last one is where appends continue. */
  segments: SegmentFile[];
  report: RecoveryReport;
}

export interface RecoveryOptions {
  /** Quarantine corruption instead of failing. Implies `fullScan`. */
  repair: boolean;
  /** Validate every record, whatever the checkpoint says. */
  fullScan?: boolean;
  nowMs?: () => number;
}

interface Damage {
  segmentIndex: number;
  /** Position in the segment file of the first byte that is not kept. */
  position: number;
  reason: string;
}

export async function recoverJournal(
  directory: string,
  fileSystem: FileSystem,
  options: RecoveryOptions,
): Promise<RecoveredJournal> {
  const quarantine = new Quarantine(directory, fileSystem, options.nowMs);
  const report: RecoveryReport = {
    segmentsScanned: 0,
    recordsScanned: 0,
    validatedFrom: 0,
    endOffset: 0,
    cleanShutdown: false,
    quarantined: [],
    bytesQuarantined: 0,
  };
  const segments = listSegments(directory, fileSystem);
  const last = segments.at(-1);
  if (last !== undefined && isTornSegment(last, fileSystem)) {
    // A segment whose header never became durable holds nothing that was acknowledged: records
    // are written to a segment only after its header and directory entry were synced.
    const file = quarantine.keepFile(last.path, last.baseOffset, 'torn-segment');
    addRegion(report, { kind: 'torn-segment', offset: last.baseOffset, sizeBytes: last.sizeBytes, file, reason: 'segment header never became durable' });
    segments.pop();
    report.endOffset = last.baseOffset;
  }
  const start = options.repair || options.fullScan === true
    ? undefined
    : checkpointStart(directory, segments, fileSystem);
  report.validatedFrom = start === undefined
    ? (segments[0]?.baseOffset ?? report.endOffset)
    : (segments[start.segmentIndex] as SegmentFile).baseOffset + start.position;
  // The checkpoint's seal, just before where validation starts, is the last frame so far.
  if (start !== undefined) report.cleanShutdown = true;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as SegmentFile;
    report.segmentsScanned++;
    // Segments wholly before the checkpoint get their header and place checked, no records.
    const from = start === undefined || index > start.segmentIndex
      ? SEGMENT_HEADER_BYTES
      : index === start.segmentIndex ? start.position : segment.sizeBytes;
    const damage = await scanSegment(segments, index, fileSystem, report, from);
    if (damage === undefined) continue;
    const corruptionProof = deliberateBug('truncate-on-checksum-error')
      ? undefined
      : proveDurable(damage, segments, fileSystem);
    const offset = segment.baseOffset + damage.position;
    if (corruptionProof === undefined) {
      cutTail(segment, damage, 'torn-tail', damage.reason, fileSystem, quarantine, report);
    } else if (!options.repair) {
      throw new CorruptionError(segment.path, offset, `${damage.reason}; ${corruptionProof}`);
    } else {
      const reason = `${damage.reason}; ${corruptionProof}`;
      // A segment whose own header is damaged goes to quarantine whole: nothing in it can be kept.
      const firstDropped = damage.position === 0 ? index : index + 1;
      if (damage.position > 0) cutTail(segment, damage, 'corruption', reason, fileSystem, quarantine, report);
      report.endOffset = segment.baseOffset + damage.position;
      for (const later of segments.splice(firstDropped)) {
        const file = quarantine.keepFile(later.path, later.baseOffset, 'after-corruption');
        addRegion(report, { kind: 'corruption', offset: later.baseOffset, sizeBytes: later.sizeBytes, file, reason: later === segment ? reason : `follows corruption at offset ${offset}` });
      }
    }
    report.cleanShutdown = false;
    break;
  }
  const tail = segments.at(-1);
  if (tail !== undefined) report.endOffset = tail.baseOffset + tail.sizeBytes;
  return { segments, report };
}

function listSegments(directory: string, fileSystem: FileSystem): SegmentFile[] {
  let names: string[];
  try {
    names = fileSystem.readdir(directory);
  } catch (error) {
    throw new IoError(directory, 'cannot list journal directory', { cause: error });
  }
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const baseOffset = parseSegmentFileName(name);
    if (baseOffset === undefined) continue;
    const filePath = path.join(directory, name);
    segments.push({ baseOffset, path: filePath, sizeBytes: withHandle(fileSystem, filePath, 'read', (h) => h.size()) });
  }
  return segments.sort((a, b) => a.baseOffset - b.baseOffset);
}

/** A last segment with no valid header and no valid record anywhere in it. */
function isTornSegment(segment: SegmentFile, fileSystem: FileSystem): boolean {
  return withHandle(fileSystem, segment.path, 'read', (handle) => {
    const header = new FrameReader(handle, segment.baseOffset).readRaw(0, Math.min(segment.sizeBytes, SEGMENT_HEADER_BYTES));
    if (checkSegmentHeader(header, segment.baseOffset) === undefined) return false;
    return findLaterEvidence(handle, segment, SEGMENT_HEADER_BYTES - RECORD_ALIGNMENT_BYTES) === undefined;
  });
}

/**
 * Where validation may start: past the seal that the journal's checkpoint names, if that frame is
 * still there, whole and the same (see `checkpoint.ts`); else undefined, and the whole log is read.
 */
function checkpointStart(
  directory: string,
  segments: SegmentFile[],
  fileSystem: FileSystem,
): { segmentIndex: number; position: number } | undefined {
  const checkpoint = readCheckpoint(directory, fileSystem);
  if (checkpoint === undefined) return undefined;
  const segmentIndex = segments.findIndex((s) => s.baseOffset === checkpoint.segmentBase);
  const segment = segments[segmentIndex];
  if (segment === undefined) return undefined;
  let sealCrc: number | undefined;
  try {
    sealCrc = sealCrcEndingAt(fileSystem, segment, checkpoint.end);
  } catch {
    // Unreadable here means not usable; the full scan reports what is wrong with the segment.
    return undefined;
  }
  if (sealCrc !== checkpoint.sealCrc) return undefined;
  return { segmentIndex, position: checkpoint.end - segment.baseOffset };
}

/**
 * Validates the segment's header and its records from `from` (a frame boundary: its first
 * record, the checkpoint, or its end to check only the header and where the next segment starts),
 * counting them into the report. Returns the first damage found, or undefined if the segment is
 * valid to its last byte and meets the next segment.
 */
async function scanSegment(
  segments: SegmentFile[],
  index: number,
  fileSystem: FileSystem,
  report: RecoveryReport,
  from: number,
): Promise<Damage | undefined> {
  const segment = segments[index] as SegmentFile;
  const handle = openOrThrow(fileSystem, segment.path, 'read');
  try {
    const reader = new FrameReader(handle, segment.baseOffset);
    const header = reader.readRaw(0, Math.min(segment.sizeBytes, SEGMENT_HEADER_BYTES));
    const headerProblem = checkSegmentHeader(header, segment.baseOffset);
    if (headerProblem !== undefined) return { segmentIndex: index, position: 0, reason: headerProblem };
    let position = from;
    let sinceYield = 0;
    while (position < segment.sizeBytes) {
      // The CRC-32C only: see the module comment.
      const check = reader.frameAt(position, segment.sizeBytes, 'crc');
      if (!check.ok) {
        return { segmentIndex: index, position, reason: 'reason' in check ? check.reason : 'unreadable record' };
      }
      if (check.frame.kind === RECORD_KIND_DATA) report.recordsScanned++;
      report.cleanShutdown = check.frame.kind === RECORD_KIND_SEAL;
      position += check.frame.lengthBytes;
      if (++sinceYield === YIELD_EVERY_RECORDS) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    const next = segments[index + 1];
    if (next !== undefined && next.baseOffset !== segment.baseOffset + segment.sizeBytes) {
      return { segmentIndex: index, position: segment.sizeBytes, reason: `the next segment starts at ${next.baseOffset}, not where this one ends` };
    }
    return undefined;
  } finally {
    handle.close();
  }
}

/**
 * Why the damaged bytes must have been durable (so the damage is corruption), or undefined if
 * nothing proves it (so it is a torn tail).
 */
function proveDurable(damage: Damage, segments: SegmentFile[], fileSystem: FileSystem): string | undefined {
  const segment = segments[damage.segmentIndex] as SegmentFile;
  if (damage.segmentIndex < segments.length - 1) {
    return 'a later segment exists, so this one was synced whole before it was created';
  }
  if (damage.position === 0) {
    // Only a last segment that holds valid records gets here (see isTornSegment), and records
    // are written only after the header was synced.
    return 'the segment holds valid records, so its header was synced before them';
  }
  const damagedOffset = segment.baseOffset + damage.position;
  const evidence = withHandle(fileSystem, segment.path, 'read', (handle) =>
    findLaterEvidence(handle, segment, damage.position),
  );
  if (evidence !== undefined && evidence > damagedOffset) {
    return `a later record shows the log was durable through offset ${evidence}`;
  }
  return undefined;
}

/**
 * The largest `durable-through` of any valid record that starts after `position`, found by trying
 * every aligned position (a damaged length field cannot be trusted to skip over the damage).
 */
function findLaterEvidence(handle: FileHandle, segment: SegmentFile, position: number): number | undefined {
  const reader = new FrameReader(handle, segment.baseOffset);
  let evidence: number | undefined;
  let at = position + RECORD_ALIGNMENT_BYTES;
  while (at + RECORD_HEADER_BYTES <= segment.sizeBytes) {
    const check = reader.frameAt(at, segment.sizeBytes);
    if (check.ok) {
      evidence = Math.max(evidence ?? 0, check.frame.durableThrough);
      at += check.frame.lengthBytes;
    } else {
      at += RECORD_ALIGNMENT_BYTES;
    }
  }
  return evidence;
}

/** Quarantines the segment's bytes from the damage to its end, then truncates it there, durably. */
function cutTail(
  segment: SegmentFile,
  damage: Damage,
  kind: QuarantineKind,
  reason: string,
  fileSystem: FileSystem,
  quarantine: Quarantine,
  report: RecoveryReport,
): void {
  const offset = segment.baseOffset + damage.position;
  const sizeBytes = segment.sizeBytes - damage.position;
  if (sizeBytes > 0) {
    const bytes = withHandle(fileSystem, segment.path, 'read', (handle) =>
      new FrameReader(handle, segment.baseOffset).readRaw(damage.position, sizeBytes),
    );
    const file = quarantine.keepBytes(offset, bytes, kind);
    addRegion(report, { kind, offset, sizeBytes, file, reason });
  }
  withHandle(fileSystem, segment.path, 'read-write', (handle) => {
    try {
      handle.truncate(damage.position);
    } catch (error) {
      throw new IoError(segment.path, 'cannot truncate segment', { cause: error });
    }
    try {
      handle.datasync();
    } catch (error) {
      throw new FsyncFailedError(segment.path, { cause: error });
    }
  });
  segment.sizeBytes = damage.position;
}

function addRegion(report: RecoveryReport, region: QuarantinedRegion): void {
  report.quarantined.push(region);
  report.bytesQuarantined += region.sizeBytes;
}

function openOrThrow(fileSystem: FileSystem, filePath: string, mode: 'read' | 'read-write'): FileHandle {
  try {
    return fileSystem.open(filePath, mode);
  } catch (error) {
    throw new IoError(filePath, 'cannot open segment', { cause: error });
  }
}

function withHandle<T>(
  fileSystem: FileSystem,
  filePath: string,
  mode: 'read' | 'read-write',
  use: (handle: FileHandle) => T,
): T {
  const handle = openOrThrow(fileSystem, filePath, mode);
  try {
    return use(handle);
  } finally {
    handle.close();
  }
}
