// Proves the record frame's 64-bit durable-through field: written and read without BigInt, its
// bytes are exactly what an unsigned 64-bit little-endian write gives, for values on both sides
// of 2^32 up to the largest safe integer, and a value no offset can reach is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blake3 } from '../checksum/index.js';
import { RECORD_KIND_DATA, checkFrame, frameBytes, writeFrame } from './format.js';

const DURABLE_THROUGH_AT = 16;
const payload = Buffer.from('a payload of some bytes');

function framed(durableThrough: number): Buffer {
  const buffer = Buffer.alloc(frameBytes(payload.length));
  writeFrame(buffer, 0, RECORD_KIND_DATA, payload, blake3(payload), durableThrough);
  return buffer;
}

test('durable-through is 8 bytes little-endian and reads back exactly, past 2^32 too', () => {
  const values = [0, 8, 2 ** 32 - 8, 2 ** 32, 2 ** 32 + 8, 2 ** 40, Number.MAX_SAFE_INTEGER - 7];
  for (const value of values) {
    const buffer = framed(value);
    const expected = Buffer.alloc(8);
    expected.writeBigUInt64LE(BigInt(value));
    const field = buffer.subarray(DURABLE_THROUGH_AT, DURABLE_THROUGH_AT + 8);
    assert.deepEqual(field, expected, `${value}`);
    const check = checkFrame(buffer, 0, buffer.length, Number.MAX_SAFE_INTEGER);
    assert.ok(check.ok, `${value}: ${JSON.stringify(check)}`);
    assert.equal(check.frame.durableThrough, value);
    assert.deepEqual(Buffer.from(check.frame.payload), payload);
  }
});

test('a durable-through beyond the frame\'s own offset is refused, however large', () => {
  for (const [value, offset] of [[16, 8], [2 ** 33, 2 ** 32]] as const) {
    const check = checkFrame(framed(value), 0, frameBytes(payload.length), offset);
    assert.equal(check.ok, false);
    assert.match((check as { reason: string }).reason, /durable-through is impossible/);
  }
  // The top bytes set: larger than any safe integer, read rounded, still refused.
  const buffer = framed(0);
  buffer.writeBigUInt64LE(2n ** 64n - 8n, DURABLE_THROUGH_AT);
  const check = checkFrame(buffer, 0, buffer.length, Number.MAX_SAFE_INTEGER);
  assert.equal(check.ok, false);
  assert.match((check as { reason: string }).reason, /durable-through is impossible/);
});
