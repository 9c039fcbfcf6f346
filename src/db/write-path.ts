/**
 * Appends checked records to the journal and remembers them for `get` until the ingestor has
 * applied them.
 *
 * Order of a write: (1) every input is checked and encoded (`prepareRecord`): one bad input
 * refuses the whole call before anything is appended; (2) if too many acknowledged records are
 * still unapplied, wait for the ingestor; (3) append every record in one `appendMany`, so the
 * journal writes them in one group commit (one sync under `immediate`); (4) once the
 * journal acknowledges them per the durability level, keep them in `UningestedRecords` and resolve.
 */
import type { Ingestor } from '../ingest/index.js';
import type { RecordLog } from '../journal/index.js';
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
    await this.#makeRoom(records.length, bytes);
    const failure = this.#ingestor.failure;
    if (failure !== undefined) throw failure;
    const appended = await this.#journal.appendMany(records.map((record) => record.bytes));
    const cursor = this.#ingestor.cursor;
    return records.map((record, i) => {
      const { offset } = appended[i] as { offset: number };
      this.#uningested.add(record.hash, offset, record.bytes, cursor);
      return { hash: record.hash, offset, type: record.type };
    });
  }

  /** Waits until `count` more records of `bytes` fit under the in-memory bounds. */
  async #makeRoom(count: number, bytes: number): Promise<void> {
    const uningested = this.#uningested;
    for (;;) {
      const fits =
        uningested.count + count <= this.#bounds.records &&
        uningested.bytes + bytes <= this.#bounds.bytes;
      const oldest = uningested.oldestOffset;
      if (fits || oldest === undefined) return;
      await this.#ingestor.waitForIngest(oldest);
      uningested.trim(this.#ingestor.cursor);
    }
  }
}
