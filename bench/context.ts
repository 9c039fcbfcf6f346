/**
 * What every suite gets: a scratch directory on the file system under test, the time budget per
 * cell, the number of rounds, and a progress line on stderr. `STEMEDB_BENCH_QUICK=1` shrinks every
 * budget to a smoke run whose numbers mean nothing but prove the code paths still work.
 *
 * Environment:
 *   STEMEDB_BENCH_QUICK=1        tiny budgets, for a smoke run
 *   STEMEDB_BENCH_ROUNDS=n       rounds per cell (default 3; 2 when quick)
 *   STEMEDB_BENCH_CELL_MS=n      timed window per cell (default 1000 ms; claims cells take 3)
 *   STEMEDB_BENCH_DIR=path       where scratch directories go (default os.tmpdir())
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How long one cell runs. A cell stops at whichever limit it reaches first. */
export interface CellBudget {
  /** Untimed run just before the timed one, on the same file or journal. */
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly maxOps: number;
  /** Bound on payload bytes per timed run, so fast cells do not fill the disk or the page cache. */
  readonly maxBytes: number;
}

export interface FileSystemInfo {
  /** The directory that holds every cell's scratch directory. */
  path: string;
  /** Mount point, device and type from /proc/mounts, when it can be read. */
  mountPoint: string;
  device: string;
  type: string;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly rounds: number;
  readonly budget: CellBudget;
  readonly fileSystem: FileSystemInfo;
  /** Makes a fresh, empty directory for one cell; remove it with `removeCellDirectory`. */
  makeCellDirectory(prefix: string): string;
  removeCellDirectory(directory: string): void;
  /** One line of progress on stderr (stdout carries only the report). */
  progress(message: string): void;
  /** Removes the scratch root and everything left in it. */
  dispose(): void;
}

export interface ContextOptions {
  quick?: boolean;
  rounds?: number;
  measureMs?: number;
  /** Parent of the scratch root. Default `os.tmpdir()`. */
  directory?: string;
  /** Default: write to stderr. */
  progress?: (message: string) => void;
}

const FULL_BUDGET: CellBudget = {
  warmupMs: 200,
  measureMs: 1000,
  maxOps: 400_000,
  maxBytes: 256 * 1024 * 1024,
};
const QUICK_BUDGET: CellBudget = {
  warmupMs: 5,
  measureMs: 15,
  maxOps: 400,
  maxBytes: 4 * 1024 * 1024,
};
const FULL_ROUNDS = 3;
const QUICK_ROUNDS = 2;

/** Options from the environment variables listed at the top of this file. */
export function contextOptionsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): ContextOptions {
  const options: ContextOptions = { quick: env['STEMEDB_BENCH_QUICK'] === '1' };
  const rounds = positiveInteger(env['STEMEDB_BENCH_ROUNDS'], 'STEMEDB_BENCH_ROUNDS');
  if (rounds !== undefined) options.rounds = rounds;
  const measureMs = positiveInteger(env['STEMEDB_BENCH_CELL_MS'], 'STEMEDB_BENCH_CELL_MS');
  if (measureMs !== undefined) options.measureMs = measureMs;
  const directory = env['STEMEDB_BENCH_DIR'];
  if (directory !== undefined && directory !== '') options.directory = directory;
  return options;
}

export function createBenchContext(options: ContextOptions = {}): BenchContext {
  const quick = options.quick ?? false;
  const base = quick ? QUICK_BUDGET : FULL_BUDGET;
  const budget = options.measureMs === undefined ? base : { ...base, measureMs: options.measureMs };
  const root = fs.mkdtempSync(path.join(options.directory ?? os.tmpdir(), 'stemedb-bench-'));
  const progress = options.progress ?? ((message: string) => process.stderr.write(`${message}\n`));
  let disposed = false;
  return {
    quick,
    rounds: options.rounds ?? (quick ? QUICK_ROUNDS : FULL_ROUNDS),
    budget,
    fileSystem: describeFileSystem(root),
    makeCellDirectory: (prefix) => fs.mkdtempSync(path.join(root, `${prefix}-`)),
    removeCellDirectory: (directory) => fs.rmSync(directory, { recursive: true, force: true }),
    progress,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The mount that holds `directory`: the longest mount point in /proc/mounts that prefixes it. */
export function describeFileSystem(directory: string): FileSystemInfo {
  const real = fs.realpathSync(directory);
  const info: FileSystemInfo = { path: real, mountPoint: '?', device: '?', type: '?' };
  let mounts: string;
  try {
    mounts = fs.readFileSync('/proc/mounts', 'utf8');
  } catch {
    return info;
  }
  for (const line of mounts.split('\n')) {
    const [device, mountPoint, type] = line.split(' ');
    if (device === undefined || mountPoint === undefined || type === undefined) continue;
    const inside = mountPoint === '/' || real === mountPoint || real.startsWith(`${mountPoint}/`);
    if (inside && (info.mountPoint === '?' || mountPoint.length >= info.mountPoint.length)) {
      Object.assign(info, { mountPoint, device, type });
    }
  }
  return info;
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
