// Proves the byte helpers against Node's own encoders: hex and latin1 of every length the scratch
// path covers, around its size, and past it, with every byte value; hex parsing refuses anything
// but exactly the digits asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, toHex, toLatin1 } from './bytes.js';

function patterned(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 131 + seed * 17) & 0xff;
  return bytes;
}

test('toHex and toLatin1 agree with Buffer for every length up to past the scratch size', () => {
  for (const length of [...Array.from({ length: 300 }, (_, i) => i), 1000, 4096]) {
    const bytes = patterned(length, length);
    const expected = Buffer.from(bytes);
    assert.equal(toHex(bytes), expected.toString('hex'), `hex of ${length} bytes`);
    assert.equal(toLatin1(bytes), expected.toString('latin1'), `latin1 of ${length} bytes`);
  }
});

test('toHex and toLatin1 read only the view, not the rest of its buffer, change nothing', () => {
  const whole = patterned(512, 3);
  const before = Uint8Array.from(whole);
  const view = whole.subarray(100, 132);
  assert.equal(toHex(view), Buffer.from(whole.slice(100, 132)).toString('hex'));
  assert.equal(toLatin1(whole.subarray(7, 9)), String.fromCharCode(whole[7] ?? 0, whole[8] ?? 0));
  // A short conversion after a long one must not show the long one's leftover bytes.
  assert.equal(toHex(whole.subarray(0, 200)).length, 400);
  assert.equal(toHex(whole.subarray(0, 1)), (whole[0] ?? 0).toString(16).padStart(2, '0'));
  assert.deepEqual(whole, before);
});

test('every byte value round-trips through toHex and fromHex', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(fromHex(toHex(all), 256), all);
  assert.deepEqual(fromHex(toHex(all).toUpperCase(), 256), all);
  assert.equal(toLatin1(all).length, 256);
  assert.equal(toLatin1(all).charCodeAt(255), 255);
});

test('fromHex refuses a wrong length or any non-hex digit', () => {
  assert.equal(fromHex('abc', 2), undefined);
  assert.equal(fromHex('abcdef', 2), undefined);
  assert.equal(fromHex('zz', 1), undefined);
  assert.equal(fromHex('0g', 1), undefined);
  assert.equal(fromHex(' a', 1), undefined);
  assert.deepEqual(fromHex('', 0), new Uint8Array(0));
});
