/**
 * The journal suite: appends/s and MB/s for every durability level × appender count × payload
 * size, each divided by the raw append baseline that does the same durable work with no journal.
 *
 * Method: each journal cell is measured right beside a run of its baseline, in every round, and
 * odd rounds reverse both the cell order and the order within each pair, so drift and bursts of
 * load on a shared machine land on both sides of a ratio. Each run gets a fresh directory on the
 * same file system, a warm-up, then a timed window; a row is the median over its runs. "N
 * appenders" are N async loops, started together, each awaiting `journal.append(payload)` in turn.
 */
import crypto from 'node:crypto';
import type { DurabilityKind, DurabilityOption } from '../src/index.js';
import { DurabilityLevel, Journal } from '../src/index.js';
import type { RawSyncPattern } from './baselines.js';
import {
  RAW_GROUP_RECORDS,
  RAW_PATTERN_LABELS,
  RAW_SYNC_PATTERNS,
  measureRawAppend,
} from './baselines.js';
import type { BenchContext, CellBudget } from './context.js';
import { CountingFileSystem } from './counting-file-system.js';
import type { BenchRow, BenchSuite, Sample, SuiteResult, TargetCheck } from './suite.js';
import { compareWithBaseline, rowOf, sampleOf } from './suite.js';

export const JOURNAL_LEVELS: readonly DurabilityKind[] = ['immediate', 'batched', 'eventual'];
export const APPENDER_COUNTS = [1, 16, 256] as const;
export const PAYLOAD_SIZES_BYTES = [256, 4096] as const;

/** Appenders read the clock once per this many completed appends (all loops share the count). */
const CLOCK_CHECK_EVERY_OPS = 16;

const LEVEL_LABELS: Record<DurabilityKind, string> = {
  immediate: 'immediate',
  batched: 'batched (100 writes / 10 ms)',
  eventual: 'eventual',
};

interface RawCell {
  kind: 'raw';
  id: string;
  pattern: RawSyncPattern;
  payloadBytes: number;
}

interface JournalCell {
  kind: 'journal';
  id: string;
  level: DurabilityKind;
  appenders: number;
  payloadBytes: number;
}

/** A journal cell and its natural baseline, always measured one right after the other. */
interface Pair {
  baseline: RawCell;
  journal: JournalCell;
}

interface JournalRun {
  sample: Sample;
  /** The baseline run measured beside this one. */
  baselineSample: Sample;
  writes: number;
  syncs: number;
}

/**
 * Segment size for benchmark journals: larger than anything one cell writes, so no timed window
 * contains a rotation. A rotation costs one fdatasync of the whole old segment, once per segment;
 * inside a one-second window it would land in some runs and not others.
 */
const BENCH_SEGMENT_MAX_BYTES = 2 ** 30;

export function rawRowId(pattern: RawSyncPattern, payloadBytes: number): string {
  return `raw/${pattern}/${payloadBytes}`;
}

export function journalRowId(
  level: DurabilityKind,
  appenders: number,
  payloadBytes: number,
): string {
  return `journal/${level}/x${appenders}/${payloadBytes}`;
}

/** The raw pattern that does the same durable work as a journal cell. */
export function naturalBaseline(level: DurabilityKind, appenders: number): RawSyncPattern {
  if (level === 'eventual') return 'no-sync';
  if (level === 'immediate' && appenders === 1) return 'sync-each';
  return 'sync-per-100';
}

export const journalSuite: BenchSuite = {
  name: 'journal',
  description: 'journal appends per durability level and appender count, against raw appends',
  async run(context: BenchContext): Promise<SuiteResult> {
    const pairs = planPairs();
    const rawSamples = new Map<string, Sample[]>();
    const journalRuns = new Map<string, JournalRun[]>();
    for (let round = 0; round < context.rounds; round++) {
      // Reversing every other round puts after-effects of the previous run (writeback, GC debt)
      // on the journal side in one round and on the baseline side in the next.
      const forward = round % 2 === 0;
      for (const { baseline, journal } of forward ? pairs : [...pairs].reverse()) {
        let baselineSample: Sample;
        let run: Omit<JournalRun, 'baselineSample'>;
        if (forward) {
          baselineSample = measureRawCell(context, baseline, round);
          run = await measureJournalCell(context, journal, round);
        } else {
          run = await measureJournalCell(context, journal, round);
          baselineSample = measureRawCell(context, baseline, round);
        }
        pushTo(rawSamples, baseline.id, baselineSample);
        pushTo(journalRuns, journal.id, { ...run, baselineSample });
      }
    }
    const rows = buildRows(pairs, rawSamples, journalRuns);
    const targets = checkTargets(rows);
    return { suite: 'journal', opsName: 'appends', rows, targets, notes: suiteNotes(context) };
  },
};

/** Per payload size, per level, per appender count: the journal cell and its natural baseline. */
function planPairs(): Pair[] {
  const pairs: Pair[] = [];
  for (const payloadBytes of PAYLOAD_SIZES_BYTES) {
    for (const level of JOURNAL_LEVELS) {
      for (const appenders of APPENDER_COUNTS) {
        const pattern = naturalBaseline(level, appenders);
        pairs.push({
          baseline: { kind: 'raw', id: rawRowId(pattern, payloadBytes), pattern, payloadBytes },
          journal: {
            kind: 'journal',
            id: journalRowId(level, appenders, payloadBytes),
            level,
            appenders,
            payloadBytes,
          },
        });
      }
    }
  }
  return pairs;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function measureRawCell(context: BenchContext, cell: RawCell, round: number): Sample {
  const directory = context.makeCellDirectory('raw');
  try {
    const sample = measureRawAppend(directory, cell.pattern, cell.payloadBytes, context.budget);
    reportProgress(context, round, RAW_PATTERN_LABELS[cell.pattern], cell.payloadBytes, sample);
    return sample;
  } finally {
    context.removeCellDirectory(directory);
  }
}

async function measureJournalCell(
  context: BenchContext,
  cell: JournalCell,
  round: number,
): Promise<Omit<JournalRun, 'baselineSample'>> {
  const directory = context.makeCellDirectory('journal');
  try {
    const { level, appenders, payloadBytes } = cell;
    const run = await measureJournal(directory, level, appenders, payloadBytes, context.budget);
    reportProgress(context, round, `journal ${journalLabel(cell)}`, cell.payloadBytes, run.sample);
    return run;
  } finally {
    context.removeCellDirectory(directory);
  }
}

function reportProgress(
  context: BenchContext,
  round: number,
  label: string,
  payloadBytes: number,
  sample: Sample,
): void {
  context.progress(
    `journal round ${round + 1}/${context.rounds}  ${label.padEnd(42)} ` +
      `${String(payloadBytes).padStart(5)} B  ${Math.round(sample.opsPerSecond)} ops/s`,
  );
}

function journalLabel(cell: JournalCell): string {
  return `${LEVEL_LABELS[cell.level]} ×${cell.appenders}`;
}

/**
 * Opens a fresh journal, warms it up, times one window, and closes it. The close (a final sync and
 * the seal) is outside the window, as is the raw baselines' final sync.
 */
async function measureJournal(
  directory: string,
  level: DurabilityKind,
  appenders: number,
  payloadBytes: number,
  budget: CellBudget,
): Promise<Omit<JournalRun, 'baselineSample'>> {
  const fileSystem = new CountingFileSystem();
  const durability: DurabilityOption = level === 'batched' ? DurabilityLevel.batched() : level;
  const journal = await Journal.open(directory, {
    durability,
    fileSystem,
    maxSegmentBytes: BENCH_SEGMENT_MAX_BYTES,
  });
  try {
    const payload = crypto.randomBytes(payloadBytes);
    const maxOps = Math.min(budget.maxOps, Math.floor(budget.maxBytes / payloadBytes));
    await driveAppenders(journal, payload, appenders, budget.warmupMs, maxOps);
    const before = { ...fileSystem.counts };
    const sample = await driveAppenders(journal, payload, appenders, budget.measureMs, maxOps);
    const writes = fileSystem.counts.writes - before.writes;
    const syncs = fileSystem.counts.syncs - before.syncs;
    return { sample, writes, syncs };
  } finally {
    await journal.close();
  }
}

/**
 * Runs `appenders` loops, started in the same turn, until the window or `maxOps` is used up;
 * appends already in flight then complete and count. The window ends when the last loop stops.
 */
async function driveAppenders(
  journal: Journal,
  payload: Uint8Array,
  appenders: number,
  durationMs: number,
  maxOps: number,
): Promise<Sample> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  const state = { running: true, completed: 0 };
  const loop = async (): Promise<void> => {
    while (state.running) {
      await journal.append(payload);
      state.completed++;
      if (state.completed % CLOCK_CHECK_EVERY_OPS !== 0) continue;
      if (state.completed >= maxOps || process.hrtime.bigint() >= deadline) state.running = false;
    }
  };
  const loops: Array<Promise<void>> = [];
  for (let i = 0; i < appenders; i++) loops.push(loop());
  await Promise.all(loops);
  return sampleOf(state.completed, Number(process.hrtime.bigint() - start) / 1e9);
}

/** Raw rows first (every run of a pattern, whichever cell it sat beside), then journal rows. */
function buildRows(
  pairs: Pair[],
  rawSamples: Map<string, Sample[]>,
  journalRuns: Map<string, JournalRun[]>,
): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const payloadBytes of PAYLOAD_SIZES_BYTES) {
    const forSize = pairs.filter((pair) => pair.journal.payloadBytes === payloadBytes);
    const baselines = new Map<string, BenchRow>();
    for (const pattern of RAW_SYNC_PATTERNS) {
      const id = rawRowId(pattern, payloadBytes);
      if (!forSize.some((pair) => pair.baseline.id === id)) continue;
      const samples = rawSamples.get(id) ?? [];
      const params = { pattern, payloadBytes };
      const label = RAW_PATTERN_LABELS[pattern];
      baselines.set(id, rowOf({ id, group: 'raw', label, payloadBytes, params, samples }));
    }
    rows.push(...baselines.values());
    for (const { baseline, journal } of forSize) {
      const row = journalRow(journal, journalRuns.get(journal.id) ?? []);
      const baselineRow = baselines.get(baseline.id);
      if (baselineRow !== undefined) {
        const runs = journalRuns.get(journal.id) ?? [];
        const beside = runs.map((run) => [run.sample, run.baselineSample] as const);
        compareWithBaseline(row, baselineRow, beside);
      }
      rows.push(row);
    }
  }
  return rows;
}

/** A journal row; records per write and per sync are totals over every round. */
function journalRow(cell: JournalCell, runs: JournalRun[]): BenchRow {
  const { level, appenders, payloadBytes } = cell;
  const row = rowOf({
    id: cell.id,
    group: 'journal',
    label: journalLabel(cell),
    payloadBytes,
    params: { level, appenders, payloadBytes },
    samples: runs.map((run) => run.sample),
  });
  const ops = runs.reduce((sum, run) => sum + run.sample.ops, 0);
  const writes = runs.reduce((sum, run) => sum + run.writes, 0);
  const syncs = runs.reduce((sum, run) => sum + run.syncs, 0);
  const metrics: Record<string, number> = {};
  if (writes > 0) metrics['records/write'] = ops / writes;
  if (syncs > 0) metrics['records/sync'] = ops / syncs;
  row.metrics = metrics;
  return row;
}

/** The three goals, checked at each payload size on the paired ratio. */
function checkTargets(rows: BenchRow[]): TargetCheck[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const targets: TargetCheck[] = [];
  for (const payloadBytes of PAYLOAD_SIZES_BYTES) {
    const size = payloadBytes % 1024 === 0 ? `${payloadBytes / 1024} KiB` : `${payloadBytes} B`;
    const goals: Array<[string, DurabilityKind, number, number, number[]]> = [
      [`immediate ×1 ≥ 0.85 × raw append + fdatasync each (${size})`, 'immediate', 1, 0.85, []],
      [`immediate ×256 ≥ 0.7 × raw fdatasync per 100 (${size})`, 'immediate', 256, 0.7, []],
      [
        `eventual ×1 (strict reading) ≥ 0.6 × raw no-sync appends (${size})`,
        'eventual',
        1,
        0.6,
        [16, 256],
      ],
    ];
    for (const [description, level, appenders, threshold, relatedCounts] of goals) {
      const row = byId.get(journalRowId(level, appenders, payloadBytes));
      if (row?.pairedRatio === undefined || row.baselineId === undefined) continue;
      const related = relatedCounts.flatMap((count) => {
        const other = byId.get(journalRowId(level, count, payloadBytes));
        const ratio = other?.pairedRatio;
        return other === undefined || ratio === undefined ? [] : [{ rowId: other.id, ratio }];
      });
      const { pairedRatio: ratio, baselineId } = row;
      const met = ratio >= threshold;
      targets.push({ description, rowId: row.id, baselineId, ratio, threshold, met, related });
    }
  }
  return targets;
}

function suiteNotes(context: BenchContext): string[] {
  const { budget, rounds } = context;
  return [
    `Each journal cell runs right beside its baseline (order flips every round): fresh ` +
      `directory, ${budget.warmupMs} ms warm-up, then ${budget.measureMs} ms or ` +
      `${budget.maxOps} ops or ${budget.maxBytes / 2 ** 20} MiB of payload, whichever comes ` +
      `first; median of ${rounds} rounds.`,
    `ratio = median over rounds of journal ops/s / the baseline run beside it (targets use it); ` +
      `med/med = journal median / baseline median.`,
    `Baselines: immediate ×1 → fdatasync each; immediate ×16/×256 and batched → fdatasync ` +
      `per ${RAW_GROUP_RECORDS}; eventual → no sync. A raw row pools every run of its pattern.`,
    'spread = (max - min) / median over runs. MB/s counts payload bytes (10^6 B/s); a journal ' +
      'frame adds a 56 B header and pads to 8 B.',
    'records/write and records/sync count file writes and syncs in the timed windows (group size).',
    `Journals use ${BENCH_SEGMENT_MAX_BYTES / 2 ** 20} MiB segments so no window holds a ` +
      'rotation (one fdatasync of the whole old segment, once per segment).',
  ];
}
