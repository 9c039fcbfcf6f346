// Proves the seeded generator is reproducible, stays in range, and that seeds replay from the env.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, replayHint, seedFromEnv, withSeed } from './random.js';

const draw = (seed: number, count: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random.nextUint32());
};

test('the same seed gives the same sequence, and another seed another one', () => {
  assert.deepEqual(draw(42, 50), draw(42, 50));
  assert.notDeepEqual(draw(42, 50), draw(43, 50));
  assert.equal(createRandom(2 ** 32 + 5).seed, 5);
});

test('mulberry32 yields its reference values', () => {
  assert.deepEqual(draw(0, 3), [1144304738, 1416247, 958946056]);
});

test('nextInt stays in [0, max) and reaches every value of a small range', () => {
  const random = createRandom(9);
  for (const max of [1, 2, 3, 10, 2 ** 32, 2 ** 40]) {
    for (let i = 0; i < 200; i++) {
      const value = random.nextInt(max);
      assert.ok(Number.isInteger(value) && value >= 0 && value < max, `${value} < ${max}`);
    }
  }
  const seen = new Set(Array.from({ length: 200 }, () => random.nextInt(7)));
  assert.equal(seen.size, 7);
  assert.throws(() => random.nextInt(0), RangeError);
});

test('nextFloat stays in [0, 1) and fill writes every byte, an odd tail included', () => {
  const random = createRandom(11);
  for (let i = 0; i < 1000; i++) {
    const value = random.nextFloat();
    assert.ok(value >= 0 && value < 1);
  }
  const bytes = new Uint8Array(4003);
  random.fill(bytes);
  assert.ok(bytes.subarray(4000).some((b) => b !== 0));
  assert.ok(new Set(bytes).size > 200);
});

test('seedFromEnv reads STEMEDB_SEED (decimal or hex), refuses garbage, else makes one', () => {
  assert.equal(seedFromEnv({ STEMEDB_SEED: '1234' }), 1234);
  assert.equal(seedFromEnv({ STEMEDB_SEED: '0xff' }), 255);
  assert.throws(() => seedFromEnv({ STEMEDB_SEED: 'abc' }), RangeError);
  assert.throws(() => seedFromEnv({ STEMEDB_SEED: '-1' }), RangeError);
  const made = seedFromEnv({});
  assert.ok(Number.isInteger(made) && made >= 0 && made < 2 ** 32);
});

test('withSeed adds the replay hint to a failure', () => {
  assert.throws(
    () => withSeed(77, () => assert.fail('boom')),
    (error: Error) => error.message.includes(replayHint(77)),
  );
  assert.equal(replayHint(77), 'replay with STEMEDB_SEED=77');
});
