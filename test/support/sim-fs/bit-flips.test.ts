// Proves bit flips pick positions inside durable data reproducibly and change exactly one bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { applyBitFlip, describeBitFlip, pickDurableBits, SimFileSystem } from './index.js';

function imageWithFiles(): SimFileSystem {
  const fs = new SimFileSystem();
  for (const [name, size] of [['a', 10], ['b', 0], ['c', 5000]] as const) {
    const handle = fs.open(`/${name}`, 'create-new');
    handle.write(new Uint8Array(size).fill(0x55), 0, size, 0);
    handle.datasync();
  }
  fs.syncDirectory('/');
  return fs.crashNow();
}

test('picked positions lie inside durable data and repeat for the same seed', () => {
  const image = imageWithFiles();
  const flips = pickDurableBits(image, createRandom(3), 200);
  assert.equal(flips.length, 200);
  for (const flip of flips) {
    const size = flip.path === '/a' ? 10 : flip.path === '/c' ? 5000 : 0;
    assert.ok(flip.byteOffset < size && flip.bit >= 0 && flip.bit < 8, describeBitFlip(flip));
  }
  assert.deepEqual(pickDurableBits(image, createRandom(3), 200), flips);
  assert.deepEqual(pickDurableBits(new SimFileSystem(), createRandom(3), 5), []);
});

test('a flip changes exactly one bit, survives a further crash, and spares other images', () => {
  const image = imageWithFiles();
  const untouched = image.crashNow();
  applyBitFlip(image, { path: '/c', byteOffset: 4097, bit: 7 });
  const flipped = [...image.readFile('/c')];
  const expected = new Array<number>(5000).fill(0x55);
  expected[4097] = 0xd5;
  assert.deepEqual(flipped, expected);
  assert.deepEqual([...image.crashNow().readFile('/c')], expected);
  assert.deepEqual([...untouched.readFile('/c')], new Array<number>(5000).fill(0x55));
});

test('flipBit refuses pending files, bits outside 0..7 and bytes past the end', () => {
  const fs = new SimFileSystem();
  const handle = fs.open('/f', 'create-new');
  handle.write(Uint8Array.of(1), 0, 1, 0);
  assert.throws(() => fs.flipBit('/f', 0, 0), /nothing pending/);
  handle.datasync();
  fs.syncDirectory('/');
  assert.throws(() => fs.flipBit('/f', 0, 8), RangeError);
  assert.throws(() => fs.flipBit('/f', 1, 0), RangeError);
  fs.flipBit('/f', 0, 1);
  assert.deepEqual([...fs.readFile('/f')], [3]);
});
