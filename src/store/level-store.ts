/**
 * `KVStore` on LevelDB, through classic-level (3.x): the default engine of a new store, and the
 * one behind `store: 'leveldb'` (`open-store.ts` says why it is the default).
 *
 * What LevelDB offers: a log-structured merge tree turns the ingestor's random keys (content hashes, and
 * subject index entries scattered over every subject) into sequential writes: a batch is appended
 * to LevelDB's own log and sorted in memory, and tables are written whole in the background. A
 * B-tree (LMDB) instead copies a random page per key, so its commits grow with the store; at a
 * million claims LevelDB took batches of the same keys several times faster, and far less of the
 * store stays resident in the process (README, "Benchmarks"). What it costs: each read and each
 * scan step goes through more layers (a scan is a round trip to a worker thread), so reads and
 * scans are slower than LMDB's. Scans are ordered bytewise and read from an implicit snapshot.
 *
 * Durability: a `write` with `sync` (the default) appends its batch to LevelDB's log and
 * fdatasyncs that log before the promise resolves; a batch is one log record, applied whole or
 * not at all after a crash. LevelDB creates a directory's files itself; we sync the directory
 * after open as well.
 *
 * The one LevelDB behaviour the store must guard against: when its log recovery meets a damaged
 * record in the middle of the log it reports it, skips it and goes on (classic-level does not
 * expose `paranoid_checks`). A later batch, carrying the ingestor's cursor, could then be applied
 * without an earlier one: the cursor would be ahead of the data. Every engine write therefore also
 * carries a *batch marker* in a key space of its own (see `BatchMarkers`), and `open` proves from
 * the markers that no committed batch is missing before the last one it finds. If one is, open
 * fails with `CORRUPTION`; the store is derived data, and the owner rebuilds it from the journal.
 *
 * Key spaces inside the engine: every caller key is stored behind the byte `DATA_SPACE`, every
 * marker behind `MARKER_SPACE`, so a scan of the caller's keys can never see a marker.
 *
 * No empty value ever reaches the engine (see `storedValue`): classic-level 3.0.0 leaks the native
 * copy it makes of every empty key or value it is handed. Its `DisposeSliceBuffer` frees a copy
 * only when the slice is non-empty, but `new char[0]` is still an allocation (a 32-byte malloc
 * chunk). Every claim puts two empty index values (`S:`, `SP:`), so the process heap grew by about
 * 64 bytes per claim for as long as the store stayed open: measured with LevelDB used directly,
 * 800,000 claims left 61 MB of native heap with empty values and 10 MB with one-byte values, and
 * heaptrack attributed the difference to `batch_put`.
 *
 * Ordering: `write` calls are applied in call order. Writes issued while an engine write is in
 * flight are merged into the next engine batch (one log record, one fdatasync); each caller's ops
 * stay whole and in order inside it.
 *
 * Fail-stop: after an engine error on any call, every later call throws that first error until
 * the store is closed and reopened.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import util from 'node:util';
import { ClassicLevel } from 'classic-level';
import { syncDirectory } from '../durability/index.js';
import { ClosedError, CorruptionError, FileLockedError, IoError, StemeError } from '../errors.js';
import { STORE_KEY_MAX_BYTES, YIELD_EVERY_RECORDS } from '../limits.js';
import { resolveKeyRange } from './key-range.js';
import type { KeyRange } from './key-range.js';
import { checkWriteOps } from './kv-store.js';
import type { Entry, KVStore, WriteOp, WriteOptions } from './kv-store.js';
import { createStoreDirectory, realStorePath } from './store-directory.js';

type Database = ClassicLevel<Uint8Array, Uint8Array>;
type EngineBatch = ReturnType<Database['batch']>;

/** The byte in front of every caller key inside the engine. */
const DATA_SPACE = 0x01;
/** The byte in front of every batch marker: `MARKER_SPACE` + the batch number, 8 bytes big-endian. */
const MARKER_SPACE = 0x00;
const MARKER_KEY_BYTES = 9;
/** The value of every batch marker; only marker keys are ever read. Not empty: see the module comment. */
const MARKER_VALUE = new Uint8Array([0x01]);
/**
 * The first byte of a stored value that `storedValue` escaped: the engine holds an empty caller
 * value as this byte alone, and a caller value that begins with it behind one more of it.
 */
const ESCAPE = 0xff;
const STORED_EMPTY = new Uint8Array([ESCAPE]);
/** Entries fetched from the engine per round trip of a scan. */
const SCAN_CHUNK_ENTRIES = 1024;
/** Bytes a scan chunk may hold before the engine stops filling it (classic-level's knob). */
const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Engine keys one write builds in the store's reused buffer; a write with more gets its own. */
const KEY_BUFFER_MAX_BYTES = 1024 * 1024;
const KEY_BUFFER_INITIAL_BYTES = 64 * 1024;

interface QueuedWrite {
  readonly ops: readonly WriteOp[];
  readonly sync: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class LevelStore implements KVStore {
  /** The LevelDB directory (absolute). */
  readonly path: string;
  readonly #db: Database;
  readonly #markers: BatchMarkers;
  readonly #openScans = new Set<() => Promise<void>>();
  #queue: QueuedWrite[] = [];
  /**
   * Where `#writeGroup` builds a write's engine keys, reused by every write: the chained batch
   * copies each key as it is put (see `DataKeys`), so the buffer is free again once the batch is
   * built, before its write is even started.
   */
  #keyBuffer = new Uint8Array(KEY_BUFFER_INITIAL_BYTES);
  #draining: Promise<void> | undefined;
  #failure: StemeError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(directory: string, db: Database, lastBatch: bigint) {
    this.path = directory;
    this.#db = db;
    this.#markers = new BatchMarkers(lastBatch);
  }

  /**
   * Opens the store in `directory`, creating it (and making its directory entries durable) if it
   * does not exist. Fails with `FILE_LOCKED` if a process (this one included) has it open,
   * `CORRUPTION` if the engine lost a committed batch before its last one (rebuild the store),
   * `IO_ERROR` if the engine cannot open it, `FSYNC_FAILED` if a directory cannot be synced.
   */
  static async open(directory: string): Promise<LevelStore> {
    const absolute = path.resolve(directory);
    createStoreDirectory(absolute);
    const resolved = realStorePath(absolute);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(resolved, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      createIfMissing: true,
    });
    try {
      await db.open();
    } catch (error) {
      if (isLockedError(error)) throw new FileLockedError(resolved);
      throw new IoError(resolved, 'cannot open LevelDB store', { cause: withSymbolicErrno(error) });
    }
    try {
      // LevelDB creates CURRENT, LOCK, the log and the manifest; make their entries durable.
      syncDirectory(resolved);
      const lastBatch = await readLastBatch(db, resolved);
      return new LevelStore(resolved, db, lastBatch);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error instanceof StemeError
        ? error
        : new IoError(resolved, 'cannot prepare store', { cause: error });
    }
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.#checkUsable();
    assert.ok(key instanceof Uint8Array && key.length > 0, 'a store key must be non-empty bytes');
    if (key.length > STORE_KEY_MAX_BYTES) return undefined;
    let value: Uint8Array | undefined;
    try {
      value = this.#db.getSync(dataKey(key));
    } catch (error) {
      throw this.#fail(new IoError(this.path, 'read failed', { cause: withSymbolicErrno(error) }));
    }
    return value === undefined ? undefined : callerValue(value);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(key);
  }

  /** One engine call that reads every key on a worker thread: the event loop stays free. */
  async getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    this.#checkUsable();
    const storable: Uint8Array[] = [];
    const positions: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Uint8Array;
      assert.ok(key instanceof Uint8Array && key.length > 0, 'a store key must be non-empty bytes');
      if (key.length > STORE_KEY_MAX_BYTES) continue;
      storable.push(dataKey(key));
      positions.push(i);
    }
    const values = new Array<Uint8Array | undefined>(keys.length).fill(undefined);
    if (storable.length === 0) return values;
    let found: Array<Uint8Array | undefined>;
    try {
      found = await this.#db.getMany(storable);
    } catch (error) {
      this.#checkUsable();
      throw this.#fail(new IoError(this.path, 'read failed', { cause: withSymbolicErrno(error) }));
    }
    for (let i = 0; i < found.length; i++) {
      const value = found[i];
      if (value !== undefined) values[positions[i] as number] = callerValue(value);
    }
    return values;
  }

  write(ops: readonly WriteOp[], options: WriteOptions = {}): Promise<void> {
    try {
      this.#checkUsable();
      checkWriteOps(ops);
    } catch (error) {
      return Promise.reject(error);
    }
    if (ops.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ ops, sync: options.sync ?? true, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  async *iterate(range: KeyRange = {}): AsyncGenerator<Entry> {
    this.#checkUsable();
    const resolved = resolveKeyRange(range);
    if (resolved.empty) return;
    const iterator = this.#db.iterator({
      gte: resolved.lower === undefined ? new Uint8Array([DATA_SPACE]) : dataKey(resolved.lower),
      lt: resolved.upper === undefined ? new Uint8Array([DATA_SPACE + 1]) : dataKey(resolved.upper),
      reverse: resolved.reverse,
      ...(Number.isFinite(resolved.limit) ? { limit: resolved.limit } : {}),
      highWaterMarkBytes: SCAN_CHUNK_BYTES,
    });
    let ended = false;
    const end = async (): Promise<void> => {
      if (ended) return;
      ended = true;
      this.#openScans.delete(end);
      await iterator.close().catch(() => undefined);
    };
    this.#openScans.add(end);
    try {
      let sinceYield = 0;
      for (;;) {
        let chunk: Array<[Uint8Array, Uint8Array]>;
        try {
          chunk = await iterator.nextv(SCAN_CHUNK_ENTRIES);
        } catch (error) {
          // close() ends open scans; the engine then reports the iterator as closed.
          this.#checkUsable();
          throw this.#fail(new IoError(this.path, 'scan failed', { cause: withSymbolicErrno(error) }));
        }
        if (chunk.length === 0) return;
        for (const [key, value] of chunk) {
          // close() may have ended the scan while the consumer held this generator suspended.
          this.#checkUsable();
          yield [plainArray(key).subarray(1), callerValue(value)];
        }
        sinceYield += chunk.length;
        if (sinceYield >= YIELD_EVERY_RECORDS) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      await end();
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    await Promise.allSettled([...this.#openScans].map((end) => end()));
    await this.#draining;
    try {
      await this.#db.close();
    } catch (error) {
      throw new IoError(this.path, 'close failed', { cause: error });
    }
  }

  /** Writes queued batches, every batch queued meanwhile merged into one engine write. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      if (this.#failure !== undefined) {
        for (const queued of group) queued.reject(this.#failure);
        continue;
      }
      try {
        await this.#writeGroup(group);
        for (const queued of group) queued.resolve();
      } catch (error) {
        const failure = this.#fail(new IoError(this.path, 'commit failed', {
          cause: withSymbolicErrno(error),
        }));
        for (const queued of group) queued.reject(failure);
      }
    }
    this.#draining = undefined;
  }

  /** One engine batch: every op of `group` in order, then this batch's marker. */
  async #writeGroup(group: readonly QueuedWrite[]): Promise<void> {
    const batch: EngineBatch = this.#db.batch();
    let sync = false;
    try {
      const keys = new DataKeys(this.#keyBufferFor(keyBytesOf(group)));
      for (const queued of group) {
        sync ||= queued.sync;
        for (const op of queued.ops) {
          if (op.type === 'put') batch.put(keys.next(op.key), storedValue(op.value));
          else batch.del(keys.next(op.key));
        }
      }
      this.#markers.addTo(batch);
    } catch (error) {
      await batch.close();
      throw error;
    }
    // The chained batch holds its own copies of keys and values from here on.
    await batch.write({ sync });
    this.#markers.committed();
  }

  /** The reused key buffer if `bytes` fit under its cap (grown to fit), else one of its own. */
  #keyBufferFor(bytes: number): Uint8Array {
    if (bytes > KEY_BUFFER_MAX_BYTES) return new Uint8Array(bytes);
    if (this.#keyBuffer.length < bytes) {
      const grown = Math.max(bytes, 2 * this.#keyBuffer.length);
      this.#keyBuffer = new Uint8Array(Math.min(KEY_BUFFER_MAX_BYTES, grown));
    }
    return this.#keyBuffer;
  }

  #checkUsable(): void {
    if (this.#closing !== undefined) throw new ClosedError(`store ${this.path}`);
    if (this.#failure !== undefined) throw this.#failure;
  }

  #fail(error: StemeError): StemeError {
    this.#failure ??= error;
    return this.#failure;
  }
}

/**
 * Batch markers: proof at open that LevelDB applied every committed batch up to its last one.
 *
 * Batch `n` (numbered from 1) puts marker `n` and deletes marker `n - 1`; batch 1 also puts
 * marker 0, which nothing deletes. So when every batch `1..m` survives, exactly the markers
 * `{0, m}` exist. If LevelDB's recovery skipped a run of batches `a..b` with `b < m`:
 * - with `a > 1`, marker `a - 1` survives (batch `a`, which deleted it, is gone) beside marker
 *   `m`: three markers;
 * - with `a = 1`, marker 0 is gone (batch 1 wrote it) while marker `m` is there.
 * Either way the set is not `{0, m}`, and `open` refuses the store. Losing a tail of batches
 * (`b = m`) leaves a consistent store: the ingestor's cursor went back with them.
 */
class BatchMarkers {
  #last: bigint;

  constructor(last: bigint) {
    this.#last = last;
  }

  addTo(batch: EngineBatch): void {
    const next = this.#last + 1n;
    if (next === 1n) batch.put(markerKey(0n), MARKER_VALUE);
    else batch.del(markerKey(this.#last));
    batch.put(markerKey(next), MARKER_VALUE);
  }

  committed(): void {
    this.#last += 1n;
  }
}

/** The last batch number the markers in `db` prove complete; throws `CORRUPTION` otherwise. */
async function readLastBatch(db: Database, directory: string): Promise<bigint> {
  const markers: bigint[] = [];
  for await (const key of db.keys({
    gte: new Uint8Array([MARKER_SPACE]),
    lt: new Uint8Array([MARKER_SPACE + 1]),
    limit: 4,
  })) {
    if (key.length !== MARKER_KEY_BYTES) {
      throw new CorruptionError(directory, 0, `malformed batch marker of ${key.length} bytes`);
    }
    markers.push(Buffer.from(key.buffer, key.byteOffset, key.length).readBigUInt64BE(1));
  }
  if (markers.length === 0) {
    // A store that never committed a batch, or one with data but no markers: the latter is not
    // a store this class wrote.
    for await (const _ of db.keys({ limit: 1 })) {
      throw new CorruptionError(directory, 0, 'store holds data but no batch markers');
    }
    return 0n;
  }
  const last = markers.at(-1) ?? 0n;
  if (markers.length !== 2 || markers[0] !== 0n || last < 1n) {
    throw new CorruptionError(
      directory,
      0,
      `LevelDB lost a committed batch before its last one (markers ${markers.join(', ')}); ` +
        'the store must be rebuilt from the journal',
    );
  }
  return last;
}

/**
 * The engine keys of one group's ops, in op order, carved from one buffer of at least
 * `keyBytesOf(group)` bytes. A key of its own per op would be a small typed array on the V8 heap,
 * which the binding first moves off the heap (an ArrayBuffer and an allocation each): three per
 * claim, most of what a group allocated. The chained batch copies each key as it is added, so
 * the buffer need only outlive that loop, and the store reuses it for the next write.
 */
class DataKeys {
  readonly #bytes: Uint8Array;
  #used = 0;

  constructor(buffer: Uint8Array) {
    this.#bytes = buffer;
  }

  /** `dataKey(key)`, for the next op of the group. */
  next(key: Uint8Array): Uint8Array {
    const start = this.#used;
    this.#bytes[start] = DATA_SPACE;
    this.#bytes.set(key, start + 1);
    this.#used = start + key.length + 1;
    return this.#bytes.subarray(start, this.#used);
  }
}

/** Bytes of the engine keys of `group`'s ops: each caller key behind `DATA_SPACE`. */
function keyBytesOf(group: readonly QueuedWrite[]): number {
  let total = 0;
  for (const queued of group) for (const op of queued.ops) total += op.key.length + 1;
  return total;
}

function dataKey(key: Uint8Array): Uint8Array {
  const stored = new Uint8Array(key.length + 1);
  stored[0] = DATA_SPACE;
  stored.set(key, 1);
  return stored;
}

/**
 * What the engine holds for a caller's `value`: never empty. An empty value becomes `ESCAPE`
 * alone, a value that begins with `ESCAPE` gains one more in front, any other value is stored as
 * it is (no copy: the chained batch copies it). `callerValue` inverts it.
 */
function storedValue(value: Uint8Array): Uint8Array {
  if (value.length === 0) return STORED_EMPTY;
  if (value[0] !== ESCAPE) return value;
  const stored = new Uint8Array(value.length + 1);
  stored[0] = ESCAPE;
  stored.set(value, 1);
  return stored;
}

/**
 * The caller's value for what the engine holds, as a plain `Uint8Array` the caller owns (the
 * engine's buffer is fresh for each read). Stores written before values were escaped hold empty
 * values as they are, which read back unchanged; none of their values begins with `ESCAPE`, as
 * no StemeDB value does: records begin with their type byte, counters and cursors are u64
 * big-endian below 2^53, `Q:` entries with a u32 length, and text is UTF-8, which never holds 0xff.
 */
function callerValue(stored: Uint8Array): Uint8Array {
  const value = plainArray(stored);
  return value.length > 0 && value[0] === ESCAPE ? value.subarray(1) : value;
}

function markerKey(batch: bigint): Uint8Array {
  const key = Buffer.alloc(MARKER_KEY_BYTES);
  key[0] = MARKER_SPACE;
  key.writeBigUInt64BE(batch, 1);
  return new Uint8Array(key.buffer, key.byteOffset, key.length);
}

/** A plain `Uint8Array` over the same memory (classic-level hands out `Buffer`s). */
function plainArray(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * LevelDB reports an OS error as text ("IO error: 000005.log: File too large"), under the code
 * `LEVEL_IO_ERROR`. Gives it the symbolic errno (`EFBIG`) that `IoError` reads, found by the
 * system's message for each errno; glibc and libuv spell EIO differently, so that one is listed.
 */
function withSymbolicErrno(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const text = error.message.toLowerCase();
  // The longest message that matches, so a short one inside a longer one cannot win.
  let name: string | undefined;
  let matched = 0;
  for (const [errno, message] of util.getSystemErrorMap().values()) {
    if (message.length > matched && text.includes(message.toLowerCase())) {
      name = errno;
      matched = message.length;
    }
  }
  name ??= text.includes('input/output error') ? 'EIO' : undefined;
  if (name === undefined) return error;
  return Object.assign(new Error(`${name}: ${error.message}`, { cause: error }), { code: name });
}

/** classic-level reports a held LevelDB LOCK as `LEVEL_LOCKED`, directly or as the cause. */
function isLockedError(error: unknown): boolean {
  for (let current = error; current !== undefined && current !== null; ) {
    if ((current as { code?: unknown }).code === 'LEVEL_LOCKED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
