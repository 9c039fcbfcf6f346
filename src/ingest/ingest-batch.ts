/**
 * One run of journal records on its way into the store: their ops, the cursor past the last of
 * them, and the counters they moved, all written by one `KVStore.write`.
 *
 * Bounds: at most `INGEST_BATCH_MAX_RECORDS` records and `INGEST_BATCH_MAX_BYTES` of keys and
 * values, leaving room for the cursor and counters within the store's per-write limits.
 */
import assert from 'node:assert/strict';
import {
  INGEST_BATCH_MAX_BYTES,
  INGEST_BATCH_MAX_RECORDS,
  INGEST_META_RESERVED_OPS,
  STORE_WRITE_MAX_OPS,
} from '../limits.js';
import type { KVStore, WriteOp } from '../store/index.js';
import type { RecordEffect } from './apply-record.js';
import { COUNTER_KEYS, COUNTER_KINDS, CURSOR_KEY, encodeU64 } from './ingest-meta.js';
import type { Counters } from './ingest-meta.js';

export class IngestBatch {
  readonly #store: KVStore;
  readonly #ops: WriteOp[] = [];
  /** Values this batch puts, by key (as a latin1 string), so later records in it see them. */
  readonly #values = new Map<string, Uint8Array>();
  readonly #counters: Counters;
  /**
   * The batch written just before this one while its store write may still be in flight: its
   * puts are not in the store yet, so lookups see them through it. Dropped (`releasePrevious`)
   * once that write has committed, so batches never form a chain.
   */
  #previous: IngestBatch | undefined;
  #bytes = 0;
  #records = 0;
  #cursor: number;

  /**
   * A batch that continues from `cursor` with the store's `counters` (copied), or from `previous`
   * (its cursor and counters) when that batch's write has not committed yet.
   */
  constructor(store: KVStore, cursor: number, counters: Counters, previous?: IngestBatch) {
    this.#store = store;
    this.#cursor = previous?.cursor ?? cursor;
    this.#counters = { ...(previous === undefined ? counters : previous.#counters) };
    this.#previous = previous;
  }

  /** Called once the previous batch's write has committed: the store now holds its puts. */
  releasePrevious(): void {
    this.#previous = undefined;
  }

  get isEmpty(): boolean {
    return this.#records === 0;
  }

  get isFull(): boolean {
    return this.#records >= INGEST_BATCH_MAX_RECORDS;
  }

  get recordCount(): number {
    return this.#records;
  }

  /** Where ingestion stands once this batch is written. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The counters once this batch is written. */
  get counters(): Counters {
    return { ...this.#counters };
  }

  /**
   * The value at `key` (whose `keyString` is `id`) as this batch leaves it: its own put if any,
   * else the store's. Only keys of the kinds `RecordEffect.readableId` covers may be asked for.
   */
  readonly lookup = (key: Uint8Array, id: string): Uint8Array | undefined => {
    const previous = this.#previous;
    return (
      this.#values.get(id) ??
      (previous === undefined ? undefined : previous.#values.get(id)) ??
      this.#store.getSync(key)
    );
  };

  /** The value this batch itself puts at the key whose `keyString` is `id`, if it puts one. */
  ownValue(id: string): Uint8Array | undefined {
    return this.#values.get(id);
  }

  /** True if `effect` fits beside what the batch already holds. An empty batch takes anything. */
  fits(effect: RecordEffect): boolean {
    if (this.isEmpty) return true;
    if (this.isFull) return false;
    if (this.#ops.length + effect.ops.length + INGEST_META_RESERVED_OPS > STORE_WRITE_MAX_OPS) {
      return false;
    }
    return this.#bytes + bytesOf(effect.ops) <= INGEST_BATCH_MAX_BYTES;
  }

  /** Adds the record that ends at `nextOffset`, with what applying it does. */
  add(effect: RecordEffect, nextOffset: number): void {
    assert.ok(nextOffset > this.#cursor, 'records are added in journal order');
    const { ops, readableId } = effect;
    for (const op of ops) this.#ops.push(op);
    const first = ops[0];
    if (readableId !== undefined && first?.type === 'put') this.#values.set(readableId, first.value);
    this.#bytes += bytesOf(effect.ops);
    if (effect.counts !== undefined) this.#counters[effect.counts]++;
    this.#records++;
    this.#cursor = nextOffset;
  }

  /** The one store write of this batch: its ops, the counters and the cursor. */
  toWriteOps(): WriteOp[] {
    const ops = [...this.#ops];
    for (const kind of COUNTER_KINDS) {
      ops.push({ type: 'put', key: COUNTER_KEYS[kind], value: encodeU64(this.#counters[kind]) });
    }
    ops.push({ type: 'put', key: CURSOR_KEY, value: encodeU64(this.#cursor) });
    return ops;
  }
}

function bytesOf(ops: readonly WriteOp[]): number {
  let bytes = 0;
  for (const op of ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
  return bytes;
}
