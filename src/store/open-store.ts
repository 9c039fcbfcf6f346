/**
 * The store engines a database can run on, and how a database's store directory is opened.
 *
 * The store is derived data: the ingestor can rebuild it from the journal at any time. So a store
 * directory that cannot serve (another engine's files, or a LevelDB store whose batch markers show
 * a lost batch) is moved aside and replaced by an empty store, which the ingestor then refills.
 * The caller learns why through `OpenedStore.discarded`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { syncDirectory } from '../durability/index.js';
import { IoError, InvalidArgumentError, StemeError } from '../errors.js';
import type { KVStore } from './kv-store.js';
import { LevelStore } from './level-store.js';
import { LmdbStore } from './lmdb-store.js';

export const STORE_ENGINES = ['leveldb', 'lmdb'] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/**
 * The engine of a new store when none is asked for. LevelDB: it ingests faster than LMDB here and
 * keeps one rate as the store grows, where LMDB slows down, and it keeps far less of the store
 * resident (LMDB's mapped pages count as the process's memory). LMDB's scans are faster (README,
 * "Benchmarks"): the choice for read-heavy stores that fit in memory. An existing store keeps
 * its engine unless another is asked for (`openStore`).
 */
export const DEFAULT_STORE_ENGINE: StoreEngine = 'leveldb';

/** Why an existing store directory was replaced by an empty one. */
export const STORE_DISCARD_REASONS = ['engine-changed', 'store-damaged'] as const;
export type StoreDiscardReason = (typeof STORE_DISCARD_REASONS)[number];

export interface OpenedStore {
  readonly store: KVStore;
  readonly engine: StoreEngine;
  /** Set when the directory held a store that could not be used and was replaced. */
  readonly discarded: StoreDiscardReason | undefined;
}

/** Files that identify each engine's directory. */
const ENGINE_SIGNATURES: Record<StoreEngine, string> = {
  leveldb: 'CURRENT',
  lmdb: 'data.mdb',
};

export function checkStoreEngine(value: unknown, name = 'store'): StoreEngine {
  if (typeof value === 'string' && (STORE_ENGINES as readonly string[]).includes(value)) {
    return value as StoreEngine;
  }
  throw new InvalidArgumentError(`must be one of ${STORE_ENGINES.join(', ')}`, name);
}

/**
 * The engine `openStore(directory, requested)` opens: `requested` if given, else the engine of the
 * store already in `directory`, else `DEFAULT_STORE_ENGINE`. Only looks at which files it holds.
 */
export function storeEngineFor(directory: string, requested?: StoreEngine): StoreEngine {
  return requested ?? engineIn(directory) ?? DEFAULT_STORE_ENGINE;
}

/**
 * Opens (creating or replacing as described above) the store kept in `directory`. With `requested`
 * it is that engine's store; without, it is the engine already there, or `DEFAULT_STORE_ENGINE`
 * for a new store, so that a change of default never rebuilds an existing store.
 */
export async function openStore(
  directory: string,
  requested?: StoreEngine,
): Promise<OpenedStore> {
  removeLeftover(asideOf(directory));
  let discarded: StoreDiscardReason | undefined;
  const found = engineIn(directory);
  const engine = storeEngineFor(directory, requested);
  if (found !== undefined && found !== engine) {
    discardDirectory(directory);
    discarded = 'engine-changed';
  }
  try {
    return { store: await openEngine(directory, engine), engine, discarded };
  } catch (error) {
    if (!(error instanceof StemeError) || error.code !== 'CORRUPTION' || engine !== 'leveldb') {
      throw error;
    }
  }
  discardDirectory(directory);
  return { store: await openEngine(directory, engine), engine, discarded: 'store-damaged' };
}

function openEngine(directory: string, engine: StoreEngine): Promise<KVStore> {
  return engine === 'leveldb' ? LevelStore.open(directory) : LmdbStore.open(directory);
}

/** The engine whose files `directory` holds, if any. */
function engineIn(directory: string): StoreEngine | undefined {
  for (const engine of STORE_ENGINES) {
    if (fs.existsSync(path.join(directory, ENGINE_SIGNATURES[engine]))) return engine;
  }
  return undefined;
}

/**
 * Removes `directory` crash-safely: renamed aside first (durably), so a crash part-way through
 * the removal leaves either the whole old store or none of it under the store's name.
 */
function discardDirectory(directory: string): void {
  const parent = path.dirname(directory);
  const aside = asideOf(directory);
  try {
    fs.renameSync(directory, aside);
    syncDirectory(parent);
    fs.rmSync(aside, { recursive: true, force: true });
    syncDirectory(parent);
  } catch (error) {
    if (error instanceof StemeError) throw error;
    throw new IoError(directory, 'cannot discard the unusable store', { cause: error });
  }
}

function asideOf(directory: string): string {
  return path.join(path.dirname(directory), `${path.basename(directory)}.discarded`);
}

/** A discarded store whose removal a crash interrupted. */
function removeLeftover(aside: string): void {
  if (!fs.existsSync(aside)) return;
  try {
    fs.rmSync(aside, { recursive: true, force: true });
  } catch (error) {
    throw new IoError(aside, 'cannot remove a discarded store', { cause: error });
  }
  syncDirectory(path.dirname(aside));
}
