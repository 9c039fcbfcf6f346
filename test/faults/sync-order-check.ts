/**
 * The one check of the system-call audit, used unchanged for the healthy engine and for its
 * deliberately broken variants: it reads the events of a traced run of audit-child.ts and returns
 * every broken promise of the write path it finds (journal-writer.ts lists the steps):
 * - each new segment is created, its header written, the file fsynced and then the directory
 *   fsynced, all before any record is written into it;
 * - each acknowledgement comes after a completed sync of the segment that covers the record's
 *   last byte (the run is `immediate`);
 * - on close the seal record is written to the last segment and synced before the file is closed;
 * - `atomicWrite` writes the temporary file, fsyncs it, closes it, renames it over the target and
 *   then fsyncs the directory.
 */
import path from 'node:path';
import { temporaryPathFor } from '../../src/durability/index.js';
import { frameBytes, parseSegmentFileName } from '../../src/journal/index.js';
import { SEGMENT_HEADER_BYTES } from '../../src/limits.js';
import type { TraceEvent } from './syscall-trace.js';

export interface SyncOrderAudit {
  violations: string[];
  segmentsCreated: number;
  acknowledged: number;
  segmentSyncs: number;
}

const SEAL_BYTES = frameBytes(0);

type Match = (event: TraceEvent) => boolean;

/** Index of the first event at or after `from` that matches, or -1. */
function find(events: TraceEvent[], from: number, match: Match): number {
  if (from < 0) return -1;
  for (let i = from; i < events.length; i++) if (match(events[i] as TraceEvent)) return i;
  return -1;
}

const isWrite = (file: string, test: (position: number) => boolean = () => true): Match =>
  (e) => e.kind === 'write' && e.path === file && e.position !== undefined && test(e.position);
const isSync = (file: string): Match =>
  (e) => e.kind === 'sync' && e.path === file && e.result === 0;
const isSay = (text: string): Match => (e) => e.kind === 'say' && e.text === text;

function isSegment(file: string, journalDir: string): boolean {
  const isSegmentName = parseSegmentFileName(path.basename(file)) !== undefined;
  return path.dirname(file) === journalDir && isSegmentName;
}

export function checkSyncOrder(
  events: TraceEvent[],
  journalDir: string,
  stateFile: string,
): SyncOrderAudit {
  const violations: string[] = [];
  const segmentsCreated = checkSegmentCreation(events, journalDir, violations);
  const acknowledged = checkAcknowledgements(events, journalDir, violations);
  checkSeal(events, journalDir, violations);
  checkAtomicWrite(events, stateFile, violations);
  const segmentSyncs = events.filter((e) => e.kind === 'sync' && isSegment(e.path, journalDir))
    .length;
  return { violations, segmentsCreated, acknowledged, segmentSyncs };
}

/** Create, header write, file fsync, directory fsync, and only then records. */
function checkSegmentCreation(
  events: TraceEvent[],
  journalDir: string,
  violations: string[],
): number {
  let created = 0;
  events.forEach((event, at) => {
    if (event.kind !== 'open' || !event.created || !isSegment(event.path, journalDir)) return;
    created++;
    const name = path.basename(event.path);
    const header = find(events, at, isWrite(event.path, (position) => position === 0));
    const isRecord = (position: number): boolean => position >= SEGMENT_HEADER_BYTES;
    const firstRecord = find(events, at, isWrite(event.path, isRecord));
    const fileSync = find(events, header, isSync(event.path));
    const directorySync = find(events, fileSync, isSync(journalDir));
    const before = (step: number): boolean => step >= 0 && (firstRecord < 0 || step < firstRecord);
    const headerEvent = events[header];
    if (!before(header)) violations.push(`${name}: records were written before its header`);
    else if (headerEvent?.kind === 'write' && headerEvent.result !== SEGMENT_HEADER_BYTES) {
      violations.push(`${name}: the header write returned ${headerEvent.result}`);
    }
    if (!before(fileSync)) {
      violations.push(`${name}: records were written before its header was fsynced`);
    }
    if (!before(directorySync)) {
      violations.push(`${name}: records were written before the directory was fsynced ` +
        'after its creation');
    }
  });
  return created;
}

/** Every `ack <id> <offset> <end>` needs the segment holding `end` synced through it. */
function checkAcknowledgements(
  events: TraceEvent[],
  journalDir: string,
  violations: string[],
): number {
  const written = new Map<string, number>();
  const synced = new Map<string, number>();
  const segments: Array<{ base: number; file: string }> = [];
  let acknowledged = 0;
  for (const event of events) {
    if (event.kind === 'open' && event.created && isSegment(event.path, journalDir)) {
      const base = parseSegmentFileName(path.basename(event.path)) ?? -1;
      segments.push({ base, file: event.path });
    } else if (event.kind === 'write' && event.result > 0) {
      const end = (event.position ?? written.get(event.path) ?? 0) + event.result;
      written.set(event.path, Math.max(written.get(event.path) ?? 0, end));
    } else if (event.kind === 'sync' && event.result === 0) {
      synced.set(event.path, written.get(event.path) ?? 0);
    } else if (event.kind === 'say' && event.text.startsWith('ack ')) {
      acknowledged++;
      const [id = 0, offset = 0, end = 0] = event.text.slice(4).split(' ').map(Number);
      const segment = segments.filter((s) => s.base <= offset).sort((a, b) => b.base - a.base)[0];
      const needed = end - (segment?.base ?? 0);
      const durable = segment === undefined ? 0 : (synced.get(segment.file) ?? 0);
      if (durable < needed) {
        const file = segment === undefined ? 'no segment' : path.basename(segment.file);
        violations.push(`ack ${id}: its record ends at byte ${needed} of ${file}, ` +
          `synced only through ${durable}`);
      }
    }
  }
  return acknowledged;
}

/** The last write before `closed` is the seal, synced before the segment is closed. */
function checkSeal(events: TraceEvent[], journalDir: string, violations: string[]): void {
  const closed = find(events, 0, isSay('closed'));
  if (closed < 0) {
    violations.push('the child never reported closing the journal');
    return;
  }
  let seal = -1;
  for (let i = closed - 1; i >= 0 && seal < 0; i--) {
    const event = events[i] as TraceEvent;
    if (event.kind === 'write' && isSegment(event.path, journalDir)) seal = i;
  }
  const sealEvent = events[seal];
  const isSeal = sealEvent?.kind === 'write' && sealEvent.bytes === SEAL_BYTES;
  if (sealEvent?.kind !== 'write' || !isSeal || sealEvent.result !== SEAL_BYTES) {
    violations.push(`the last write before close is not a ${SEAL_BYTES}-byte seal`);
    return;
  }
  const sync = find(events, seal, isSync(sealEvent.path));
  const close = find(events, sync, (e) => e.kind === 'close' && e.path === sealEvent.path);
  if (sync < 0 || sync > closed) violations.push('the seal was not synced before close returned');
  if (close < 0 || close > closed) {
    violations.push('the last segment was not closed after its seal was synced');
  }
}

/** Temporary file written, fsynced, closed, renamed over the target, then the directory fsynced. */
function checkAtomicWrite(events: TraceEvent[], stateFile: string, violations: string[]): void {
  const temporary = temporaryPathFor(stateFile);
  const steps: Array<[string, Match]> = [
    ['create the temporary file', (e) => e.kind === 'open' && e.created && e.path === temporary],
    ['write it whole', (e) => e.kind === 'write' && e.path === temporary && e.result === e.bytes],
    ['fsync it', isSync(temporary)],
    ['close it', (e) => e.kind === 'close' && e.path === temporary],
    [
      'rename it over the target',
      (e) => e.kind === 'rename' && e.from === temporary && e.to === stateFile,
    ],
    ['fsync the directory', isSync(path.dirname(stateFile))],
    ['report it replaced', isSay('replaced')],
  ];
  let at = find(events, 0, isSay('closed'));
  for (const [step, match] of steps) {
    at = find(events, at, match);
    if (at < 0) {
      violations.push(`atomicWrite: no "${step}" in order after the steps before it`);
      return;
    }
  }
}
