/**
 * The engine baseline for StemeDB's LevelDB store: LevelDB (classic-level 3.x) written directly,
 * with no journal and no ingestor. Each `writeMany` is one chained batch holding, per claim, `H:`
 * hash → canonical bytes and the two index entries `S:` and `SP:`, built by StemeDB's own
 * key layout (`src/store/keys.ts`), so the database holds the same keys StemeDB's does. What
 * StemeDB costs on top of this is its journal, its ingestor and its facade.
 *
 * Durability: `durable` writes every batch with `sync: true` (its log fdatasynced before the
 * promise resolves), as `LevelStore` does; `relaxed` writes with `sync: false` (in the OS when
 * acknowledged, on disk when the OS flushes it). Concurrent `writeOne` calls are separate
 * batches; LevelDB groups concurrent writers into one log write itself.
 */
import { ClassicLevel } from 'classic-level';
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

/**
 * The index entries' value. One byte, as `LevelStore` stores it, not empty: classic-level 3.0.0
 * leaks its native copy of every empty value (see src/store/level-store.ts).
 */
const INDEX_VALUE = new Uint8Array([0xff]);
const SCAN_CHUNK_ENTRIES = 1024;

type Database = ClassicLevel<Uint8Array, Uint8Array>;

export class LevelDirectClaimStore implements BenchClaimStore {
  readonly #db: Database;
  readonly #sync: boolean;

  private constructor(db: Database, durability: BaselineDurability) {
    this.#db = db;
    this.#sync = durability === 'durable';
  }

  static async open(directory: string, durability: BaselineDurability): Promise<LevelDirectClaimStore> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    return new LevelDirectClaimStore(db, durability);
  }

  async writeOne(input: AssertionInput): Promise<void> {
    await this.#write([encodeClaim(input)]);
  }

  async writeMany(inputs: readonly AssertionInput[]): Promise<void> {
    await this.#write(inputs.map(encodeClaim));
  }

  /** Every acknowledged batch is already visible to readers. */
  async settle(): Promise<void> {}

  /** Quiet once settled: every batch it acknowledged is readable. */
  async quiesce(): Promise<void> {}

  /** Reads the record and turns it into the output JSON, as StemeDB's `get` does. */
  async get(hash: Uint8Array): Promise<boolean> {
    const record = this.#db.getSync(hashKey(hash));
    if (record === undefined) return false;
    toOutput(viewRecord(record));
    return true;
  }

  /** Scans the index prefix and reads each record it names, as StemeDB's read path does. */
  async scanSubject(subject: string, predicate?: string, limit?: number): Promise<number> {
    const prefix =
      predicate === undefined ? subjectPrefix(subject) : subjectPredicatePrefix(subject, predicate);
    const end = prefixUpperBound(prefix);
    const keys = this.#db.keys({
      gte: prefix,
      ...(end === undefined ? {} : { lt: end }),
      ...(limit === undefined ? {} : { limit }),
    });
    let count = 0;
    try {
      for (;;) {
        const chunk = await keys.nextv(SCAN_CHUNK_ENTRIES);
        if (chunk.length === 0) break;
        for (const key of chunk) {
          const record = this.#db.getSync(hashKey(hashFromIndexKey(key)));
          if (record === undefined) throw new Error(`index entry without a record in ${subject}`);
          toOutput(viewRecord(record));
          count++;
        }
      }
    } finally {
      await keys.close();
    }
    return count;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async #write(claims: readonly EncodedClaim[]): Promise<void> {
    const batch = this.#db.batch();
    for (const claim of claims) {
      batch.put(hashKey(claim.hash), claim.bytes);
      batch.put(subjectKey(claim.subject, claim.hash), INDEX_VALUE);
      batch.put(subjectPredicateKey(claim.subject, claim.predicate, claim.hash), INDEX_VALUE);
    }
    await batch.write({ sync: this.#sync });
  }
}
