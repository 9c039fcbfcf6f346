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
 * In every case the records served are exactly the valid records before D, byte for byte.
 */
import path from 'node:path';
import { CorruptionError } from '../../src/errors.js';
import { checkFrame, checkSegmentHeader, parseSegmentFileName } from '../../src/journal/format.js';
import { RECORD_KIND_DATA } from '../../src/journal/format.js';
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
  withRepair: number;
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
      frames.push({ start: at, end: at + frame.lengthBytes, kind: frame.kind, durableThrough: frame.durableThrough, payload });
      at += frame.lengthBytes;
    }
    segments.push({ path: file, baseOffset, frames });
    expectedBase = baseOffset + bytes.length;
  }
  return segments.length === 0 ? undefined : segments;
}

interface FlipExpectation {
  readonly verdict: 'corruption' | 'tail';
  readonly damagedOffset: number;
  readonly kept: { offset: number; payload: Uint8Array }[];
}

function expectFlip(segments: readonly ParsedSegment[], segmentIndex: number, position: number): FlipExpectation {
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
  const total = sizes.reduce((a, b) => a + b, 0);
  for (let n = 0; n < flips; n++) {
    let at = random.nextInt(total);
    let index = 0;
    while (at >= (sizes[index] as number)) at -= sizes[index++] as number;
    const segment = segments[index] as ParsedSegment;
    const bit = random.nextInt(8);
    const repair = random.nextInt(4) === 0;
    const expected = expectFlip(segments, index, at);
    const copy = image.crashNow();
    copy.flipBit(segment.path, at, bit);
    stats.flips++;
    if (expected.verdict === 'corruption') stats.expectedCorruption++;
    else stats.expectedTail++;
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
  const region = journal.recoveryReport.quarantined[0];
  const kinds = expected.verdict === 'corruption' ? ['corruption'] : ['torn-tail', 'torn-segment'];
  if (region === undefined || !kinds.includes(region.kind) || region.offset !== expected.damagedOffset) {
    const found = region === undefined ? 'nothing' : `${region.kind} at ${region.offset}`;
    return `expected ${kinds.join(' or ')} quarantined at ${expected.damagedOffset}, found ${found}`;
  }
  const records = await readRecords(journal);
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
  const stats: FlipStats = { flips: 0, expectedCorruption: 0, expectedTail: 0, withRepair: 0 };
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
