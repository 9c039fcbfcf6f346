/**
 * The claim stores the claim benchmarks compare, opened by one name: StemeDB at a durability
 * level, and the two baselines at the durability that matches it (see `BaselineDurability`).
 */
import type { DurabilityKind } from '../src/index.js';
import type { BaselineDurability, BenchClaimStore } from './claim-workload.js';
import { LmdbDirectClaimStore } from './lmdb-direct-baseline.js';
import { SqliteClaimStore } from './sqlite-baseline.js';
import { StemeClaimStore } from './stemedb-claim-store.js';

export const CLAIM_ENGINES = ['stemedb', 'sqlite', 'lmdb'] as const;
export type ClaimEngine = (typeof CLAIM_ENGINES)[number];

export const ENGINE_LABELS: Record<ClaimEngine, string> = {
  stemedb: 'StemeDB',
  sqlite: 'SQLite',
  lmdb: 'LMDB-direct',
};

/** What each baseline is compared with: `immediate` with durable commits, the others relaxed. */
export function baselineDurabilityFor(level: DurabilityKind): BaselineDurability {
  return level === 'immediate' ? 'durable' : 'relaxed';
}

export const BASELINE_DURABILITY_LABELS: Record<
  BaselineDurability,
  Record<'sqlite' | 'lmdb', string>
> = {
  durable: { sqlite: 'WAL, synchronous=FULL', lmdb: 'synced commits' },
  relaxed: { sqlite: 'WAL, synchronous=NORMAL', lmdb: 'overlapping sync' },
};

/** A claim store of `engine` in the empty directory `directory`. */
export async function openClaimStore(
  engine: ClaimEngine,
  directory: string,
  level: DurabilityKind,
): Promise<BenchClaimStore> {
  switch (engine) {
    case 'stemedb':
      return StemeClaimStore.open(directory, level);
    case 'sqlite':
      return new SqliteClaimStore(directory, baselineDurabilityFor(level));
    case 'lmdb':
      return new LmdbDirectClaimStore(directory, baselineDurabilityFor(level));
  }
}

/** Makes what a store wrote durable and readable before queries (untimed). */
export async function quiesce(store: BenchClaimStore): Promise<void> {
  await store.settle();
  if (store instanceof StemeClaimStore) await store.flush();
  else if (store instanceof SqliteClaimStore) store.checkpoint();
  else if (store instanceof LmdbDirectClaimStore) await store.flush();
}
