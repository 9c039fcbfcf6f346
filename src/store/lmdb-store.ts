/**
 * `KVStore` on LMDB, through lmdb-js (`lmdb` 3.5.6): the engine behind `store: 'lmdb'`, the
 * alternative to LevelDB (`level-store.ts`), which is the default for a new store
 * (`open-store.ts`).
 *
 * What LMDB offers: its copy-on-write B+tree never overwrites a page that the last committed transaction
 * can reach, and a commit becomes visible only when the meta page that points at the new root is
 * written. With syncing on, every commit is atomic and durable, and after any crash the file holds
 * the last committed transaction whole. The ingestor writes its cursor in the same `write()` as the
 * data it covers, so the cursor can never be ahead of the data. Keys are ordered bytewise and
 * scanned by range, and single reads are lookups in the mapped file. What it costs: each random key
 * copies a B-tree page, so commits grow with the store (at a million claims ingestion ran at a
 * third of its speed on an empty store), and the mapped file counts in the process's resident
 * memory. LevelDB's one weakness, a log recovery that may skip a damaged record in the middle, is
 * guarded by `LevelStore`'s batch markers.
 *
 * The durability knobs, and why:
 * - `overlappingSync: false`. With lmdb-js's default (on), a write's promise resolves when the
 *   transaction is committed and visible, not when it is flushed; durability then needs
 *   `await db.flushed`. Off, each commit runs LMDB's classic path before the promise resolves:
 *   write the dirty pages, fdatasync the data file, write the meta page through an O_DSYNC
 *   descriptor. A syscall trace shows every `write()` resolving only after its fdatasync and
 *   meta write (test/store/lmdb-sync-audit.test.ts). It is also the cheaper of the two for
 *   awaited durable commits (657 ms against 852 ms for 1000, DEPENDENCIES.md Q2), and it is stock
 *   LMDB crash recovery rather than lmdb-js's snapshot fallback. So every commit is durable and
 *   `sync: false` changes nothing here.
 * - Never `noSync` or `noMetaSync`: with them an OS crash can corrupt the file (lmdb-js#132), and
 *   mixing sync flags across opens of one environment is fragile (lmdb-js#140).
 * - `readerCheck()` at open clears reader slots left by dead processes, which would otherwise block
 *   page reuse and grow the file (lmdb-js#14). lmdb-js also runs it inside `open`; we do not rely
 *   on that.
 * - The map starts small and grows (lmdb-js resizes it on demand); there is no `mapSize` cap.
 *
 * LMDB lets several processes write one environment. StemeDB's directory lock, owned by the db
 * layer, is what makes the store single-writer; this class only refuses a second open of the same
 * directory inside one process, which LMDB forbids.
 *
 * Engine facts the code depends on, each pinned by a test (the conformance suite, or for the last
 * one test/store/lmdb-commit-failure.test.ts):
 * - Values are read from the caller's buffer on the write thread at commit time, so `write` hands
 *   LMDB a private copy of each value (all of one write's in one buffer); keys are copied into
 *   lmdb-js's queue synchronously.
 * - An op that throws inside `db.batch` does not undo the ops queued before it, so every op is
 *   checked before the first one is queued.
 * - `get` and range reads return freshly allocated buffers, never views of the map.
 * - An unbounded reverse range stops before the key 0x00, so reverse scans always pass a lower end.
 * - A failed commit rejects with an error whose `commitError` is a second promise holding the
 *   cause; left unhandled it would crash the process, so it is always awaited here.
 *
 * Fail-stop: after an engine error on any call, every later call throws that first error until
 * the store is closed and reopened.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type { RangeOptions, RootDatabase } from 'lmdb';
import { syncDirectory } from '../durability/index.js';
import { ClosedError, FileLockedError, IoError, StemeError } from '../errors.js';
import {
  STORE_COMMIT_ERROR_WAIT_MS,
  STORE_KEY_MAX_BYTES,
  YIELD_EVERY_RECORDS,
} from '../limits.js';
import { resolveKeyRange } from './key-range.js';
import { createStoreDirectory, realStorePath } from './store-directory.js';
import type { KeyRange, ResolvedKeyRange } from './key-range.js';
import { checkWriteOps } from './kv-store.js';
import type { Entry, KVStore, WriteOp, WriteOptions } from './kv-store.js';

type Database = RootDatabase<Uint8Array, Uint8Array>;

/** The lowest key LMDB can hold: the empty key is not allowed. */
const SMALLEST_KEY = new Uint8Array([0x00]);
/** The value LMDB is handed for every empty put; nothing ever writes into it. */
const EMPTY_VALUE = new Uint8Array(0);

/** Directories an `LmdbStore` of this process has open; LMDB forbids opening one twice. */
const openDirectories = new Set<string>();

export class LmdbStore implements KVStore {
  /** The environment directory (absolute): `data.mdb` and `lock.mdb` live in it. */
  readonly path: string;
  readonly #db: Database;
  readonly #writesInFlight = new Set<Promise<void>>();
  readonly #openScans = new Set<() => void>();
  #failure: IoError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(directory: string, db: Database) {
    this.path = directory;
    this.#db = db;
  }

  /**
   * Opens the store in `directory`, creating it (and making its directory entries durable) if it
   * does not exist. Fails with `FILE_LOCKED` if this process already has it open, `IO_ERROR` if
   * the engine cannot open it, `FSYNC_FAILED` if a directory cannot be synced.
   */
  static async open(directory: string): Promise<LmdbStore> {
    const absolute = path.resolve(directory);
    createStoreDirectory(absolute);
    const resolved = realStorePath(absolute);
    if (openDirectories.has(resolved)) throw new FileLockedError(resolved);
    // Claimed before the first await, so two concurrent opens cannot both get the environment.
    openDirectories.add(resolved);
    let db: Database;
    try {
      db = await openEnvironment(resolved);
    } catch (error) {
      openDirectories.delete(resolved);
      throw error;
    }
    const store = new LmdbStore(resolved, db);
    try {
      db.readerCheck();
      // LMDB creates data.mdb and lock.mdb but never syncs their directory entries.
      syncDirectory(resolved);
    } catch (error) {
      await store.close();
      throw error instanceof StemeError
        ? error
        : new IoError(resolved, 'cannot prepare store', { cause: error });
    }
    return store;
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.#checkUsable();
    assert.ok(key instanceof Uint8Array && key.length > 0, 'a store key must be non-empty bytes');
    if (key.length > STORE_KEY_MAX_BYTES) return undefined;
    let value: Uint8Array | undefined;
    try {
      value = this.#db.getBinary(key);
    } catch (error) {
      throw this.#fail(new IoError(this.path, 'read failed', { cause: error }));
    }
    return value === undefined ? undefined : plainArray(value);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(key);
  }

  /** LMDB reads are lookups in the mapped file, cheap enough to do here one by one. */
  async getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return keys.map((key) => this.getSync(key));
  }

  /** Every commit is durable (see the module comment), so `options.sync` changes nothing here. */
  async write(ops: readonly WriteOp[], _options: WriteOptions = {}): Promise<void> {
    this.#checkUsable();
    checkWriteOps(ops);
    if (ops.length === 0) return;
    const committed = this.#commit(ops);
    this.#writesInFlight.add(committed);
    try {
      await committed;
    } finally {
      this.#writesInFlight.delete(committed);
    }
  }

  async *iterate(range: KeyRange = {}): AsyncGenerator<Entry> {
    this.#checkUsable();
    const resolved = resolveKeyRange(range);
    if (resolved.empty) return;
    let iterator: Iterator<{ key: Uint8Array; value: Uint8Array }>;
    try {
      iterator = this.#db.getRange(lmdbRange(resolved))[Symbol.iterator]();
    } catch (error) {
      throw this.#fail(new IoError(this.path, 'cannot start scan', { cause: error }));
    }
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.#openScans.delete(end);
      iterator.return?.();
    };
    this.#openScans.add(end);
    try {
      for (let sinceYield = 1; ; sinceYield++) {
        // close() may have ended the scan while the consumer held this generator suspended.
        this.#checkUsable();
        const step = this.#nextEntry(iterator);
        if (step.done === true) return;
        yield [plainArray(step.value.key), plainArray(step.value.value)];
        if (sinceYield >= YIELD_EVERY_RECORDS) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      end();
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    for (const end of [...this.#openScans]) end();
    await Promise.allSettled([...this.#writesInFlight]);
    try {
      await this.#db.close();
    } catch (error) {
      throw new IoError(this.path, 'close failed', { cause: error });
    } finally {
      openDirectories.delete(this.path);
    }
  }

  /** Queues `ops` as one lmdb-js batch (one transaction) and settles when it is committed. */
  async #commit(ops: readonly WriteOp[]): Promise<void> {
    const values = privateValues(ops);
    let applied: boolean;
    try {
      applied = await this.#db.batch(() => {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i] as WriteOp;
          // Inside a batch these promises are placeholders; the batch's promise is the outcome.
          if (op.type === 'put') ignoreOutcome(this.#db.put(op.key, values[i] as Uint8Array));
          else ignoreOutcome(this.#db.remove(op.key));
        }
      });
    } catch (error) {
      const cause = await engineCause(error);
      throw this.#fail(new IoError(this.path, 'commit failed', { cause }));
    }
    if (applied !== true) {
      throw this.#fail(new IoError(this.path, 'commit reported the batch as not applied'));
    }
  }

  #nextEntry(
    iterator: Iterator<{ key: Uint8Array; value: Uint8Array }>,
  ): IteratorResult<{ key: Uint8Array; value: Uint8Array }> {
    try {
      return iterator.next();
    } catch (error) {
      throw this.#fail(new IoError(this.path, 'scan failed', { cause: error }));
    }
  }

  #checkUsable(): void {
    if (this.#closing !== undefined) throw new ClosedError(`store ${this.path}`);
    if (this.#failure !== undefined) throw this.#failure;
  }

  #fail(error: IoError): IoError {
    this.#failure ??= error;
    return this.#failure;
  }
}

/**
 * lmdb-js, loaded on the first open: importing it maps its native library and allocates its
 * buffers (about 12 MiB resident on Node 20), which a process whose stores are all LevelDB
 * should not carry.
 */
let lmdbModule: Promise<typeof import('lmdb')> | undefined;

async function openEnvironment(directory: string): Promise<Database> {
  let openLmdb: (typeof import('lmdb'))['open'];
  try {
    ({ open: openLmdb } = await (lmdbModule ??= import('lmdb')));
  } catch (error) {
    lmdbModule = undefined;
    throw new IoError(directory, 'cannot load the LMDB engine (lmdb)', { cause: error });
  }
  try {
    return openLmdb<Uint8Array, Uint8Array>(directory, {
      encoding: 'binary',
      keyEncoding: 'binary',
      noSubdir: false,
      overlappingSync: false,
      noSync: false,
      noMetaSync: false,
      useWritemap: false,
    });
  } catch (error) {
    throw new IoError(directory, 'cannot open LMDB environment', { cause: error });
  }
}

/**
 * The lmdb-js range for `[lower, upper)`. Reverse scans start at `upper` exclusive and always name
 * their lower end inclusively, because lmdb-js's own default lower end excludes the key 0x00;
 * nothing sorts below 0x00 except the empty key, which LMDB cannot hold.
 */
function lmdbRange(range: ResolvedKeyRange): RangeOptions {
  const limit = Number.isFinite(range.limit) ? { limit: range.limit } : {};
  if (!range.reverse) {
    return {
      snapshot: true,
      ...limit,
      ...(range.lower === undefined ? {} : { start: range.lower }),
      ...(range.upper === undefined ? {} : { end: range.upper }),
    };
  }
  return {
    snapshot: true,
    reverse: true,
    ...limit,
    ...(range.upper === undefined ? {} : { start: range.upper, exclusiveStart: true }),
    end: range.lower ?? SMALLEST_KEY,
    inclusiveEnd: true,
  };
}

/**
 * A plain `Uint8Array` over the same memory. lmdb-js returns freshly allocated `Buffer`s; a
 * `Buffer`'s `slice` is a view where a `Uint8Array`'s is a copy, so callers get the standard type.
 */
function plainArray(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * A private copy of every put's value, by op index (deletes get `EMPTY_VALUE`), which LMDB may
 * read on its write thread at commit time while the caller reuses its buffers. All of them live
 * in one allocation, because V8 gives every typed array over 64 bytes its own off-heap buffer,
 * which costs about a microsecond each at ingestion rates. Empty values share one empty array.
 */
function privateValues(ops: readonly WriteOp[]): Uint8Array[] {
  let total = 0;
  for (const op of ops) if (op.type === 'put') total += op.value.length;
  const slab = new Uint8Array(total);
  const values = new Array<Uint8Array>(ops.length);
  let used = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as WriteOp;
    if (op.type !== 'put' || op.value.length === 0) {
      values[i] = EMPTY_VALUE;
      continue;
    }
    slab.set(op.value, used);
    values[i] = slab.subarray(used, used + op.value.length);
    used += op.value.length;
  }
  return values;
}

function ignoreOutcome(promise: Promise<unknown>): void {
  promise.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * The engine's reason for a failed commit. lmdb-js rejects with a generic error whose
 * `commitError` promise rejects with the real one (errno as a number) once its write thread
 * reports it; that promise must be handled or it becomes an unhandled rejection.
 */
async function engineCause(error: unknown): Promise<unknown> {
  const details = (error as { commitError?: unknown } | undefined)?.commitError;
  if (!(details instanceof Promise)) return error;
  let timer: NodeJS.Timeout | undefined;
  const reason = await Promise.race([
    details.then(
      () => error,
      (reason: unknown) => reason,
    ),
    new Promise<unknown>((resolve) => {
      timer = setTimeout(() => resolve(error), STORE_COMMIT_ERROR_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
  return withSymbolicErrno(reason);
}

/** Gives an engine error with a numeric errno the symbolic `code` (`EIO`) that `IoError` reads. */
function withSymbolicErrno(reason: unknown): unknown {
  const code = (reason as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'number' || !(reason instanceof Error)) return reason;
  const name = Object.entries(os.constants.errno).find(([, value]) => value === code)?.[0];
  if (name === undefined) return reason;
  return Object.assign(new Error(`${name}: ${reason.message}`, { cause: reason }), { code: name });
}
