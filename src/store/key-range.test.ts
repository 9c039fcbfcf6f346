// Proves a KeyRange reduces to the right half-open interval: prefix bounds, intersections with
// gte/lt, and the ranges that are empty before any engine is asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STORE_KEY_MAX_BYTES } from '../limits.js';
import { compareBytes, prefixUpperBound, resolveKeyRange } from './key-range.js';

const b = (...values: number[]): Uint8Array => new Uint8Array(values);

test('compareBytes orders bytewise, a prefix before its extensions', () => {
  assert.ok(compareBytes(b(0x61), b(0x61, 0x00)) < 0);
  assert.ok(compareBytes(b(0x61, 0xff), b(0x62)) < 0);
  assert.ok(compareBytes(b(0xff), b(0x00, 0x00)) > 0);
  assert.equal(compareBytes(b(1, 2), b(1, 2)), 0);
});

test('the upper bound of a prefix skips trailing 0xff bytes, and is absent for all-0xff', () => {
  assert.deepEqual(prefixUpperBound(b(0x61)), b(0x62));
  assert.deepEqual(prefixUpperBound(b(0x61, 0xff, 0xff)), b(0x62));
  assert.deepEqual(prefixUpperBound(b(0x61, 0x00)), b(0x61, 0x01));
  assert.equal(prefixUpperBound(b(0xff, 0xff)), undefined);
  assert.equal(prefixUpperBound(b()), undefined);
});

test('prefixUpperBound never changes the prefix it is given, even a Buffer', () => {
  const prefix = Buffer.from([0x53, 0x3a, 0x61]);
  prefixUpperBound(prefix);
  assert.deepEqual([...prefix], [0x53, 0x3a, 0x61]);
});

test('a prefix narrows gte and lt to their intersection', () => {
  const range = resolveKeyRange({ prefix: b(0x61), gte: b(0x60), lt: b(0x61, 0x80) });
  assert.deepEqual(range.lower, b(0x61));
  assert.deepEqual(range.upper, b(0x61, 0x80));
  assert.equal(range.empty, false);
  const wider = resolveKeyRange({ prefix: b(0x61), gte: b(0x61, 0x10), lt: b(0x70) });
  assert.deepEqual(wider.lower, b(0x61, 0x10));
  assert.deepEqual(wider.upper, b(0x62));
});

test('ranges that cannot hold a key are empty before any engine is asked', () => {
  assert.equal(resolveKeyRange({ limit: 0 }).empty, true);
  assert.equal(resolveKeyRange({ gte: b(2), lt: b(2) }).empty, true);
  assert.equal(resolveKeyRange({ prefix: b(0x61), gte: b(0x62) }).empty, true);
  assert.equal(resolveKeyRange({ prefix: new Uint8Array(STORE_KEY_MAX_BYTES + 1) }).empty, true);
  assert.equal(resolveKeyRange({}).empty, false);
  assert.equal(resolveKeyRange({ prefix: b(), gte: b(), lt: b() }).lower, undefined);
});

test('a negative or fractional limit is a programmer error', () => {
  assert.throws(() => resolveKeyRange({ limit: -1 }), assert.AssertionError);
  assert.throws(() => resolveKeyRange({ limit: 1.5 }), assert.AssertionError);
});
