/**
 * The SQL baseline: the claim store most users would write first, on better-sqlite3 12 in WAL
 * mode. One table of records keyed by content address (a `WITHOUT ROWID` table, so the records
 * themselves live in the hash-ordered B-tree, as `H:` keys do) plus the two indexes StemeDB keeps:
 * subject, and subject + predicate. Same logical content as StemeDB's store: the canonical bytes
 * by hash, and every claim findable by subject and by subject + predicate, in hash order.
 *
 * Durability: `durable` is `synchronous=FULL` (every commit fsyncs the WAL); `relaxed` is
 * `synchronous=NORMAL` (the WAL is synced only at checkpoints, so a power loss may lose the last
 * commits but never corrupts the file).
 *
 * better-sqlite3 is synchronous: a write blocks the event loop until the commit is done, so 256
 * concurrent `writeOne` calls become 256 transactions in a row. That is what such a store does
 * under concurrent requests; batching them is the caller's job (`writeMany`).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AssertionInput } from '../src/records/index.js';
import { toOutput, viewRecord } from '../src/records/index.js';
import type { BaselineDurability, BenchClaimStore, EncodedClaim } from './claim-workload.js';
import { encodeClaim } from './claim-workload.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS claims (
     hash BLOB PRIMARY KEY, subject TEXT NOT NULL, predicate TEXT NOT NULL, record BLOB NOT NULL
   ) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS claims_subject ON claims (subject)',
  'CREATE INDEX IF NOT EXISTS claims_subject_predicate ON claims (subject, predicate)',
];

export class SqliteClaimStore implements BenchClaimStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Buffer, string, string, Buffer]>;
  readonly #insertMany: (claims: readonly EncodedClaim[]) => void;
  readonly #get: Database.Statement<[Buffer], Buffer>;
  readonly #bySubject: Database.Statement<[string, number], Buffer>;
  readonly #bySubjectPredicate: Database.Statement<[string, string, number], Buffer>;

  constructor(directory: string, durability: BaselineDurability) {
    this.#db = new Database(path.join(directory, 'claims.sqlite'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${durability === 'durable' ? 'FULL' : 'NORMAL'}`);
    for (const statement of SCHEMA) this.#db.exec(statement);
    // Content-addressed: writing a claim that is already there is a no-op, as in StemeDB.
    this.#insert = this.#db.prepare(
      'INSERT OR IGNORE INTO claims (hash, subject, predicate, record) VALUES (?, ?, ?, ?)',
    );
    this.#insertMany = this.#db.transaction((claims: readonly EncodedClaim[]) => {
      for (const claim of claims) this.#run(claim);
    });
    this.#get = this.#db.prepare<[Buffer], Buffer>('SELECT record FROM claims WHERE hash = ?');
    this.#get.pluck();
    this.#bySubject = this.#db.prepare<[string, number], Buffer>(
      'SELECT record FROM claims WHERE subject = ? ORDER BY hash LIMIT ?',
    );
    this.#bySubject.pluck();
    this.#bySubjectPredicate = this.#db.prepare<[string, string, number], Buffer>(
      'SELECT record FROM claims WHERE subject = ? AND predicate = ? ORDER BY hash LIMIT ?',
    );
    this.#bySubjectPredicate.pluck();
  }

  async writeOne(input: AssertionInput): Promise<void> {
    this.#run(encodeClaim(input));
  }

  async writeMany(inputs: readonly AssertionInput[]): Promise<void> {
    this.#insertMany(inputs.map(encodeClaim));
  }

  async settle(): Promise<void> {}

  /** Reads the record and turns it into the output JSON, as StemeDB's `get` does. */
  async get(hash: Uint8Array): Promise<boolean> {
    const record = this.#get.get(bufferOf(hash));
    if (record === undefined) return false;
    toOutput(viewRecord(record));
    return true;
  }

  async scanSubject(subject: string, predicate?: string, limit = -1): Promise<number> {
    const rows =
      predicate === undefined
        ? this.#bySubject.iterate(subject, limit)
        : this.#bySubjectPredicate.iterate(subject, predicate, limit);
    let count = 0;
    for (const record of rows) {
      toOutput(viewRecord(record));
      count++;
    }
    return count;
  }

  /** Checkpoints the WAL into the database file. */
  async quiesce(): Promise<void> {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #run(claim: EncodedClaim): void {
    this.#insert.run(bufferOf(claim.hash), claim.subject, claim.predicate, bufferOf(claim.bytes));
  }
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
