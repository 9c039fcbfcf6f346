/**
 * Corruption at rest: single bit flips in the synced journal data of crash images, each of which
 * must be detected and never served.
 *
 * What "detected" means (the oracle's rule, from the format's torn-tail-vs-corruption rule): a flip
 * damages one record (or a segment header) starting at global offset D.
 * - If the log proves the damaged bytes were durable — a later segment exists, a later valid record
 *   in the same segment carries `durable-through` > D (a clean close's seal does so for the whole
 *   log), or the damaged header belongs to a segment that holds records — the open must fail with
 *   `CorruptionError`; with `repair` it must quarantine from D as `corruption`.
 * - Otherwise the damage is indistinguishable from a torn tail (nothing after it vouches for it):
 *   the open must quarantine from D as `torn-tail` (or the segment as `torn-segment`) and report it.
 * - Except: a flip in a frame wholly before the seal that the journal's checkpoint names (and
 *   that seal intact) is not looked for by an open without `repair`: the open must succeed with
 *   nothing quarantined, and reading the log must serve the records before D and then fail with
 *   `CorruptionError` at D. With `repair` the whole log is validated, and the rules above hold.
 * In every case the records served are exactly the valid records before D, byte for byte.
 */
import path from 'node:path';
import { CorruptionError } from '../../src/errors.js';
import { CHECKPOINT_FILE_NAME, decodeCheckpoint } from '../../src/journal/checkpoint.js';
import { checkFrame, checkSegmentHeader, parseSegmentFileName } from '../../src/journal/format.js';
import { RECORD_KIND_DATA, RECORD_KIND_SEAL } from '../../src/journal/format.js';
import type { Journal } from '../../src/journal/index.js';
import { SEGMENT_HEADER_BYTES } from '../../src/limits.js';
import { createRandom } from '../support/random.js';
import type { Random } from '../support/random.js';
import type { SimFileSystem } from '../support/sim-fs/index.js';
import { describeError, describeFailure, imageRandom, openOn, runWorkload } from './explore.js';
import type { Failure } from './explore.js';
import { JOURNAL_DIRECTORY } from './oracle.js';
import type { Workload } from './workloads.js';
import { readRecords } from './workloads.js';

interface ParsedFrame {
  /** Position in the segment file. */
  readonly start: number;
  readonly end: number;
  readonly kind: number;
  readonly durableThrough: number;
  readonly payload: Uint8Array;
  /** The CRC-32C stored in the frame's first 4 bytes. */
  readonly crc: number;
}

interface ParsedSegment {
  readonly path: string;
  readonly baseOffset: number;
  readonly frames: ParsedFrame[];
}

export interface FlipStats {
  flips: number;
  expectedCorruption: number;
  expectedTail: number;
  /** Flips before the checkpoint, expected to be found when read rather than at open. */
  expectedAtRead: number;
  withRepair: number;
}

/**
 * The global offset of the seal that the image's checkpoint names, if the file is valid and that
 * seal is in the (undamaged) segments where it says, with the CRC it records.
 */
function checkpointSeal(fs: SimFileSystem, segments: readonly ParsedSegment[]): number | undefined {
  const file = path.posix.join(JOURNAL_DIRECTORY, CHECKPOINT_FILE_NAME);
  if (!fs.exists(file)) return undefined;
  const checkpoint = decodeCheckpoint(Buffer.from(fs.readFile(file)));
  if (checkpoint === undefined) return undefined;
  const segment = segments.find((s) => s.baseOffset === checkpoint.segmentBase);
  const seal = segment?.frames.find((f) => segment.baseOffset + f.end === checkpoint.end);
  if (segment === undefined || seal === undefined) return undefined;
  if (seal.kind !== RECORD_KIND_SEAL || seal.crc !== checkpoint.sealCrc) return undefined;
  return segment.baseOffset + seal.start;
}

/** The image's segments, fully valid and contiguous; undefined if anything in them is not. */
function parseSegments(fs: SimFileSystem): ParsedSegment[] | undefined {
  if (!fs.exists(JOURNAL_DIRECTORY)) return undefined;
  const names = fs.readdir(JOURNAL_DIRECTORY).filter((name) => parseSegmentFileName(name) !== undefined).sort();
  const segments: ParsedSegment[] = [];
  let expectedBase: number | undefined;
  for (const name of names) {
    const baseOffset = parseSegmentFileName(name) as number;
    const file = path.posix.join(JOURNAL_DIRECTORY, name);
    const bytes = Buffer.from(fs.readFile(file));
    if (checkSegmentHeader(bytes, baseOffset) !== undefined) return undefined;
    if (expectedBase !== undefined && baseOffset !== expectedBase) return undefined;
    const frames: ParsedFrame[] = [];
    let at = SEGMENT_HEADER_BYTES;
    while (at < bytes.length) {
      const check = checkFrame(bytes, at, bytes.length - at, baseOffset + at);
      if (!check.ok) return undefined;
      const { frame } = check;
      const payload = new Uint8Array(frame.payload);
      frames.push({ start: at, end: at + frame.lengthBytes, kind: frame.kind, durableThrough: frame.durableThrough, payload, crc: bytes.readUInt32LE(at) });
      at += frame.lengthBytes;
    }
    segments.push({ path: file, baseOffset, frames });
    expectedBase = baseOffset + bytes.length;
  }
  return segments.length === 0 ? undefined : segments;
}

interface FlipExpectation {
  readonly verdict: 'corruption' | 'tail' | 'at-read';
  readonly damagedOffset: number;
  readonly kept: { offset: number; payload: Uint8Array }[];
}

function expectFlip(
  segments: readonly ParsedSegment[],
  segmentIndex: number,
  position: number,
  sealOffset: number | undefined,
): FlipExpectation {
  const segment = segments[segmentIndex] as ParsedSegment;
  const kept: { offset: number; payload: Uint8Array }[] = [];
  for (const earlier of segments.slice(0, segmentIndex)) {
    for (const frame of earlier.frames) {
      if (frame.kind === RECORD_KIND_DATA) kept.push({ offset: earlier.baseOffset + frame.start, payload: frame.payload });
    }
  }
  const hasSuccessor = segmentIndex < segments.length - 1;
  if (position < SEGMENT_HEADER_BYTES) {
    const proven = hasSuccessor || segment.frames.length > 0;
    return { verdict: proven ? 'corruption' : 'tail', damagedOffset: segment.baseOffset, kept };
  }
  const damaged = segment.frames.findIndex((frame) => position >= frame.start && position < frame.end);
  const frame = segment.frames[damaged] as ParsedFrame;
  for (const before of segment.frames.slice(0, damaged)) {
    if (before.kind === RECORD_KIND_DATA) kept.push({ offset: segment.baseOffset + before.start, payload: before.payload });
  }
  const damagedOffset = segment.baseOffset + frame.start;
  if (sealOffset !== undefined && segment.baseOffset + frame.end <= sealOffset) {
    return { verdict: 'at-read', damagedOffset, kept };
  }
  const evidence = Math.max(0, ...segment.frames.slice(damaged + 1).map((later) => later.durableThrough));
  const proven = hasSuccessor || evidence > damagedOffset;
  return { verdict: proven ? 'corruption' : 'tail', damagedOffset, kept };
}

/** Flips `flips` random bits of the segments of `image`, each on its own copy, and checks each. */
async function flipAndCheck(
  image: SimFileSystem,
  flips: number,
  random: Random,
  stats: FlipStats,
): Promise<string[]> {
  const segments = parseSegments(image);
  if (segments === undefined) return [];
  const sizes = segments.map((segment) => image.readFile(segment.path).length);
  const sealOffset = checkpointSeal(image, segments);
  const total = sizes.reduce((a, b) => a + b, 0);
  for (let n = 0; n < flips; n++) {
    let at = random.nextInt(total);
    let index = 0;
    while (at >= (sizes[index] as number)) at -= sizes[index++] as number;
    const segment = segments[index] as ParsedSegment;
    const bit = random.nextInt(8);
    const repair = random.nextInt(4) === 0;
    // Repair validates the whole log, checkpoint or not.
    const expected = expectFlip(segments, index, at, repair ? undefined : sealOffset);
    const copy = image.crashNow();
    copy.flipBit(segment.path, at, bit);
    stats.flips++;
    if (expected.verdict === 'corruption') stats.expectedCorruption++;
    else if (expected.verdict === 'tail') stats.expectedTail++;
    else stats.expectedAtRead++;
    if (repair) stats.withRepair++;
    const problem = await checkFlip(copy, expected, repair);
    if (problem !== undefined) {
      const what = `bit ${bit} of byte ${at} of ${segment.path} (expected ${expected.verdict} at offset ${expected.damagedOffset}${repair ? ', repair' : ''})`;
      return [`${what}: ${problem}`];
    }
  }
  return [];
}

async function checkFlip(fs: SimFileSystem, expected: FlipExpectation, repair: boolean): Promise<string | undefined> {
  let journal;
  try {
    journal = await openOn(fs, repair);
  } catch (error) {
    if (expected.verdict === 'corruption' && !repair && error instanceof CorruptionError) return undefined;
    return `open failed: ${describeError(error)}`;
  }
  if (expected.verdict === 'corruption' && !repair) return 'corruption of durable data was not reported: the open succeeded';
  if (expected.verdict === 'at-read') return checkFoundAtRead(journal, expected);
  const region = journal.recoveryReport.quarantined[0];
  const kinds = expected.verdict === 'corruption' ? ['corruption'] : ['torn-tail', 'torn-segment'];
  if (region === undefined || !kinds.includes(region.kind) || region.offset !== expected.damagedOffset) {
    const found = region === undefined ? 'nothing' : `${region.kind} at ${region.offset}`;
    return `expected ${kinds.join(' or ')} quarantined at ${expected.damagedOffset}, found ${found}`;
  }
  return servedProblem(await readRecords(journal), expected);
}

/** The open left the log whole; reading it must serve the records before the damage, then fail there. */
async function checkFoundAtRead(journal: Journal, expected: FlipExpectation): Promise<string | undefined> {
  if (journal.recoveryReport.quarantined.length > 0) {
    return `damage before the checkpoint: expected nothing quarantined, found ${journal.recoveryReport.quarantined.length} region(s)`;
  }
  const served: { offset: number; payload: Uint8Array }[] = [];
  let failure: unknown;
  try {
    for await (const record of journal.iterate()) served.push({ offset: record.offset, payload: new Uint8Array(record.payload) });
  } catch (error) {
    failure = error;
  }
  if (!(failure instanceof CorruptionError) || failure.offset !== expected.damagedOffset) {
    return `damage before the checkpoint: reading should fail with CorruptionError at ${expected.damagedOffset}, got ${failure === undefined ? 'no error' : describeError(failure)}`;
  }
  return servedProblem(served, expected);
}

function servedProblem(
  records: readonly { offset: number; payload: Uint8Array }[],
  expected: FlipExpectation,
): string | undefined {
  if (records.length !== expected.kept.length) {
    return `served ${records.length} records, expected the ${expected.kept.length} before the damage`;
  }
  for (const [i, record] of records.entries()) {
    const want = expected.kept[i] as { offset: number; payload: Uint8Array };
    if (record.offset !== want.offset || !Buffer.from(record.payload).equals(want.payload)) {
      return `record ${i} served differs from what was written`;
    }
  }
  return undefined;
}

/**
 * Runs `workload`, and at every `boundaryEvery`-th operation boundary (and at the end) flips
 * `flipsPerImage` bits in the durable image of that moment.
 */
export async function exploreBitFlips(
  workload: Workload,
  seed: number,
  flipsPerImage: number,
  boundaryEvery: number,
  failures: Failure[],
): Promise<FlipStats> {
  const stats: FlipStats = { flips: 0, expectedCorruption: 0, expectedTail: 0, expectedAtRead: 0, withRepair: 0 };
  const random = imageRandom(seed);
  let boundary = 0;
  const run = await runWorkload(workload, createRandom(seed), (sim) =>
    boundary++ % boundaryEvery === 0 ? [...sim.crashImages({ kinds: ['dropped'] })] : [],
  );
  for (const captured of run.boundaries) {
    for (const image of captured.images) {
      const problems = await flipAndCheck(image.fs, flipsPerImage, random, stats);
      if (problems.length > 0) {
        failures.push({ text: describeFailure(workload, seed, run.sim, captured.seq, `bit flip in the image after #${captured.seq}`, problems) });
        return stats;
      }
    }
  }
  return stats;
}
