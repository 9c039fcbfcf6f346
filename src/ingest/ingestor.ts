/**
 * The ingestor: tails the journal and folds it into the store (SPEC §6).
 *
 * Contract:
 * - It follows the log from the cursor at `META:ingest.cursor` (`follow`, woken by appends; no
 *   polling) and applies each run of records together with the new cursor and counters in one
 *   `KVStore.write`. So the store is always the fold of a prefix of the log, and after any crash it
 *   resumes at its cursor with nothing skipped and nothing applied twice.
 * - The stored cursor never exceeds the log's end. At open the store is rebuilt from the log when
 *   its cursor is beyond the log's end (a power loss took a tail of the log that the store had
 *   already seen), when it was derived from another log (its `journalId` differs), or when a
 *   rebuild was interrupted.
 * - A store failure stops it: `failure` is set and every waiting or later `waitForIngest` and
 *   `processPending` rejects with that `IngestFailedError` until the owner reopens.
 * - It depends only on the `RecordLog` and `KVStore` interfaces, so a replicated log or another
 *   engine can stand behind it.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ClosedError, InvalidArgumentError } from '../errors.js';
import type { JournalRecord, RecordLog } from '../journal/index.js';
import { kindPrefix, parseHashKey } from '../store/index.js';
import type { KVStore } from '../store/index.js';
import {
  INGEST_FILTER_MIN_ADDRESSES,
  INGEST_KEY_SLAB_BYTES,
  INGEST_KEY_SLAB_MAX_KEY_BYTES,
  INGEST_PREFETCH_RECORDS,
} from '../limits.js';
import { SlabAllocator } from '../records/index.js';
import type { AddressFilter } from './address-filter.js';
import { applyPrepared, prepareRecord } from './apply-record.js';
import type { Lookup, PreparedRecord } from './apply-record.js';
import { IngestBatch } from './ingest-batch.js';
import { IngestFailedError, StoreCorruptionError } from './ingest-errors.js';
import {
  COUNTER_KEYS,
  COUNTER_KINDS,
  CURSOR_KEY,
  JOURNAL_ID_KEY,
  REBUILDING_KEY,
  decodeText,
  decodeU64,
  zeroCounters,
} from './ingest-meta.js';
import type { Counters } from './ingest-meta.js';
import { clearStore } from './clear-store.js';
import { KnownAddresses } from './known-addresses.js';

/** Where a batch stands, for the test hooks. */
export interface BatchInfo {
  /** 1 for the first batch written since open. */
  readonly sequence: number;
  readonly records: number;
  /** The cursor the batch writes. */
  readonly cursor: number;
}

/**
 * Test-only pause points, so crash tests can kill a process between two batches or while a
 * batch's store write is in progress. Each is awaited; the public API never sets them.
 */
export interface IngestHooks {
  beforeWrite?(info: BatchInfo): void | Promise<void>;
  afterWrite?(info: BatchInfo): void | Promise<void>;
}

export interface IngestorOptions {
  /** Identity of the log. A store derived from a log with another identity is rebuilt at open. */
  readonly journalId: string;
  /** Called after each committed batch with the new cursor. Must not throw. */
  readonly onApplied?: (cursor: number) => void;
  readonly hooks?: IngestHooks;
}

/** Why the store was rebuilt at open. */
export const REBUILD_REASONS = ['journal-changed', 'cursor-ahead', 'interrupted-rebuild'] as const;
export type RebuildReason = (typeof REBUILD_REASONS)[number];

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface StoredState {
  readonly cursor: number | undefined;
  readonly journalId: string | undefined;
  readonly rebuilding: boolean;
  readonly counters: Counters;
}

const TURN = Symbol('turn');

export class Ingestor {
  /** Why the store was rebuilt when this ingestor opened, if it was. */
  readonly rebuiltAtOpen: RebuildReason | undefined;
  readonly #log: RecordLog;
  readonly #store: KVStore;
  readonly #options: IngestorOptions;
  #cursor: number;
  #counters: Counters;
  #waiters: Waiter[] = [];
  #failure: IngestFailedError | undefined;
  #controller = new AbortController();
  #running: Promise<void> = Promise.resolve();
  #turn: Promise<typeof TURN> | undefined;
  /** The store write in flight and what follows it (see `#startWrite`); never rejects. */
  #writing: Promise<void> | undefined;
  /** The batch whose store write is in flight, until it has committed. */
  #inFlight: IngestBatch | undefined;
  /** The batch the follow loop is gathering. */
  #pending: IngestBatch;
  #sequence = 0;
  #closed = false;
  /** Which `H:` addresses the store may hold, so most new records need no lookup. */
  readonly #known = new KnownAddresses();
  /** Where the keys of the batches in hand come from; they die with their batch. */
  readonly #keys = new SlabAllocator(
    INGEST_KEY_SLAB_BYTES,
    INGEST_KEY_SLAB_MAX_KEY_BYTES,
  );
  /** The scan filling the filter of a store opened with entries (`#scanAddresses`); never rejects. */
  #filterScan: Promise<void> | undefined;

  private constructor(
    log: RecordLog,
    store: KVStore,
    options: IngestorOptions,
    state: StoredState,
    rebuiltAtOpen: RebuildReason | undefined,
  ) {
    this.#log = log;
    this.#store = store;
    this.#options = options;
    this.#cursor = state.cursor ?? log.startOffset;
    this.#counters = state.counters;
    this.#pending = this.#newBatch();
    this.rebuiltAtOpen = rebuiltAtOpen;
  }

  /** Checks the store against the log (rebuilding it if needed) and starts following the log. */
  static async open(log: RecordLog, store: KVStore, options: IngestorOptions): Promise<Ingestor> {
    const state = readStoredState(store);
    const reason = rebuildReason(state, log, options.journalId);
    if (state.cursor !== undefined && state.cursor < log.startOffset && reason === undefined) {
      // Retention removed journal segments the store never applied: they cannot be re-read.
      const detail = `store cursor ${state.cursor} is below the journal's start ${log.startOffset}`;
      throw new StoreCorruptionError(detail);
    }
    // A new store has no identity yet; giving it one is not worth reporting as a rebuild.
    const fresh = state.cursor === undefined && state.journalId === undefined && !state.rebuilding;
    const ingestor = new Ingestor(log, store, options, state, fresh ? undefined : reason);
    if (reason !== undefined) await ingestor.#clear();
    else await ingestor.#prepareFilter(state.counters);
    await ingestor.#start();
    return ingestor;
  }

  /** Every record below this journal offset is applied. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Distinct records and `Q:` entries applied so far. */
  get counters(): Counters {
    return { ...this.#counters };
  }

  get failure(): IngestFailedError | undefined {
    return this.#failure;
  }

  /** Resolves once the record that starts at `offset` is applied. */
  waitForIngest(offset: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      return Promise.reject(new InvalidArgumentError('must be an integer ≥ 0', 'offset'));
    }
    if (offset >= this.#log.endOffset && offset >= this.#cursor) {
      const message = `no record at ${offset}: the journal ends at ${this.#log.endOffset}`;
      return Promise.reject(new InvalidArgumentError(message, 'offset'));
    }
    return this.#waitForCursor(offset + 1);
  }

  /** Resolves once everything appended to the log before this call is applied. */
  processPending(): Promise<void> {
    return this.#waitForCursor(this.#log.endOffset);
  }

  /**
   * Clears the store and applies the whole log again; resolves when it has caught up with the log
   * as it stood at the call. Queries in the meantime see a partial store.
   */
  async rebuild(): Promise<void> {
    this.#checkUsable();
    await this.#stop();
    this.#checkUsable();
    try {
      await this.#clear();
    } catch (error) {
      this.#fail(error);
      throw this.#failure;
    }
    await this.#start();
    await this.processPending();
  }

  /** Stops following the log after committing what it holds. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stop();
    const waiters = this.#waiters;
    this.#waiters = [];
    const error = this.#failure ?? new ClosedError('ingestor');
    for (const waiter of waiters) waiter.reject(error);
    await this.#filterScan;
  }

  #waitForCursor(target: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#cursor >= target) return Promise.resolve();
    if (this.#closed) return Promise.reject(new ClosedError('ingestor'));
    return new Promise((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  async #start(): Promise<void> {
    await this.#skipTrailingSeal();
    this.#controller = new AbortController();
    this.#running = this.#run(this.#controller);
  }

  /** Aborts the follow, lets the loop commit the batch in hand, and waits for it to end. */
  async #stop(): Promise<void> {
    this.#controller.abort();
    await this.#running;
  }

  /**
   * A log may hold records that carry no data (the seal of a clean close). The follow skips them
   * silently, so when the ingestor has caught up and nothing but them lies past the cursor, the
   * cursor moves to the log's end here, or `processPending` would wait for records that never
   * come. Runs at start and whenever a batch was committed because the log had nothing more; the
   * end is read before the scan, so nothing appended during it is skipped.
   */
  async #skipTrailingSeal(): Promise<void> {
    const end = this.#log.endOffset;
    if (this.#cursor >= end) return;
    const records = this.#log.iterate(this.#cursor);
    try {
      if ((await records.next()).done !== true) return;
    } finally {
      await records.return?.(undefined);
    }
    this.#cursor = end;
    this.#resolveWaiters();
  }

  /**
   * Follows the log and writes it to the store in batches, pipelined: while one batch's store
   * write is in flight (`#writing`), the loop keeps reading the log into the next batch
   * (`#pending`), so under load each write carries everything that arrived during the previous
   * one and the engine's sync is paid once per large batch.
   *
   * Invariants: at most one store write is in flight, and a batch's write starts only after the
   * previous one committed, so batches reach the store whole and in log order, and a failed write
   * stops the ingestor before any later batch (or its cursor) is written. The cursor and counters
   * in memory move only when the write that carries them has committed. When nothing is in flight,
   * a non-empty batch is written as soon as a chunk of records has been applied to it, so the
   * store is never idle while records are in hand.
   */
  async #run(controller: AbortController): Promise<void> {
    const chunks = this.#log.followChunks(this.#cursor, {
      signal: controller.signal,
      maxRecords: INGEST_PREFETCH_RECORDS,
    });
    this.#pending = this.#newBatch();
    let next: Promise<IteratorResult<JournalRecord[]>> | undefined;
    try {
      for (;;) {
        next ??= chunks.next();
        // With a batch that could be written now, wait only for records that arrive within this
        // turn; if none does, write it.
        const idle = this.#writing === undefined && !this.#pending.isEmpty;
        const result = idle ? await Promise.race([next, this.#nextTurn()]) : await next;
        if (this.#failure !== undefined) break;
        if (result === TURN) {
          if (this.#writing === undefined && !this.#pending.isEmpty) this.#startWrite(controller);
          continue;
        }
        next = undefined;
        if (result.done === true) break;
        await this.#applyWindow(result.value, controller);
        // The store has nothing to do: give it what is in hand now, and gather what follows into
        // the next batch while it commits.
        if (this.#failure === undefined && this.#writing === undefined && !this.#pending.isEmpty) {
          this.#startWrite(controller);
        }
      }
      // Commit what is in hand: the write in flight and the batch being gathered.
      while (this.#failure === undefined && !this.#drained) await this.#makeRoom(controller);
    } catch (error) {
      this.#fail(error);
      // A write still in flight settles on its own; it must not outlive the loop.
      while (this.#writing !== undefined) await this.#writing;
    } finally {
      controller.abort();
      // A pull still in flight ends once the follow sees the abort; its outcome no longer matters.
      if (next !== undefined) await next.then(ignore, ignore);
      await chunks.return?.(undefined).then(ignore, ignore);
    }
  }

  /**
   * Applies `window` (records in log order) to the pending batch, after reading every store key
   * they look up in one `getMany`, which the engine may serve off the event loop.
   *
   * Why the read is safe although writes go on during it: every batch committed before the read
   * began is in what it returns. Only two batches can commit while it runs, or after it began and
   * before this window is applied: the one in flight when it began and the one being gathered
   * then (`unseen`). Their own puts are consulted before the read's values, as are the puts of
   * this window's records, which may land in batches that commit before the window ends.
   */
  async #applyWindow(window: readonly JournalRecord[], controller: AbortController): Promise<void> {
    const prepared = window.map((record) => prepareRecord(record, this.#keys.allocate));
    const unseen = this.#inFlight === undefined ? [this.#pending] : [this.#pending, this.#inFlight];
    // Addresses the filter rules out are not in the store, nor put by a batch in hand (those
    // were added to it when applied); only the rest are read.
    const fetched = new Map<string, Uint8Array | undefined>();
    const toRead: PreparedRecord[] = [];
    for (const record of prepared) {
      const address = hashAddressOf(record);
      if (address !== undefined && !this.#known.mayHold(address)) {
        fetched.set(record.id, undefined);
      } else {
        toRead.push(record);
      }
    }
    const values = toRead.length === 0 ? [] : await this.#store.getMany(toRead.map((r) => r.key));
    toRead.forEach((record, i) => fetched.set(record.id, values[i]));
    const putByWindow = new Map<string, Uint8Array>();
    const lookup: Lookup = (key, id) => {
      const own = putByWindow.get(id) ?? unseen[0]?.ownValue(id) ?? unseen[1]?.ownValue(id);
      if (own !== undefined) return own;
      return fetched.has(id) ? fetched.get(id) : this.#pending.lookup(key, id);
    };
    for (const record of prepared) {
      if (this.#failure !== undefined) return;
      const effect = applyPrepared(record, lookup, this.#keys.allocate);
      while (!this.#pending.fits(effect) && this.#failure === undefined) {
        await this.#makeRoom(controller);
      }
      if (this.#failure !== undefined) return;
      this.#pending.add(effect, record.record.nextOffset);
      const address = hashAddressOf(record);
      if (address !== undefined) this.#known.add(address);
      const first = effect.ops[0];
      if (effect.readableId !== undefined && first?.type === 'put') {
        putByWindow.set(effect.readableId, first.value);
      }
    }
  }

  /** Nothing is in flight and nothing is gathered. */
  get #drained(): boolean {
    return this.#writing === undefined && this.#pending.isEmpty;
  }

  /** Waits for the write in flight, or starts writing the pending batch if none is. */
  async #makeRoom(controller: AbortController): Promise<void> {
    if (this.#writing !== undefined) await this.#writing;
    else this.#startWrite(controller);
  }

  /**
   * Starts writing the pending batch (nothing may be in flight) and makes a new pending batch
   * that sees its puts. When the write has committed, the next pending batch is started at once
   * if it holds records; a failure stops the ingestor and aborts the follow. `#writing` never
   * rejects and is cleared once no write is in flight.
   */
  #startWrite(controller: AbortController): void {
    assert.ok(this.#writing === undefined, 'one store write at a time');
    const batch = this.#pending;
    this.#pending = this.#newBatch(batch);
    this.#inFlight = batch;
    this.#writing = this.#writeAndContinue(batch, controller);
  }

  async #writeAndContinue(batch: IngestBatch, controller: AbortController): Promise<void> {
    try {
      await this.#commit(batch);
      this.#pending.releasePrevious();
      if (this.#pending.isEmpty) await this.#skipTrailingSeal();
    } catch (error) {
      this.#fail(error);
      controller.abort();
    }
    this.#inFlight = undefined;
    this.#writing = undefined;
    if (!this.#pending.isEmpty && this.#failure === undefined) this.#startWrite(controller);
  }

  #nextTurn(): Promise<typeof TURN> {
    this.#turn ??= nextTurn(TURN).then((value) => {
      this.#turn = undefined;
      return value;
    });
    return this.#turn;
  }

  /** Writes `batch` with its cursor and counters, then moves the cursor in memory. */
  async #commit(batch: IngestBatch): Promise<void> {
    const info: BatchInfo = {
      sequence: ++this.#sequence,
      records: batch.recordCount,
      cursor: batch.cursor,
    };
    await this.#options.hooks?.beforeWrite?.(info);
    await this.#store.write(batch.toWriteOps());
    this.#cursor = batch.cursor;
    this.#counters = batch.counters;
    this.#resolveWaiters();
    this.#options.onApplied?.(this.#cursor);
    await this.#options.hooks?.afterWrite?.(info);
  }

  /** An empty batch after the store's state, or after `previous` while its write is in flight. */
  #newBatch(previous?: IngestBatch): IngestBatch {
    return new IngestBatch(this.#store, this.#cursor, this.#counters, previous);
  }

  /** Empties the store (crash-safely: see `clearStore`) and sets the cursor to the log's start. */
  async #clear(): Promise<void> {
    await clearStore(this.#store, this.#options.journalId);
    this.#known.reset(INGEST_FILTER_MIN_ADDRESSES);
    this.#cursor = this.#log.startOffset;
    this.#counters = zeroCounters();
    this.#options.onApplied?.(this.#cursor);
  }

  /**
   * At open: an empty store gets a complete filter at once; a store holding `H:` entries gets one
   * sized for twice what its counters report, filled by a scan in the background. Until the scan
   * ends, every record is looked up. Nothing is in hand yet, so the scan's snapshot holds every
   * address applied before, and the ingestor adds every one it applies from now on.
   */
  async #prepareFilter(counters: Counters): Promise<void> {
    for await (const _ of this.#store.iterate({ prefix: HASH_PREFIX, limit: 1 })) {
      const stored = counters.assertions + counters.votes;
      const layer = this.#known.beginScan(Math.max(INGEST_FILTER_MIN_ADDRESSES, 2 * stored));
      this.#filterScan = this.#scanAddresses(layer);
      return;
    }
    this.#known.reset(INGEST_FILTER_MIN_ADDRESSES);
  }

  /** Adds every stored `H:` address to `layer`. Gives up when the ingestor stops or the store fails. */
  async #scanAddresses(layer: AddressFilter): Promise<void> {
    try {
      for await (const [key] of this.#store.iterate({ prefix: HASH_PREFIX })) {
        if (this.#closed || !this.#known.isScanning(layer)) return;
        layer.add(parseHashKey(key));
      }
      this.#known.finishScan(layer);
    } catch {
      // Without a filter every record is looked up, which is correct; a failing store fails the
      // ingestor at its next write.
    }
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#cursor >= waiter.target) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }

  #fail(error: unknown): void {
    this.#failure ??= error instanceof IngestFailedError ? error : new IngestFailedError(error);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(this.#failure);
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new ClosedError('ingestor');
  }
}

function ignore(): void {}

const HASH_PREFIX = kindPrefix('hash');

/** The content address of a record applied under `H:` (an assertion or a vote), if it is one. */
function hashAddressOf(record: PreparedRecord): Uint8Array | undefined {
  return 'address' in record && record.view.type !== 'epoch' ? record.address : undefined;
}

function readStoredState(store: KVStore): StoredState {
  const counters = zeroCounters();
  for (const kind of COUNTER_KINDS) {
    counters[kind] = decodeU64(store.getSync(COUNTER_KEYS[kind]), `counter ${kind}`, 0);
  }
  const cursorBytes = store.getSync(CURSOR_KEY);
  return {
    cursor: cursorBytes === undefined ? undefined : decodeU64(cursorBytes, 'ingest cursor', 0),
    journalId: decodeText(store.getSync(JOURNAL_ID_KEY)),
    rebuilding: store.getSync(REBUILDING_KEY) !== undefined,
    counters,
  };
}

function rebuildReason(
  state: StoredState,
  log: RecordLog,
  journalId: string,
): RebuildReason | undefined {
  if (state.rebuilding) return 'interrupted-rebuild';
  if (state.journalId !== journalId) return 'journal-changed';
  if (state.cursor !== undefined && state.cursor > log.endOffset) return 'cursor-ahead';
  return undefined;
}
