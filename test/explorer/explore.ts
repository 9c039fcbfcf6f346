/**
 * The crash explorer: runs a workload on the simulated file system, builds at every operation
 * boundary the crash images the fault model allows, and recovers each one twice against the oracle.
 *
 * For every image: (1) the atomically replaced file holds a whole version; (2) recovery opens and the
 * log meets the oracle; (3) a second recovery of the crashed result finds nothing to do and the same
 * records; (4) on a sample, an append after recovery lands exactly at the end of the valid data and
 * survives the next crash; (5) on a sample of the images whose recovery changed the disk, a crash at
 * every operation of that recovery, recovered again, meets the oracle too.
 *
 * Replay: `STEMEDB_SEED` fixes the seed; `STEMEDB_CRASH_POINT=n` explores only the boundary after
 * operation #n; `STEMEDB_WORKLOAD=name` runs only workloads whose name contains it.
 */
import type { DurabilityOption } from '../../src/durability/index.js';
import { Journal } from '../../src/journal/index.js';
import { createRandom, replayHint } from '../support/random.js';
import type { Random } from '../support/random.js';
import type { CrashImage } from '../support/sim-fs/index.js';
import { SimFileSystem, formatOperation } from '../support/sim-fs/index.js';
import { BoundaryFileSystem } from './boundary-file-system.js';
import { JOURNAL_DIRECTORY } from './oracle.js';
import type { Expectation, Oracle, RecoveredRecord } from './oracle.js';
import { WorkloadContext, readRecords } from './workloads.js';
import type { Workload } from './workloads.js';

export const CRASH_POINT_ENV = 'STEMEDB_CRASH_POINT';
export const WORKLOAD_ENV = 'STEMEDB_WORKLOAD';
export const SOAK = process.env.STEMEDB_SOAK === '1';

/** Operations of the trace shown around a failing crash point. */
const TRACE_LINES = 30;
/** A run stops collecting after this many failures; one is enough to replay. */
const FAILURES_MAX = 3;

export interface ExploreOptions {
  readonly seed: number;
  /** Images kept per boundary (dropped and persisted always; the rest sampled). */
  readonly imagesPerBoundary: number;
  /** Every nth image also checks that an append after recovery continues at the end. */
  readonly probeEvery: number;
  /** Every nth image whose recovery changed the disk is also crashed during that recovery. */
  readonly recoveryCrashEvery: number;
  /** Images kept per crash point inside a recovery. */
  readonly recoveryImagesPerBoundary: number;
}

export interface ExploreStats {
  boundaries: number;
  images: number;
  imagesByKind: Record<string, number>;
  recoveriesThatCut: number;
  recoveryCrashImages: number;
  probes: number;
}

export interface Failure {
  readonly text: string;
}

export interface CapturedBoundary {
  /** The crash happens after this operation of the trace (0: before any). */
  readonly seq: number;
  readonly expectation: Expectation;
  readonly images: CrashImage[];
}

export interface WorkloadRun {
  readonly context: WorkloadContext;
  readonly sim: SimFileSystem;
  readonly boundaries: CapturedBoundary[];
}

export function emptyStats(): ExploreStats {
  return { boundaries: 0, images: 0, imagesByKind: {}, recoveriesThatCut: 0, recoveryCrashImages: 0, probes: 0 };
}

export function addStats(total: ExploreStats, more: ExploreStats): void {
  total.boundaries += more.boundaries;
  total.images += more.images;
  total.recoveriesThatCut += more.recoveriesThatCut;
  total.recoveryCrashImages += more.recoveryCrashImages;
  total.probes += more.probes;
  for (const [kind, count] of Object.entries(more.imagesByKind)) {
    total.imagesByKind[kind] = (total.imagesByKind[kind] ?? 0) + count;
  }
}

/** The generator of image sampling, apart from the workload's so that neither shifts the other. */
export function imageRandom(seed: number): Random {
  return createRandom((seed ^ 0x9e3779b9) >>> 0);
}

export function crashPointFromEnv(): number | undefined {
  const text = process.env[CRASH_POINT_ENV];
  return text === undefined || text === '' ? undefined : Number(text);
}

export function selectWorkloads(workloads: readonly Workload[]): Workload[] {
  const filter = process.env[WORKLOAD_ENV];
  return filter === undefined || filter === '' ? [...workloads] : workloads.filter((w) => w.name.includes(filter));
}

/**
 * Runs `workload` on a fresh simulated disk; `capture` decides, at each boundary, which crash
 * images to keep (none by default).
 */
export async function runWorkload(
  workload: Workload,
  random: Random,
  capture?: (sim: SimFileSystem, oracle: Oracle) => CrashImage[],
  prepare?: (context: WorkloadContext) => void,
): Promise<WorkloadRun> {
  const sim = new SimFileSystem();
  const fs = new BoundaryFileSystem(sim);
  const context = new WorkloadContext(fs, workload, random);
  const boundaries: CapturedBoundary[] = [];
  const crashPoint = crashPointFromEnv();
  const take = (): void => {
    const seq = sim.log.lastSeq;
    if (capture === undefined) return;
    // Captured at every boundary even when replaying one, so the sampled images are the same.
    const images = capture(sim, context.oracle);
    if (crashPoint !== undefined && seq !== crashPoint) return;
    boundaries.push({ seq, expectation: context.oracle.snapshot(), images });
  };
  fs.onBoundary = take;
  prepare?.(context);
  await workload.run(context);
  fs.onBoundary = () => {};
  take();
  return { context, sim, boundaries };
}

/** Every kind of image, sampled down to `limit` per boundary. */
export function sampleImages(sim: SimFileSystem, random: Random, limit: number): CrashImage[] {
  const pending = sim.pendingOperationCount();
  const few = pending <= 2;
  const images = [
    ...sim.crashImages({
      seed: random.nextUint32(),
      tornPrefixBytes: few ? 64 : 16,
      tornSampledOffsets: few ? 8 : 3,
      sampledSubsets: 16,
    }),
  ];
  const always = Math.min(2, images.length);
  for (let i = always; i < images.length && i < limit; i++) {
    const j = i + random.nextInt(images.length - i);
    [images[i], images[j]] = [images[j] as CrashImage, images[i] as CrashImage];
  }
  return images.slice(0, limit);
}

/** Explores one workload: every captured boundary, every image. */
export async function exploreWorkload(
  workload: Workload,
  options: ExploreOptions,
  failures: Failure[],
): Promise<ExploreStats> {
  const stats = emptyStats();
  const random = imageRandom(options.seed);
  const run = await runWorkload(workload, createRandom(options.seed), (sim) =>
    sampleImages(sim, random, options.imagesPerBoundary),
  );
  const { oracle } = run.context;
  for (const violation of run.context.oracle.violations) {
    failures.push({ text: describeFailure(workload, options.seed, run.sim, run.sim.log.lastSeq, 'while running', [violation]) });
  }
  let index = 0;
  let cuts = 0;
  for (const boundary of run.boundaries) {
    stats.boundaries++;
    for (const image of boundary.images) {
      if (failures.length >= FAILURES_MAX) return stats;
      stats.images++;
      stats.imagesByKind[image.kind] = (stats.imagesByKind[image.kind] ?? 0) + 1;
      const probe = index++ % options.probeEvery === 0;
      const outcome = await verifyImage(image.fs, boundary.expectation, oracle, probe);
      if (probe) stats.probes++;
      let problems = outcome.problems;
      if (outcome.cut) {
        stats.recoveriesThatCut++;
        if (problems.length === 0 && cuts++ % options.recoveryCrashEvery === 0) {
          const nested = await crashDuringRecovery(image.fs, boundary.expectation, oracle, options, random);
          stats.recoveryCrashImages += nested.images;
          problems = nested.problems;
        }
      }
      if (problems.length > 0) {
        const where = `crash after #${boundary.seq}, image ${image.description}`;
        failures.push({ text: describeFailure(workload, options.seed, run.sim, boundary.seq, where, problems) });
      }
    }
  }
  return stats;
}

export interface ImageOutcome {
  problems: string[];
  /** Recovery changed the disk (quarantined a tail or segment). */
  cut: boolean;
}

/**
 * Recovers a copy of `image` twice and checks both against the oracle; with `probe`, also appends
 * after recovery, crashes, and checks the record landed at the end and survived. `image` itself is
 * left unchanged.
 */
export async function verifyImage(
  image: SimFileSystem,
  expectation: Expectation,
  oracle: Oracle,
  probe: boolean,
): Promise<ImageOutcome> {
  const problems = oracle.checkAtomic(expectation, image);
  const first = image.crashNow();
  let journal: Journal;
  try {
    journal = await openOn(first);
  } catch (error) {
    return { problems: [...problems, `recovery failed: ${describeError(error)}`], cut: false };
  }
  let records: RecoveredRecord[];
  try {
    records = await readRecords(journal);
  } catch (error) {
    // After a checkpoint, damage the open did not read again is found here.
    return { problems: [...problems, `reading the recovered log failed: ${describeError(error)}`], cut: false };
  }
  problems.push(...oracle.checkLog(expectation, records, journal.recoveryReport));
  const cut = journal.recoveryReport.quarantined.length > 0;
  const endOffset = journal.endOffset;
  const second = first.crashNow();
  let again: Journal;
  try {
    again = await openOn(second);
  } catch (error) {
    return { problems: [...problems, `second recovery failed: ${describeError(error)}`], cut };
  }
  const recovered = again.recoveryReport;
  if (recovered.quarantined.length > 0) {
    problems.push(`second recovery quarantined again: ${recovered.quarantined.map((q) => `${q.kind}@${q.offset}`).join(', ')}`);
  }
  if (again.endOffset !== endOffset) problems.push(`second recovery ends at ${again.endOffset}, first at ${endOffset}`);
  try {
    problems.push(...sameRecords(records, await readRecords(again), 'second recovery'));
  } catch (error) {
    return { problems: [...problems, `reading the log after the second recovery failed: ${describeError(error)}`], cut };
  }
  if (probe && problems.length === 0) problems.push(...(await probeAppend(again, records, second)));
  return { problems, cut };
}

/** An append after recovery goes exactly to the end of the valid data and survives a crash. */
async function probeAppend(
  journal: Journal,
  records: readonly { offset: number; nextOffset: number; payload: Uint8Array }[],
  fs: SimFileSystem,
): Promise<string[]> {
  const payload = Buffer.from(`probe after recovery ${records.length}`);
  const endOffset = journal.endOffset;
  let offset: number;
  try {
    offset = (await journal.append(payload)).offset;
  } catch (error) {
    return [`append after recovery failed: ${describeError(error)}`];
  }
  if (offset !== endOffset) return [`append after recovery went to ${offset}, the log ends at ${endOffset}`];
  let reopened: Journal;
  try {
    reopened = await openOn(fs.crashNow());
  } catch (error) {
    return [`recovery after the probe append failed: ${describeError(error)}`];
  }
  const after = await readRecords(reopened);
  const last = after.at(-1);
  if (last === undefined || last.offset !== offset || !Buffer.from(last.payload).equals(payload)) {
    return [`the acknowledged append after recovery (offset ${offset}) did not survive a crash`];
  }
  return sameRecords(records, after.slice(0, -1), 'recovery after the probe append');
}

/**
 * Crashes the recovery of `image` at each of its operations (sampled images per point), recovers
 * each result, and checks it against the same expectation: invariant 5 across crash → recover.
 */
async function crashDuringRecovery(
  image: SimFileSystem,
  expectation: Expectation,
  oracle: Oracle,
  options: ExploreOptions,
  random: Random,
): Promise<{ images: number; problems: string[] }> {
  const sim = image.crashNow();
  const fs = new BoundaryFileSystem(sim);
  const points: { seq: number; images: CrashImage[] }[] = [];
  fs.onBoundary = () => {
    points.push({ seq: sim.log.lastSeq, images: sampleImages(sim, random, options.recoveryImagesPerBoundary) });
  };
  try {
    await openOn(fs);
  } catch (error) {
    return { images: 0, problems: [`recovery under observation failed: ${describeError(error)}`] };
  }
  let images = 0;
  for (const point of points) {
    for (const nested of point.images) {
      images++;
      const outcome = await verifyImage(nested.fs, expectation, oracle, false);
      if (outcome.problems.length > 0) {
        const trace = sim.log.entries.slice(0, point.seq + 1).map(formatOperation).slice(-TRACE_LINES);
        const where = `crash during recovery after #${point.seq} of the recovery, ${nested.description}`;
        return { images, problems: [where, ...outcome.problems, 'recovery trace:', ...trace] };
      }
    }
  }
  return { images, problems: [] };
}

export function openOn(fileSystem: SimFileSystem | BoundaryFileSystem, repair = false): Promise<Journal> {
  return Journal.open(JOURNAL_DIRECTORY, { fileSystem, lock: false, durability: 'immediate', repair });
}

export function sameRecords(
  expected: readonly { offset: number; payload: Uint8Array }[],
  actual: readonly { offset: number; payload: Uint8Array }[],
  what: string,
): string[] {
  if (expected.length !== actual.length) return [`${what} found ${actual.length} records, not ${expected.length}`];
  for (const [i, record] of expected.entries()) {
    const other = actual[i];
    if (other === undefined || other.offset !== record.offset || !Buffer.from(other.payload).equals(record.payload)) {
      return [`${what} differs at record ${i} (offset ${record.offset})`];
    }
  }
  return [];
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Seed, workload, crash point, what broke, and the trace up to the crash point. */
export function describeFailure(
  workload: Workload,
  seed: number,
  sim: SimFileSystem,
  seq: number,
  where: string,
  problems: readonly string[],
): string {
  const trace = sim.log.entries.slice(0, seq).map(formatOperation).slice(-TRACE_LINES);
  return [
    `workload ${workload.name}, seed ${seed} (${replayHint(seed)} ${WORKLOAD_ENV}=${workload.name} ${CRASH_POINT_ENV}=${seq})`,
    where,
    ...problems.map((p) => `  ✗ ${p}`),
    `trace (last ${trace.length} operations before the crash):`,
    ...trace.map((line) => `  ${line}`),
  ].join('\n');
}

/** Explorer settings of a CI run; `STEMEDB_SOAK=1` multiplies the seeds per workload by ten. */
export const CI_OPTIONS = {
  imagesPerBoundary: 400,
  probeEvery: 8,
  recoveryCrashEvery: 50,
  recoveryImagesPerBoundary: 6,
} as const;

/**
 * Explores every standard workload of the given levels with `seeds` seeds each (from the run's base
 * seed); returns the totals and the failures, each printed with its seed and crash point.
 */
export async function exploreLevels(
  levels: readonly { label: string; durability: DurabilityOption }[],
  workloadsOf: (label: string, durability: DurabilityOption) => Workload[],
  baseSeed: number,
  seeds: number,
): Promise<{ stats: ExploreStats; failures: Failure[] }> {
  const stats = emptyStats();
  const failures: Failure[] = [];
  for (const level of levels) {
    for (const workload of selectWorkloads(workloadsOf(level.label, level.durability))) {
      for (let s = 0; s < seeds && failures.length === 0; s++) {
        const seed = (baseSeed + s) >>> 0;
        addStats(stats, await exploreWorkload(workload, { seed, ...CI_OPTIONS }, failures));
      }
    }
  }
  return { stats, failures };
}
