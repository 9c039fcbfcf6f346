// Proves LevelStore meets the KVStore contract and adds the LevelDB-specific guarantees: one open
// per directory, coded errors on open, and the batch markers that refuse a store whose log
// recovery skipped a committed batch. The damage tests break a real LevelDB log and first show
// that LevelDB itself does skip the damaged batch and keep the later one, so the guard is what
// stands between that and a cursor ahead of its data.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { closeAtEnd, makeTempDir } from '../../test/support/temp-dir.js';
import { runKVStoreConformance } from './kv-store.conformance.js';
import { LevelStore } from './level-store.js';
import type { WriteOp } from './kv-store.js';

runKVStoreConformance({ name: 'LevelStore', open: (directory) => LevelStore.open(directory) });

const utf8 = new TextEncoder();
/** Larger than LevelDB's 32 KiB log block, so each batch's record spans blocks of its own. */
const BIG_VALUE_BYTES = 80 * 1024;

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

function bigPut(name: string, fill: number): WriteOp {
  return { type: 'put', key: utf8.encode(name), value: new Uint8Array(BIG_VALUE_BYTES).fill(fill) };
}

/** Writes three batches (`one`, `two`, `three`) and closes, leaving them in LevelDB's log. */
async function writeThreeBatches(directory: string): Promise<string> {
  const store = await LevelStore.open(directory);
  await store.write([bigPut('one', 0x11)]);
  await store.write([bigPut('two', 0x22)]);
  await store.write([bigPut('three', 0x33)]);
  await store.close();
  const logs = fs.readdirSync(directory).filter((name) => name.endsWith('.log'));
  assert.equal(logs.length, 1, `expected one LevelDB log, found ${logs.join(', ')}`);
  return path.join(directory, logs[0] ?? '');
}

/** Overwrites `length` bytes of `file` at `position` with a pattern no checksum accepts. */
function damage(file: string, position: number, length: number): void {
  const handle = fs.openSync(file, 'r+');
  try {
    fs.writeSync(handle, Buffer.alloc(length, 0xa5), 0, length, position);
  } finally {
    fs.closeSync(handle);
  }
}

/** Position of the first occurrence of a run of `fill` bytes in `file`. */
function positionOfValue(file: string, fill: number): number {
  const position = fs.readFileSync(file).indexOf(Buffer.alloc(64, fill));
  assert.ok(position >= 0, `value 0x${fill.toString(16)} not found in the log`);
  return position;
}

/** The caller keys LevelDB itself holds after recovery, read without LevelStore's guard. */
async function keysSeenByLevelDb(directory: string): Promise<string[]> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.open();
  try {
    const names: string[] = [];
    for await (const key of db.keys({ gte: new Uint8Array([1]), lt: new Uint8Array([2]) })) {
      names.push(Buffer.from(key.subarray(1)).toString());
    }
    return names.sort();
  } finally {
    await db.close();
  }
}

/** Every entry LevelDB itself holds, markers included, read without LevelStore. */
async function rawEntries(directory: string): Promise<Array<[Uint8Array, Uint8Array]>> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.open();
  try {
    return await db.iterator().all();
  } finally {
    await db.close();
  }
}

// classic-level 3.0.0 leaks its native copy of every empty value it is handed (see level-store.ts).
test('no value LevelDB holds is empty, though empty values read back empty', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const store = await LevelStore.open(directory);
  await store.write([
    { type: 'put', key: utf8.encode('empty'), value: new Uint8Array(0) },
    { type: 'put', key: utf8.encode('escaped'), value: new Uint8Array([0xff, 0x07]) },
    { type: 'put', key: utf8.encode('plain'), value: new Uint8Array([0x07]) },
  ]);
  await store.write([{ type: 'put', key: utf8.encode('second'), value: new Uint8Array(0) }]);
  await store.close();

  const entries = await rawEntries(directory);
  assert.equal(entries.length, 6, 'four caller keys and the two batch markers');
  for (const [key, value] of entries) {
    assert.ok(value.length > 0, `the engine holds an empty value at ${Buffer.from(key).toString('hex')}`);
  }
  const reopened = await LevelStore.open(directory);
  closeAtEnd(t, () => reopened.close());
  assert.deepEqual(reopened.getSync(utf8.encode('empty')), new Uint8Array(0));
  assert.deepEqual(reopened.getSync(utf8.encode('second')), new Uint8Array(0));
  assert.deepEqual(reopened.getSync(utf8.encode('escaped')), new Uint8Array([0xff, 0x07]));
  assert.deepEqual(reopened.getSync(utf8.encode('plain')), new Uint8Array([0x07]));
});

test('a store written with empty values in the engine, as before they were escaped, reads them back', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const store = await LevelStore.open(directory);
  await store.write([{ type: 'put', key: utf8.encode('k'), value: new Uint8Array([0x07]) }]);
  await store.close();
  // Rewrite the caller's entry and the markers with empty values, as earlier versions stored them.
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.open();
  const entries = await db.iterator().all();
  await db.batch(entries.map(([key]) => ({ type: 'put' as const, key, value: new Uint8Array(0) })));
  await db.close();

  const reopened = await LevelStore.open(directory);
  closeAtEnd(t, () => reopened.close());
  assert.deepEqual(reopened.getSync(utf8.encode('k')), new Uint8Array(0));
  assert.deepEqual(await reopened.getMany([utf8.encode('k')]), [new Uint8Array(0)]);
  await reopened.write([{ type: 'put', key: utf8.encode('later'), value: new Uint8Array([0x08]) }]);
  assert.deepEqual(reopened.getSync(utf8.encode('later')), new Uint8Array([0x08]));
});

test('a batch lost in the middle of the log fails open with CORRUPTION', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const log = await writeThreeBatches(directory);
  damage(log, positionOfValue(log, 0x22) + 40_000, 4096);
  const copy = `${directory}-raw`;
  fs.cpSync(directory, copy, { recursive: true });
  assert.deepEqual(await keysSeenByLevelDb(copy), ['one', 'three'], 'LevelDB skipped the batch');

  await assert.rejects(LevelStore.open(directory), (error: unknown) => {
    assert.equal(codeOf(error), 'CORRUPTION');
    assert.match(String((error as Error).message), /lost a committed batch/);
    return true;
  });
});

test('losing the first batch while later ones survive fails open with CORRUPTION', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const log = await writeThreeBatches(directory);
  damage(log, positionOfValue(log, 0x11) + 40_000, 4096);
  const copy = `${directory}-raw`;
  fs.cpSync(directory, copy, { recursive: true });
  assert.deepEqual(await keysSeenByLevelDb(copy), ['three', 'two'], 'LevelDB skipped the batch');

  await assert.rejects(LevelStore.open(directory), (error: unknown) => {
    assert.equal(codeOf(error), 'CORRUPTION');
    return true;
  });
});

test('a torn last batch is dropped whole and the store opens with the batches before it', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const log = await writeThreeBatches(directory);
  fs.truncateSync(log, positionOfValue(log, 0x33) + 50_000);

  const store = await LevelStore.open(directory);
  assert.equal(store.getSync(utf8.encode('one'))?.[0], 0x11);
  assert.equal(store.getSync(utf8.encode('two'))?.[0], 0x22);
  assert.equal(store.getSync(utf8.encode('three')), undefined);
  // Writing continues the marker sequence from what survived, so the next open finds it whole.
  await store.write([bigPut('four', 0x44)]);
  await store.close();
  const reopened = await LevelStore.open(directory);
  assert.equal(reopened.getSync(utf8.encode('four'))?.[0], 0x44);
  await reopened.close();
});

test('a LevelDB directory holding data but no batch markers is refused', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.put(new Uint8Array([1, 2]), new Uint8Array([3]));
  await db.close();
  await assert.rejects(LevelStore.open(directory), (error: unknown) => {
    assert.equal(codeOf(error), 'CORRUPTION');
    return true;
  });
});

test('a second open of a directory fails FILE_LOCKED until the first is closed', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const first = await LevelStore.open(directory);
  await assert.rejects(LevelStore.open(path.join(directory, '.')), (error: unknown) => {
    assert.equal(codeOf(error), 'FILE_LOCKED');
    return true;
  });
  await first.close();
  const second = await LevelStore.open(directory);
  await second.close();
});

test('opening where a file stands fails IO_ERROR naming the path', async (t) => {
  const file = path.join(makeTempDir(t), 'not-a-directory');
  fs.writeFileSync(file, 'x');
  await assert.rejects(LevelStore.open(file), (error: unknown) => {
    assert.equal(codeOf(error), 'IO_ERROR');
    assert.equal((error as { path?: unknown }).path, file);
    return true;
  });
});

test('writes issued together are applied in call order, each whole', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const store = await LevelStore.open(directory);
  const key = utf8.encode('k');
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < 50; i++) {
    writes.push(
      store.write([
        { type: 'put', key, value: new Uint8Array([i]) },
        { type: 'put', key: utf8.encode(`k${String(i).padStart(2, '0')}`), value: new Uint8Array([i]) },
      ]),
    );
  }
  await Promise.all(writes);
  assert.equal(store.getSync(key)?.[0], 49);
  let count = 0;
  for await (const [entryKey] of store.iterate({ prefix: utf8.encode('k') })) {
    if (entryKey.length > 1) count++;
  }
  assert.equal(count, 50);
  await store.close();
  const reopened = await LevelStore.open(directory);
  assert.equal(reopened.getSync(key)?.[0], 49);
  await reopened.close();
});

test('writes of every size keep their keys whole, one after another and issued together', async (t) => {
  // The store builds each write's engine keys in one reused buffer, grown up to a cap; a write
  // whose keys pass the cap gets a buffer of its own. Sizes around both, then small again.
  const directory = path.join(makeTempDir(t), 'store');
  const store = await LevelStore.open(directory);
  const keyOf = (write: number, op: number, length: number): Uint8Array => {
    const key = new Uint8Array(length);
    for (let i = 0; i < length; i++) key[i] = (write * 7 + op * 13 + i) & 0xff;
    key.set(utf8.encode(`w${String(write).padStart(3, '0')}:${String(op).padStart(6, '0')}:`), 0);
    return key;
  };
  const shapes = [[10, 40], [2000, 100], [200, 1000], [3000, 400], [5, 20], [1200, 1000], [1, 16]];
  const expected = new Map<string, number>();
  const writesOf = (from: number) =>
    shapes.map(([ops, keyLength], i) => {
      const write = from + i;
      return Array.from({ length: ops as number }, (_, op): WriteOp => {
        const key = keyOf(write, op, keyLength as number);
        expected.set(Buffer.from(key).toString('hex'), write);
        return { type: 'put', key, value: new Uint8Array([write]) };
      });
    });
  for (const ops of writesOf(0)) await store.write(ops);
  await Promise.all(writesOf(shapes.length).map((ops) => store.write(ops)));
  let seen = 0;
  for await (const [key, value] of store.iterate({ prefix: utf8.encode('w') })) {
    assert.equal(expected.get(Buffer.from(key).toString('hex')), value[0], 'a key read back whole');
    seen++;
  }
  assert.equal(seen, expected.size);
  await store.close();
});
