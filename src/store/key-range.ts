/**
 * Key ranges for scans, and their reduction to one half-open interval `[lower, upper)` that any
 * ordered engine can serve. Shared by every backend so they agree on what a range means.
 */
import assert from 'node:assert/strict';
import { STORE_KEY_MAX_BYTES } from '../limits.js';

/**
 * What a scan covers: keys that start with `prefix` (all keys when absent or empty), and are
 * `>= gte` and `< lt` when those are given. `limit` bounds how many entries come back (none when
 * 0); `reverse` scans from the highest key down.
 */
export interface KeyRange {
  readonly prefix?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly limit?: number;
  readonly reverse?: boolean;
}

/**
 * A range reduced to `[lower, upper)`: undefined `lower` means from the first key, undefined
 * `upper` means to the last. `empty` is true when no key can be in the range.
 */
export interface ResolvedKeyRange {
  readonly lower: Uint8Array | undefined;
  readonly upper: Uint8Array | undefined;
  readonly limit: number;
  readonly reverse: boolean;
  readonly empty: boolean;
}

/** Bytewise comparison: negative, zero or positive, like `Buffer.compare`. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when there is
 * none (the prefix is empty or all 0xff bytes, so its keys run to the end of the key space).
 */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  // A copy, never a view: `Buffer#slice` shares memory, and the caller's prefix must not change.
  const bound = Uint8Array.from(prefix.subarray(0, end));
  bound[end - 1] = (bound[end - 1] ?? 0) + 1;
  return bound;
}

export function resolveKeyRange(range: KeyRange = {}): ResolvedKeyRange {
  const limit = range.limit ?? Number.POSITIVE_INFINITY;
  assert.ok(
    limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && limit >= 0),
    'a scan limit must be a non-negative integer',
  );
  const reverse = range.reverse ?? false;
  let lower = nonEmpty(range.gte);
  let upper = nonEmpty(range.lt);
  assert.ok((lower?.length ?? 0) <= STORE_KEY_MAX_BYTES, 'gte is longer than any key');
  assert.ok((upper?.length ?? 0) <= STORE_KEY_MAX_BYTES, 'lt is longer than any key');
  const prefix = nonEmpty(range.prefix);
  if (prefix !== undefined) {
    // No stored key is long enough to carry a prefix longer than the longest key.
    if (prefix.length > STORE_KEY_MAX_BYTES) return { lower, upper, limit, reverse, empty: true };
    if (lower === undefined || compareBytes(prefix, lower) > 0) lower = prefix;
    const prefixEnd = prefixUpperBound(prefix);
    if (prefixEnd !== undefined && (upper === undefined || compareBytes(prefixEnd, upper) < 0)) {
      upper = prefixEnd;
    }
  }
  const empty =
    limit === 0 ||
    (lower !== undefined && upper !== undefined && compareBytes(lower, upper) >= 0);
  return { lower, upper, limit, reverse, empty };
}

function nonEmpty(bytes: Uint8Array | undefined): Uint8Array | undefined {
  if (bytes === undefined) return undefined;
  assert.ok(bytes instanceof Uint8Array, 'range bounds must be Uint8Arrays');
  return bytes.length === 0 ? undefined : bytes;
}
