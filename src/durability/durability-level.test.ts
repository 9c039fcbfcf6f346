// Proves the durability levels' defaults and the parsing of the option callers pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_DEFAULT_MAX_DELAY_MS, BATCH_DEFAULT_MAX_WRITES } from '../limits.js';
import { DurabilityLevel, parseDurability } from './durability-level.js';

test('the default durability level is immediate', () => {
  assert.deepEqual(DurabilityLevel.default(), { kind: 'immediate' });
  assert.deepEqual(parseDurability(undefined), { kind: 'immediate' });
});

test('batched defaults to 100 writes or 10 ms', () => {
  const level = DurabilityLevel.batched();
  assert.deepEqual(level, { kind: 'batched', maxWrites: 100, maxDelayMs: 10 });
  assert.equal(BATCH_DEFAULT_MAX_WRITES, 100);
  assert.equal(BATCH_DEFAULT_MAX_DELAY_MS, 10);
  assert.deepEqual(parseDurability('batched'), level);
});

test('names and level values parse to the same level', () => {
  assert.deepEqual(parseDurability('eventual'), DurabilityLevel.eventual());
  assert.deepEqual(
    parseDurability({ kind: 'batched', maxWrites: 3, maxDelayMs: 60_000 }),
    DurabilityLevel.batched({ maxWrites: 3, maxDelayMs: 60_000 }),
  );
});

test('unknown names and bad batch parameters are refused with INVALID_ARGUMENT', () => {
  for (const bad of ['sometimes', 7, null, { kind: 'batched', maxWrites: 0 }, { kind: 'x' }]) {
    assert.throws(() => parseDurability(bad), { code: 'INVALID_ARGUMENT' }, String(bad));
  }
  assert.throws(() => DurabilityLevel.batched({ maxDelayMs: Number.NaN }), {
    code: 'INVALID_ARGUMENT',
  });
});
