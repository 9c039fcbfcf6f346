/**
 * The on-disk layout of a database and the order its parts open in.
 *
 *   <dir>/LOCK              the one OS lock for the whole directory (journal and store included)
 *   <dir>/journal/          segments (`*.wal`), `quarantine/`, and `IDENTITY` (journal-identity.ts)
 *   <dir>/store/            the store the ingestor derives from the journal (LMDB or LevelDB)
 *
 * Open order: create the directory, take the lock, create `journal/` and its identity, find
 * which engine the store runs on (it sets how far writers may run ahead of the ingestor, and so
 * how much of its tail the journal keeps in memory for the ingestor), recover the journal, open
 * the store (replacing it when it cannot serve: see `openStore`), open the
 * ingestor (which rebuilds the store if it does not match the journal), and apply what the journal
 * holds past the store's cursor, so that records acknowledged before a crash are readable once
 * open resolves. A failure closes whatever was opened, in reverse order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lockDirectory, syncDirectory } from '../durability/index.js';
import type { FileLock } from '../durability/index.js';
import { InvalidArgumentError, IoError } from '../errors.js';
import { Ingestor } from '../ingest/index.js';
import type { IngestorOptions } from '../ingest/index.js';
import { Journal } from '../journal/index.js';
import type { JournalOptions } from '../journal/index.js';
import { DB_UNINGESTED_MAX_BYTES, DB_UNINGESTED_MAX_RECORDS } from '../limits.js';
import { checkStoreEngine, openStore, storeEngineFor } from '../store/index.js';
import type { KVStore, StoreDiscardReason, StoreEngine } from '../store/index.js';
import type { StemeDBOptions } from './db-types.js';
import { readOrCreateJournalIdentity } from './journal-identity.js';
import { ingestHooksForTesting } from './test-hooks.js';
import { UningestedRecords } from './uningested-records.js';
import type { UningestedBounds } from './write-path.js';

export const JOURNAL_DIRECTORY = 'journal';
export const STORE_DIRECTORY = 'store';

export interface OpenedDatabase {
  readonly directory: string;
  readonly journalDirectory: string;
  readonly lock: FileLock;
  readonly journal: Journal;
  readonly store: KVStore;
  readonly storeEngine: StoreEngine;
  /** Why the store directory was replaced by an empty one at open, if it was. */
  readonly storeDiscarded: StoreDiscardReason | undefined;
  readonly ingestor: Ingestor;
  readonly uningested: UningestedRecords;
  /** How far writers may run ahead of the ingestor, for the store's engine. */
  readonly uningestedBounds: UningestedBounds;
  readonly requireSignatures: boolean;
}

export async function openDatabase(dir: string, options: StemeDBOptions): Promise<OpenedDatabase> {
  checkOptions(options);
  const directory = path.resolve(dir);
  ensureDirectory(directory);
  const lock = lockDirectory(directory);
  const cleanup: Array<() => Promise<void>> = [async () => lock.close()];
  try {
    const journalDirectory = path.join(directory, JOURNAL_DIRECTORY);
    ensureDirectory(journalDirectory);
    const journalId = readOrCreateJournalIdentity(journalDirectory);
    const storeDirectory = path.join(directory, STORE_DIRECTORY);
    const engine = storeEngineFor(storeDirectory, options.store);
    const uningestedBounds = uningestedBoundsFor(engine);
    // Writers wait once this much is unapplied, so a journal keeping that much of its tail in
    // memory serves the ingestor from there; a record it no longer holds is read from the file.
    const recentBounds = {
      maxRecords: uningestedBounds.records,
      maxBytes: uningestedBounds.bytes,
    };
    const journal = await Journal.open(journalDirectory, {
      ...journalOptions(options),
      recentBounds,
    });
    cleanup.push(() => journal.close());
    const opened = await openStore(storeDirectory, engine);
    const { store } = opened;
    cleanup.push(() => store.close());
    const uningested = new UningestedRecords();
    const hooks = ingestHooksForTesting();
    const ingestorOptions: IngestorOptions = {
      journalId,
      onApplied: (cursor) => uningested.trim(cursor),
      ...(hooks === undefined ? {} : { hooks }),
    };
    const ingestor = await Ingestor.open(journal, store, ingestorOptions);
    cleanup.push(() => ingestor.close());
    // Records acknowledged before a crash may not be applied yet; `get` must see them at once.
    await ingestor.processPending();
    const requireSignatures = options.requireSignatures ?? false;
    return {
      directory,
      journalDirectory,
      lock,
      journal,
      store,
      storeEngine: opened.engine,
      storeDiscarded: opened.discarded,
      ingestor,
      uningested,
      uningestedBounds,
      requireSignatures,
    };
  } catch (error) {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

function uningestedBoundsFor(engine: StoreEngine): UningestedBounds {
  return { records: DB_UNINGESTED_MAX_RECORDS[engine], bytes: DB_UNINGESTED_MAX_BYTES[engine] };
}

function journalOptions(options: StemeDBOptions): JournalOptions {
  // The database's lock covers the journal directory.
  const result: JournalOptions = { lock: false };
  if (options.durability !== undefined) result.durability = options.durability;
  if (options.maxSegmentBytes !== undefined) result.maxSegmentBytes = options.maxSegmentBytes;
  if (options.repair !== undefined) result.repair = options.repair;
  if (options.fullScan !== undefined) result.fullScan = options.fullScan;
  return result;
}

function checkOptions(options: StemeDBOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('must be an object', 'options');
  }
  for (const name of ['repair', 'fullScan', 'requireSignatures'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidArgumentError('must be a boolean', name);
    }
  }
  if (options.store !== undefined) checkStoreEngine(options.store, 'store');
}

/**
 * `mkdir -p`, making each directory's entry durable in its parent. The entry of `directory`
 * itself is synced on every open, not only when this call made it: the open that made it may have
 * died, or failed on that very sync, before the entry was durable.
 */
function ensureDirectory(directory: string): void {
  createDirectory(directory);
  syncDirectory(path.dirname(directory));
}

/** `mkdir -p` of `directory`; each ancestor it makes has its entry synced in its own parent. */
function createDirectory(directory: string): void {
  if (fs.existsSync(directory)) return;
  const parent = path.dirname(directory);
  if (!fs.existsSync(parent)) {
    createDirectory(parent);
    syncDirectory(path.dirname(parent));
  }
  try {
    fs.mkdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new IoError(directory, 'cannot create directory', { cause: error });
    }
  }
}
