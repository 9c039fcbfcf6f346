// Proves both checksums match their published check values and each other's implementations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { blake3, crc32c } from './index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('blake3 of "abc" is the published digest', () => {
  assert.equal(
    hex(blake3(Buffer.from('abc'))),
    '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
  );
});

test('blake3 agrees with an independent implementation on both sides of the native threshold', () => {
  for (const size of [0, 1, 1023, 1024, 1025, 16 * 1024 - 1, 16 * 1024, 100_000, 1 << 20]) {
    const input = new Uint8Array(size);
    for (let i = 0; i < size; i++) input[i] = (i * 31 + 7) & 0xff;
    assert.equal(hex(blake3(input)), hex(nobleBlake3(input)), `size ${size}`);
  }
});

test('crc32c of "123456789" is the check value e3069283, also when computed in two pieces', () => {
  const input = Buffer.from('123456789');
  assert.equal(crc32c(input), 0xe3069283);
  assert.equal(crc32c(input.subarray(4), crc32c(input.subarray(0, 4))), 0xe3069283);
});
