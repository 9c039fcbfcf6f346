/**
 * What a benchmark suite is and what it returns. A suite is `{ name, run(context) }`; `run`
 * measures its cells and returns rows (one per cell, medians over rounds) plus any targets it
 * checks. The
 * report prints any suite's rows the same way, so adding a suite means adding one file and one line
 * to the registry in `run.ts`.
 */
import type { BenchContext } from './context.js';

/** One timed run of one cell. */
export interface Sample {
  /** Operations completed inside the timed window. */
  ops: number;
  seconds: number;
  opsPerSecond: number;
}

export interface BenchRow {
  /** Unique within the suite; baselines and targets refer to rows by it. */
  id: string;
  /** Rows of one group print together (e.g. `raw`, `journal`). */
  group: string;
  /** Short human name of the cell, without the payload size. */
  label: string;
  /** Bytes of user data per operation; MB/s counts these bytes only. */
  payloadBytes: number;
  /** What was varied, for the JSON report (level, concurrency, ...). */
  params: Record<string, string | number>;
  /** One per round, in the order measured. */
  samples: Sample[];
  /** Median over the samples. */
  opsPerSecond: number;
  /** Further per-cell figures (medians over rounds) the report prints as extra columns. */
  metrics?: Record<string, number>;
  /** `opsPerSecond × payloadBytes / 10^6`. */
  megabytesPerSecond: number;
  /** The row this one is compared with, if any. */
  baselineId?: string;
  /** `opsPerSecond / baseline.opsPerSecond` (ratio of medians). */
  ratio?: number;
  /**
   * Median over this row's runs of its ops/s over the ops/s of the baseline run measured right
   * beside it. On a shared, noisy machine this is the figure to trust; targets use it.
   */
  pairedRatio?: number;
}

/** A performance goal: a row's ratio to its baseline must reach `threshold`. */
export interface TargetCheck {
  description: string;
  rowId: string;
  baselineId: string;
  /** The row's paired ratio. */
  ratio: number;
  threshold: number;
  met: boolean;
  /** Other rows (paired ratios) shown beside the target for context, not part of the goal. */
  related: Array<{ rowId: string; ratio: number }>;
}

export interface SuiteResult {
  suite: string;
  /** What one operation is, for column headers (`appends`). */
  opsName: string;
  rows: BenchRow[];
  targets: TargetCheck[];
  /** Sentences printed under the suite's table (what the units mean, what was left out). */
  notes: string[];
}

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<SuiteResult>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function sampleOf(ops: number, seconds: number): Sample {
  return { ops, seconds, opsPerSecond: ops / seconds };
}

/** Builds a row from its samples: medians and MB/s filled in, no baseline yet. */
export function rowOf(
  fields: Omit<BenchRow, 'opsPerSecond' | 'megabytesPerSecond' | 'baselineId' | 'ratio'>,
): BenchRow {
  const opsPerSecond = median(fields.samples.map((sample) => sample.opsPerSecond));
  const megabytesPerSecond = (opsPerSecond * fields.payloadBytes) / 1e6;
  return { ...fields, opsPerSecond, megabytesPerSecond };
}

/**
 * Sets `row`'s baseline and both ratios. `pairs` holds, for each run of `row`, the baseline run
 * measured right beside it; without them, samples are paired by index (round).
 */
export function compareWithBaseline(
  row: BenchRow,
  baseline: BenchRow,
  pairs?: ReadonlyArray<readonly [Sample, Sample]>,
): void {
  row.baselineId = baseline.id;
  row.ratio = row.opsPerSecond / baseline.opsPerSecond;
  const paired: number[] = [];
  if (pairs !== undefined) {
    for (const [mine, theirs] of pairs) paired.push(mine.opsPerSecond / theirs.opsPerSecond);
  } else {
    const rounds = Math.min(row.samples.length, baseline.samples.length);
    for (let i = 0; i < rounds; i++) {
      const mine = row.samples[i] as Sample;
      const theirs = baseline.samples[i] as Sample;
      paired.push(mine.opsPerSecond / theirs.opsPerSecond);
    }
  }
  row.pairedRatio = median(paired);
}
