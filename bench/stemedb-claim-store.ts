/**
 * StemeDB behind the benchmark's `BenchClaimStore`: the facade as a user calls it. A write
 * resolves when `assert` / `putMany` does (the journal's durability promise for its level);
 * `settle` is `waitForIngest` of the highest offset acknowledged so far, the point from which
 * every claim written can be read back (`get`, `bySubject`).
 */
import { StemeDB } from '../src/db/index.js';
import type { DurabilityKind, StoreEngine } from '../src/index.js';
import type { AssertionInput } from '../src/records/index.js';
import { toHex } from '../src/records/index.js';
import type { BenchClaimStore } from './claim-workload.js';

export class StemeClaimStore implements BenchClaimStore {
  readonly #db: StemeDB;
  #highestOffset = -1;

  private constructor(db: StemeDB) {
    this.#db = db;
  }

  static async open(
    directory: string,
    durability: DurabilityKind,
    store: StoreEngine,
  ): Promise<StemeClaimStore> {
    return new StemeClaimStore(await StemeDB.open(directory, { durability, store }));
  }

  async writeOne(input: AssertionInput): Promise<void> {
    const { offset } = await this.#db.assert(input);
    if (offset > this.#highestOffset) this.#highestOffset = offset;
  }

  async writeMany(inputs: readonly AssertionInput[]): Promise<void> {
    const results = await this.#db.putMany(inputs);
    for (const { offset } of results) {
      if (offset > this.#highestOffset) this.#highestOffset = offset;
    }
  }

  async settle(): Promise<void> {
    if (this.#highestOffset >= 0) await this.#db.waitForIngest(this.#highestOffset);
  }

  async get(hash: Uint8Array): Promise<boolean> {
    return (await this.#db.get(toHex(hash))) !== undefined;
  }

  async scanSubject(subject: string, predicate?: string, limit?: number): Promise<number> {
    const options = {
      ...(predicate === undefined ? {} : { predicate }),
      ...(limit === undefined ? {} : { limit }),
    };
    let count = 0;
    for await (const claim of this.#db.bySubject(subject, options)) {
      if (claim !== undefined) count++;
    }
    return count;
  }

  /** Syncs the journal and waits for the ingestor. */
  async quiesce(): Promise<void> {
    await this.#db.flush();
    await this.settle();
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
