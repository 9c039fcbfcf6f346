/**
 * The engine baseline: the same LMDB engine StemeDB's store runs on (lmdb 3.5.6), written
 * directly, with no journal and no ingestor. Each `writeMany` is one transaction holding, per
 * claim, `H:` hash → canonical bytes and the two empty index entries `S:` and `SP:`, built by
 * StemeDB's own key layout (`src/store/keys.ts`), so the file holds the same keys StemeDB's does.
 * What StemeDB costs on top of this is its journal, its ingestor and its facade.
 *
 * Durability: `durable` opens the environment as `LmdbStore` does (`overlappingSync: false`, every
 * commit fdatasynced before its promise resolves); `relaxed` uses lmdb-js's default overlapping
 * sync (the promise resolves when the commit is visible; the flush follows in the background).
 * Concurrent `writeOne` calls issued in one event-loop turn share a transaction, as lmdb-js
 * batches them itself.
 */
import { open as openLmdb } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import type { AssertionInput } from '../src/records/index.js';
import { toOutput, viewRecord } from '../src/records/index.js';
import {
  hashFromIndexKey,
  hashKey,
  prefixUpperBound,
  subjectKey,
  subjectPredicateKey,
  subjectPredicatePrefix,
  subjectPrefix,
} from '../src/store/index.js';
import type { BaselineDurability, BenchClaimStore, EncodedClaim } from './claim-workload.js';
import { encodeClaim } from './claim-workload.js';

const EMPTY = new Uint8Array(0);

export class LmdbDirectClaimStore implements BenchClaimStore {
  readonly #db: RootDatabase<Uint8Array, Uint8Array>;

  constructor(directory: string, durability: BaselineDurability) {
    this.#db = openLmdb<Uint8Array, Uint8Array>(directory, {
      encoding: 'binary',
      keyEncoding: 'binary',
      overlappingSync: durability === 'relaxed',
      noSync: false,
      noMetaSync: false,
    });
  }

  async writeOne(input: AssertionInput): Promise<void> {
    const claim = encodeClaim(input);
    await this.#commit(() => this.#put(claim));
  }

  async writeMany(inputs: readonly AssertionInput[]): Promise<void> {
    const claims = inputs.map(encodeClaim);
    await this.#commit(() => {
      for (const claim of claims) this.#put(claim);
    });
  }

  /** Every acknowledged commit is already visible to readers. */
  async settle(): Promise<void> {}

  /** Waits for the background flush of `relaxed` commits. */
  async quiesce(): Promise<void> {
    await this.#db.flushed;
  }

  /** Reads the record and turns it into the output JSON, as StemeDB's `get` does. */
  async get(hash: Uint8Array): Promise<boolean> {
    const record = this.#db.getBinary(hashKey(hash));
    if (record === undefined) return false;
    toOutput(viewRecord(record));
    return true;
  }

  /** Scans the index prefix and reads each record it names, as StemeDB's read path does. */
  async scanSubject(subject: string, predicate?: string, limit?: number): Promise<number> {
    const prefix =
      predicate === undefined ? subjectPrefix(subject) : subjectPredicatePrefix(subject, predicate);
    const end = prefixUpperBound(prefix);
    const keys = this.#db.getKeys({
      start: prefix,
      ...(end === undefined ? {} : { end }),
      ...(limit === undefined ? {} : { limit }),
    });
    let count = 0;
    for (const key of keys) {
      const record = this.#db.getBinary(hashKey(hashFromIndexKey(key)));
      if (record === undefined) throw new Error(`index entry without a record in ${subject}`);
      toOutput(viewRecord(record));
      count++;
    }
    return count;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async #commit(queue: () => void): Promise<void> {
    const applied = await this.#db.batch(queue);
    if (applied !== true) throw new Error('lmdb reported a batch as not applied');
  }

  /** Inside `batch`, lmdb-js's put promises are placeholders; the batch's is the outcome. */
  #put(claim: EncodedClaim): void {
    ignoreOutcome(this.#db.put(hashKey(claim.hash), claim.bytes));
    ignoreOutcome(this.#db.put(subjectKey(claim.subject, claim.hash), EMPTY));
    ignoreOutcome(
      this.#db.put(subjectPredicateKey(claim.subject, claim.predicate, claim.hash), EMPTY),
    );
  }
}

function ignoreOutcome(promise: Promise<unknown>): void {
  promise.then(
    () => undefined,
    () => undefined,
  );
}
