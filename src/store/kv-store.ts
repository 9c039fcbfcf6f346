/**
 * The ordered key-value store the ingestor writes and the read path queries, as an engine-neutral
 * contract. Every backend (LMDB today; another engine or a replicated node's local store later)
 * stands behind this interface unchanged and passes the one conformance suite
 * (`kv-store.conformance.ts`).
 *
 * Keys and values are bytes. Keys are ordered bytewise (unsigned lexicographic, a key sorts before
 * every longer key it is a prefix of), never as UTF-16 strings. Only `keys.ts` builds keys.
 *
 * Fail-stop: once the engine fails a call (`IO_ERROR`), every later call except `close` fails
 * with that first error; the owner closes and reopens, and finds what was last committed.
 */
import assert from 'node:assert/strict';
import { InvalidArgumentError, TooLargeError } from '../errors.js';
import {
  STORE_KEY_MAX_BYTES,
  STORE_VALUE_MAX_BYTES,
  STORE_WRITE_MAX_BYTES,
  STORE_WRITE_MAX_OPS,
} from '../limits.js';
import type { KeyRange } from './key-range.js';

export const WRITE_OP_TYPES = ['put', 'delete'] as const;
export type WriteOpType = (typeof WRITE_OP_TYPES)[number];

/** Sets `key` to `value`, replacing any value it had. An empty value is a valid value. */
export interface PutOp {
  readonly type: 'put';
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Removes `key`; removing a key that is not there is not an error. */
export interface DeleteOp {
  readonly type: 'delete';
  readonly key: Uint8Array;
}

export type WriteOp = PutOp | DeleteOp;

export interface WriteOptions {
  /**
   * True (the default): `write` resolves only once the batch is durable — it survives a crash of
   * the process, the OS or the machine. False allows a backend to resolve once the batch is
   * committed but before it is durable; the batch stays atomic either way, and a crash may then
   * lose it (and every later batch) whole. A backend may honour false by being durable anyway.
   */
  readonly sync?: boolean;
}

/** One entry of a scan. Both arrays belong to the caller. */
export type Entry = readonly [key: Uint8Array, value: Uint8Array];

export interface KVStore {
  /**
   * The value stored at `key`, or undefined. The returned array belongs to the caller: it is a
   * plain `Uint8Array` that no later read, write or close changes. A key longer than
   * `STORE_KEY_MAX_BYTES` cannot be stored, so looking it up returns undefined.
   */
  getSync(key: Uint8Array): Uint8Array | undefined;

  /** `getSync` as a promise, for callers that do not need the synchronous form. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;

  /**
   * The values at `keys`, by index, as `getSync` would return each. An engine may read them off
   * the calling thread. Each value is one the key held at some moment between the call and the
   * resolution: a write that commits meanwhile may or may not be seen, so a caller that writes
   * concurrently must overlay its own writes.
   */
  getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>>;

  /**
   * Applies `ops` in order as one atomic batch: after any crash, either every op is there or none
   * is. Later ops win over earlier ones on the same key. Batches are applied in the order `write`
   * was called; batches issued together may share one engine transaction, and each stays whole.
   *
   * Resolves when the batch is committed and, unless `options.sync` is false, durable. Rejects
   * with a coded error before anything is applied when an op breaks a limit (`TOO_LARGE` for a
   * key, value or batch over its size limit, `INVALID_ARGUMENT` for too many ops).
   *
   * `write` takes what it keeps from `ops` before it returns its promise: callers may reuse or
   * change the key and value buffers at once.
   */
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<void>;

  /**
   * The entries of `range` in bytewise key order (descending when `range.reverse`), at most
   * `range.limit` of them. The entries come from one consistent snapshot taken when iteration
   * starts; writes that commit during the iteration are not seen. An iteration holds engine
   * resources until it ends, so run it to the end or leave it early (`break`, `return`, a throw).
   */
  iterate(range?: KeyRange): AsyncIterable<Entry>;

  /**
   * Waits for writes in progress, ends open iterations and releases the engine. Idempotent. Every
   * later call of any other method fails with `ClosedError` (code `CLOSED`).
   */
  close(): Promise<void>;
}

/**
 * Checks a batch against the store limits before any of it reaches an engine, so a batch is never
 * half-submitted. Bad shapes (not bytes, an empty key, an unknown op) are programmer errors and
 * fail an assertion; a batch over a size limit is a coded error.
 */
export function checkWriteOps(ops: readonly WriteOp[]): void {
  assert.ok(Array.isArray(ops), 'write ops must be an array');
  if (ops.length > STORE_WRITE_MAX_OPS) {
    throw new InvalidArgumentError(
      `${ops.length} operations, over the limit of ${STORE_WRITE_MAX_OPS} per write`,
      'ops',
    );
  }
  let totalBytes = 0;
  for (const op of ops) {
    assert.ok(op.key instanceof Uint8Array, 'a store key must be a Uint8Array');
    assert.ok(op.key.length > 0, 'a store key must not be empty');
    if (op.key.length > STORE_KEY_MAX_BYTES) {
      throw new TooLargeError('store key', op.key.length, STORE_KEY_MAX_BYTES);
    }
    totalBytes += op.key.length;
    if (op.type === 'put') {
      assert.ok(op.value instanceof Uint8Array, 'a store value must be a Uint8Array');
      if (op.value.length > STORE_VALUE_MAX_BYTES) {
        throw new TooLargeError('store value', op.value.length, STORE_VALUE_MAX_BYTES);
      }
      totalBytes += op.value.length;
    } else {
      assert.equal(op.type, 'delete', 'unknown write op type');
    }
  }
  if (totalBytes > STORE_WRITE_MAX_BYTES) {
    throw new TooLargeError('store write', totalBytes, STORE_WRITE_MAX_BYTES);
  }
}
