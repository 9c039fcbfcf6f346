// Proves copy-on-write file contents read back exactly what a plain byte array would, and that a
// snapshot shares every page it did not change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedFromEnv, withSeed } from '../random.js';
import { PAGE_BYTES, PagedBytes } from './paged-bytes.js';

test('a snapshot is unaffected by later writes and truncates', () => {
  const bytes = new PagedBytes();
  bytes.write(0, Uint8Array.of(1, 2, 3), 0, 3);
  const snapshot = bytes.snapshot();
  bytes.write(1, Uint8Array.of(9), 0, 1);
  bytes.truncate(1);
  assert.deepEqual([...new PagedBytes(snapshot).toBytes()], [1, 2, 3]);
  assert.deepEqual([...bytes.toBytes()], [1]);
});

test('shrinking then growing exposes zeros, also inside a shared page', () => {
  const bytes = new PagedBytes();
  bytes.write(0, new Uint8Array(10).fill(7), 0, 10);
  const shared = bytes.snapshot();
  bytes.truncate(4);
  bytes.truncate(8);
  assert.deepEqual([...bytes.toBytes()], [7, 7, 7, 7, 0, 0, 0, 0]);
  assert.deepEqual([...new PagedBytes(shared).toBytes()], new Array<number>(10).fill(7));
});

test('a write copies only the pages it touches; the others stay shared', () => {
  const bytes = new PagedBytes();
  bytes.write(0, new Uint8Array(3 * PAGE_BYTES).fill(1), 0, 3 * PAGE_BYTES);
  const before = bytes.snapshot();
  bytes.write(PAGE_BYTES + 5, Uint8Array.of(2), 0, 1);
  const after = bytes.snapshot();
  assert.equal(after.pages[0], before.pages[0]);
  assert.notEqual(after.pages[1], before.pages[1]);
  assert.equal(after.pages[2], before.pages[2]);
});

test('seeded random writes, truncates and snapshots match a plain array', () => {
  withSeed(seedFromEnv(), (random) => {
    const bytes = new PagedBytes();
    let model: number[] = [];
    const snapshots: { snapshot: ReturnType<PagedBytes['snapshot']>; model: number[] }[] = [];
    for (let step = 0; step < 400; step++) {
      const position = random.nextInt(3 * PAGE_BYTES);
      if (random.nextInt(4) === 0) {
        bytes.truncate(position);
        model = model.slice(0, position);
        while (model.length < position) model.push(0);
      } else {
        const data = new Uint8Array(random.nextInt(2 * PAGE_BYTES));
        random.fill(data);
        bytes.write(position, data, 0, data.length);
        while (model.length < position) model.push(0);
        model.splice(position, data.length, ...data);
      }
      if (random.nextInt(8) === 0) {
        snapshots.push({ snapshot: bytes.snapshot(), model: [...model] });
      }
      assert.equal(bytes.sizeBytes, model.length, `step ${step}`);
    }
    assert.deepEqual([...bytes.toBytes()], model);
    for (const { snapshot, model: expected } of snapshots) {
      assert.deepEqual([...new PagedBytes(snapshot).toBytes()], expected);
    }
  });
});
