/**
 * Appends checked records to the journal and remembers them for `get` until the ingestor has
 * applied them.
 *
 * Order of a write: (1) every input is checked and encoded (`prepareRecord`): one bad input
 * refuses the whole call before anything is appended; (2) if too many records are unapplied,
 * wait for the ingestor; (3) append every record in one `appendMany`, so the journal writes them
 * in one group commit (one sync under `immediate`); (4) once the journal acknowledges them per
 * the durability level, keep them in `UningestedRecords` and resolve with each one's content
 * address (for a record without signatures, the journal's hash of its bytes: see
 * `PreparedRecord.address`).
 *
 * The bound (`UningestedBounds`) counts the records kept in `UningestedRecords` and those of
 * writes between steps 2 and 4, so concurrent writers cannot pass it together. One write larger
 * than the bound is let through alone, when nothing else is unapplied or in flight. Writers that
 * must wait are let through in the order they came, and a writer that comes while any waits
 * queues behind them: otherwise a stream of small writes, each fitting beside the others, could
 * keep a larger one waiting for ever.
 */
import type { Ingestor } from '../ingest/index.js';
import type { AppendResult, RecordLog } from '../journal/index.js';
import { toHex } from '../records/index.js';
import type { WriteResult } from './db-types.js';
import type { PreparedRecord } from './prepare-record.js';
import type { UningestedRecords } from './uningested-records.js';

/** How far writers may run ahead of the ingestor (`DB_UNINGESTED_MAX_*` for the store's engine). */
export interface UningestedBounds {
  readonly records: number;
  readonly bytes: number;
}

export class WritePath {
  readonly #journal: RecordLog;
  readonly #ingestor: Ingestor;
  readonly #uningested: UningestedRecords;
  readonly #bounds: UningestedBounds;
  /** Records and bytes of writes past `#makeRoom` whose records `UningestedRecords` lacks yet. */
  #reservedRecords = 0;
  #reservedBytes = 0;
  /** Writers waiting for a reservation to be released. */
  #roomWaiters: Array<() => void> = [];
  /** Writes queued in `#waitForRoom` and not yet let through. */
  #waiting = 0;
  /** Settles when the last queued write has been let through (or failed to be). */
  #queueTail: Promise<void> = Promise.resolve();

  constructor(
    journal: RecordLog,
    ingestor: Ingestor,
    uningested: UningestedRecords,
    bounds: UningestedBounds,
  ) {
    this.#journal = journal;
    this.#ingestor = ingestor;
    this.#uningested = uningested;
    this.#bounds = bounds;
  }

  async write(records: readonly PreparedRecord[]): Promise<WriteResult[]> {
    let bytes = 0;
    for (const record of records) bytes += record.bytes.length;
    // Reserves the room: held until the records are counted by `UningestedRecords`, or the
    // append failed.
    if (this.#waiting > 0 || !this.#tryReserve(records.length, bytes)) {
      await this.#waitForRoom(records.length, bytes);
    }
    try {
      return await this.#append(records);
    } finally {
      this.#reservedRecords -= records.length;
      this.#reservedBytes -= bytes;
      if (this.#roomWaiters.length > 0) {
        const waiting = this.#roomWaiters;
        this.#roomWaiters = [];
        for (const wake of waiting) wake();
      }
    }
  }

  async #append(records: readonly PreparedRecord[]): Promise<WriteResult[]> {
    const failure = this.#ingestor.failure;
    if (failure !== undefined) throw failure;
    // The encoded records are this write's own and never change: the journal keeps them as they
    // are, and its tail and `UningestedRecords` share them, rather than holding a copy each.
    const payloads = records.map((record) => record.bytes);
    const appended = await this.#journal.appendMany(payloads, { transfer: true });
    const cursor = this.#ingestor.cursor;
    return records.map((record, i) => {
      const { offset, hash } = appended[i] as AppendResult;
      // The journal's hash of the payload is the address of a record without signatures.
      const address = toHex(record.address ?? hash);
      this.#uningested.add(address, offset, record.bytes, cursor);
      return { hash: address, offset, type: record.type };
    });
  }

  /**
   * Reserves room for `count` records of `bytes` if they fit under the bounds beside what is
   * unapplied and what other writes have reserved, in the same step as the check, so no other
   * writer can take the room in between. When nothing is unapplied or reserved, the write is let
   * through whatever its size.
   */
  #tryReserve(count: number, bytes: number): boolean {
    const uningested = this.#uningested;
    const fits =
      uningested.count + this.#reservedRecords + count <= this.#bounds.records &&
      uningested.bytes + this.#reservedBytes + bytes <= this.#bounds.bytes;
    if (!fits && (uningested.oldestOffset !== undefined || this.#reservedRecords > 0)) return false;
    this.#reservedRecords += count;
    this.#reservedBytes += bytes;
    return true;
  }

  /** Queues behind the writes already waiting, then waits for room and reserves it. */
  async #waitForRoom(count: number, bytes: number): Promise<void> {
    this.#waiting++;
    const turn = this.#queueTail.then(() => this.#makeRoom(count, bytes));
    this.#queueTail = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      this.#waiting--;
    }
  }

  /** Waits, for the ingestor or for released reservations, until `#tryReserve` succeeds. */
  async #makeRoom(count: number, bytes: number): Promise<void> {
    const uningested = this.#uningested;
    while (!this.#tryReserve(count, bytes)) {
      const oldest = uningested.oldestOffset;
      if (oldest !== undefined) {
        await this.#ingestor.waitForIngest(oldest);
        uningested.trim(this.#ingestor.cursor);
      } else {
        // Only other writes' reservations hold the room: once one is released, its records are
        // counted (or gone), and the next round waits for the ingestor instead.
        await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      }
    }
  }
}
