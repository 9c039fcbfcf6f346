/**
 * StemeDB, the library facade (SPEC §7): one directory, one lock, a journal that is the source of
 * truth and a store derived from it by the ingestor.
 *
 * Contract:
 * - `assert`, `vote`, `epoch`, `put` and `putMany` check every input before anything is written
 *   (`INVALID_ARGUMENT` naming the field, `INVALID_SIGNATURE`), then resolve when the durability
 *   level's promise holds (under `immediate`: after the journal's fsync).
 * - Read-your-writes: `get` returns an acknowledged record at once (from memory until it is
 *   applied); a scan (`bySubject`, `bySubjectPredicate`, `votesFor`) first waits until the store
 *   holds everything written before the scan started.
 * - After the ingestor fails, writes, waits and scans (which would miss acknowledged writes)
 *   reject with its error (see `stats().ingestFailure`) until the database is reopened, which
 *   rebuilds what is needed from the journal.
 * - `close` is idempotent; every other call after it rejects with `ClosedError` (code `CLOSED`).
 */
import { ClosedError, InvalidArgumentError } from '../errors.js';
import type { RecoveryReport } from '../journal/index.js';
import { DB_PUT_MANY_MAX_RECORDS } from '../limits.js';
import type {
  AssertionInput,
  AssertionOutput,
  EpochInput,
  RecordOutput,
  RecordType,
  VoteInput,
  VoteOutput,
} from '../records/index.js';
import { collectStats } from './db-stats.js';
import type { DbStats, StemeDBOptions, VerifyReport, WriteResult } from './db-types.js';
import { withIndex } from './indexed-input-error.js';
import { openDatabase } from './open-database.js';
import type { OpenedDatabase } from './open-database.js';
import { prepareRecord } from './prepare-record.js';
import type { PreparedRecord } from './prepare-record.js';
import { ReadPath } from './read-path.js';
import { verifyStore } from './verify-store.js';
import type { ProgressListener } from './verify-store.js';
import { WritePath } from './write-path.js';

export class StemeDB {
  readonly directory: string;
  /** What journal recovery found and did when this database opened. */
  readonly recoveryReport: RecoveryReport;
  readonly #db: OpenedDatabase;
  readonly #writes: WritePath;
  readonly #reads: ReadPath;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  private constructor(db: OpenedDatabase) {
    this.#db = db;
    this.directory = db.directory;
    this.recoveryReport = db.journal.recoveryReport;
    this.#writes = new WritePath(db.journal, db.ingestor, db.uningested, db.uningestedBounds);
    this.#reads = new ReadPath(db.store, db.uningested);
  }

  /** Opens (creating if needed) the database in `dir`: `dir/LOCK`, `dir/journal/`, `dir/store/`. */
  static async open(dir: string, options: StemeDBOptions = {}): Promise<StemeDB> {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new InvalidArgumentError('must be a non-empty path', 'dir');
    }
    return new StemeDB(await openDatabase(dir, options));
  }

  async assert(input: AssertionInput): Promise<WriteResult> {
    return this.#writeOne(input, 'assertion');
  }

  async vote(input: VoteInput): Promise<WriteResult> {
    return this.#writeOne(input, 'vote');
  }

  async epoch(input: EpochInput): Promise<WriteResult> {
    return this.#writeOne(input, 'epoch');
  }

  /** Any record; its `type` field picks the kind (`assertion` when absent). */
  async put(input: unknown): Promise<WriteResult> {
    return this.#writeOne(input, undefined);
  }

  /**
   * Checks every input first: one bad input refuses the call with its error, whose `index` (and
   * `field`, `[i].subject`) says which; nothing is written. Otherwise appends them all together.
   */
  async putMany(inputs: readonly unknown[]): Promise<WriteResult[]> {
    this.#checkOpen();
    if (!Array.isArray(inputs)) throw new InvalidArgumentError('must be an array', 'inputs');
    if (inputs.length > DB_PUT_MANY_MAX_RECORDS) {
      throw new InvalidArgumentError(`more than ${DB_PUT_MANY_MAX_RECORDS} records`, 'inputs');
    }
    const prepared = inputs.map((input: unknown, index) => {
      try {
        return this.#prepare(input, undefined);
      } catch (error) {
        throw withIndex(error, index);
      }
    });
    return this.#track(this.#writes.write(prepared));
  }

  /** The record with content address `hash` (64 hex digits), or undefined. */
  async get(hash: string): Promise<RecordOutput | undefined> {
    this.#checkOpen();
    return this.#reads.get(hash);
  }

  /** Assertions about `subject` (with `predicate`, if given), in index order, at most `limit`. */
  bySubject(
    subject: string,
    options: { predicate?: string; limit?: number } = {},
  ): AsyncIterable<AssertionOutput> {
    return this.#guarded(() => this.#reads.bySubject(subject, options));
  }

  bySubjectPredicate(
    subject: string,
    predicate: string,
    options: { limit?: number } = {},
  ): AsyncIterable<AssertionOutput> {
    const query = options.limit === undefined ? { predicate } : { predicate, limit: options.limit };
    return this.#guarded(() => this.#reads.bySubject(subject, query));
  }

  /** The votes on the assertion `assertionHash`. */
  votesFor(assertionHash: string): AsyncIterable<VoteOutput> {
    return this.#guarded(() => this.#reads.votesFor(assertionHash));
  }

  async stats(): Promise<DbStats> {
    this.#checkOpen();
    return collectStats(this.#db);
  }

  /**
   * Applies what was written so far, then re-hashes every record in the store and checks every
   * index entry; see `verify-store.ts`. It checks the store even if the ingestor has failed.
   */
  async verify(options: { onProgress?: ProgressListener } = {}): Promise<VerifyReport> {
    this.#checkOpen();
    // An ingestor failure is reported by `stats`; the store is still worth checking.
    await this.#db.ingestor.processPending().catch(() => undefined);
    const { assertions, votes, epochs } = this.#db.ingestor.counters;
    return verifyStore(this.#db.store, 3 * assertions + 2 * votes + epochs, options.onProgress);
  }

  /** Makes everything written so far durable and visible to queries. */
  async flush(): Promise<void> {
    this.#checkOpen();
    await this.#db.journal.sync();
    await this.#db.ingestor.processPending();
  }

  /** Resolves once the record written at `offset` is visible to queries. */
  async waitForIngest(offset: number): Promise<void> {
    this.#checkOpen();
    await this.#db.ingestor.waitForIngest(offset);
  }

  /** Resolves once everything written before the call is visible to queries. */
  async processPending(): Promise<void> {
    this.#checkOpen();
    await this.#db.ingestor.processPending();
  }

  /** Clears the store and derives it again from the whole journal. */
  async rebuild(): Promise<void> {
    this.#checkOpen();
    await this.#db.ingestor.rebuild();
  }

  /**
   * Waits for writes in progress, applies what the journal holds, then closes the ingestor, the
   * journal (synced and sealed), the store and the lock. Idempotent. It rejects only when closing
   * the journal or the store fails (the first such error): an ingestor failure was already
   * reported to every write, wait and query after it, and nothing it left unapplied is lost,
   * since the next open ingests it from the journal.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const { ingestor, journal, store, lock } = this.#db;
    await Promise.allSettled([...this.#inFlight]);
    if (ingestor.failure === undefined) {
      // A failure here is the ingestor's or the journal's, and each is reported on its own.
      await ingestor.processPending().catch(() => undefined);
    }
    await ingestor.close();
    let failure: unknown;
    for (const close of [() => journal.close(), () => store.close()]) {
      try {
        await close();
      } catch (error) {
        failure ??= error;
      }
    }
    lock.close();
    if (failure !== undefined) throw failure;
  }

  async #writeOne(input: unknown, type: RecordType | undefined): Promise<WriteResult> {
    this.#checkOpen();
    const prepared = this.#prepare(input, type);
    const [result] = await this.#track(this.#writes.write([prepared]));
    return result as WriteResult;
  }

  #prepare(input: unknown, type: RecordType | undefined): PreparedRecord {
    return prepareRecord(input, type, { requireSignatures: this.#db.requireSignatures });
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    this.#inFlight.add(operation);
    const forget = (): void => {
      this.#inFlight.delete(operation);
    };
    operation.then(forget, forget);
    return operation;
  }

  /**
   * An iterable that checks the database is open when iteration starts, then waits until the
   * store holds everything written before it (read-your-writes for scans).
   */
  #guarded<T>(start: () => AsyncIterableIterator<T>): AsyncIterable<T> {
    const ingestor = this.#db.ingestor;
    async function* caughtUp(): AsyncIterableIterator<T> {
      await ingestor.processPending();
      yield* start();
    }
    return {
      [Symbol.asyncIterator]: () => {
        this.#checkOpen();
        return caughtUp();
      },
    };
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError('database');
  }
}
