/**
 * The claim stores the claim benchmarks compare, opened by one name: StemeDB at a durability
 * level, and the baselines at the durability that matches it (see `BaselineDurability`).
 *
 * Each store's module, and so its engine, is loaded only when a store of it is opened: a process
 * that measures one engine's memory (the RSS probe) must not carry another's. Loading lmdb-js
 * alone adds about 12 MiB of resident memory.
 */
import type { DurabilityKind, StoreEngine } from '../src/index.js';
import { DEFAULT_STORE_ENGINE, STORE_ENGINES } from '../src/store/index.js';
import type { BaselineDurability, BenchClaimStore } from './claim-workload.js';

export const CLAIM_ENGINES = ['stemedb', 'sqlite', 'leveldb', 'lmdb'] as const;
export type ClaimEngine = (typeof CLAIM_ENGINES)[number];

/**
 * What StemeDB is measured beside: SQLite, the alternative a user would most likely pick, and the
 * two store engines StemeDB can run on, each written directly.
 */
export const BASELINE_ENGINES = ['sqlite', 'leveldb', 'lmdb'] as const;
export type BaselineEngine = (typeof BASELINE_ENGINES)[number];

export const ENGINE_LABELS: Record<ClaimEngine, string> = {
  stemedb: 'StemeDB',
  sqlite: 'SQLite',
  leveldb: 'LevelDB-direct',
  lmdb: 'LMDB-direct',
};

/**
 * The store engine StemeDB runs on in this benchmark run: `STEMEDB_BENCH_STORE=leveldb|lmdb`, or
 * the default engine. Child processes (the RSS probe) inherit the variable, so they agree.
 */
export const BENCH_STEMEDB_STORE: StoreEngine = benchStore(process.env['STEMEDB_BENCH_STORE']);

function benchStore(value: string | undefined): StoreEngine {
  if (value === undefined || value === '') return DEFAULT_STORE_ENGINE;
  const engine = STORE_ENGINES.find((name) => name === value);
  if (engine === undefined) {
    throw new Error(`STEMEDB_BENCH_STORE must be one of ${STORE_ENGINES.join(', ')}: ${value}`);
  }
  return engine;
}

/** What each baseline is compared with: `immediate` with durable commits, the others relaxed. */
export function baselineDurabilityFor(level: DurabilityKind): BaselineDurability {
  return level === 'immediate' ? 'durable' : 'relaxed';
}

export const BASELINE_DURABILITY_LABELS: Record<
  BaselineDurability,
  Record<BaselineEngine, string>
> = {
  durable: { sqlite: 'WAL, synchronous=FULL', leveldb: 'sync: true', lmdb: 'synced commits' },
  relaxed: { sqlite: 'WAL, synchronous=NORMAL', leveldb: 'sync: false', lmdb: 'overlapping sync' },
};

/** A claim store of `engine` in the empty directory `directory`. */
export async function openClaimStore(
  engine: ClaimEngine,
  directory: string,
  level: DurabilityKind,
): Promise<BenchClaimStore> {
  switch (engine) {
    case 'stemedb': {
      const { StemeClaimStore } = await import('./stemedb-claim-store.js');
      return StemeClaimStore.open(directory, level, BENCH_STEMEDB_STORE);
    }
    case 'sqlite': {
      const { SqliteClaimStore } = await import('./sqlite-baseline.js');
      return new SqliteClaimStore(directory, baselineDurabilityFor(level));
    }
    case 'leveldb': {
      const { LevelDirectClaimStore } = await import('./leveldb-direct-baseline.js');
      return LevelDirectClaimStore.open(directory, baselineDurabilityFor(level));
    }
    case 'lmdb': {
      const { LmdbDirectClaimStore } = await import('./lmdb-direct-baseline.js');
      return new LmdbDirectClaimStore(directory, baselineDurabilityFor(level));
    }
  }
}
