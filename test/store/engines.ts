/**
 * The store engines the store-level crash, audit and failure tests run against, opened by the
 * engine's own class: a store that cannot serve must fail the test, never be replaced quietly.
 */
import { LevelStore, LmdbStore, STORE_ENGINES } from '../../src/store/index.js';
import type { KVStore, StoreEngine } from '../../src/store/index.js';

export const TESTED_ENGINES = STORE_ENGINES;

export function openEngineStore(engine: StoreEngine, directory: string): Promise<KVStore> {
  return engine === 'leveldb' ? LevelStore.open(directory) : LmdbStore.open(directory);
}

/** The engine named by a child's command-line argument. */
export function engineArgument(value: string | undefined): StoreEngine {
  const engine = STORE_ENGINES.find((name) => name === value);
  if (engine === undefined) throw new Error(`unknown store engine ${String(value)}`);
  return engine;
}
