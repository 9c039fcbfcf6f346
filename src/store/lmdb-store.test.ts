// Proves LmdbStore meets the KVStore contract and adds the LMDB-specific guarantees: one open per
// directory per process, coded errors on open, and directory creation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { runKVStoreConformance } from './kv-store.conformance.js';
import { LmdbStore } from './lmdb-store.js';

runKVStoreConformance({ name: 'LmdbStore', open: (directory) => LmdbStore.open(directory) });

test('a second open of a directory in one process fails FILE_LOCKED until closed', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const first = await LmdbStore.open(directory);
  await assert.rejects(LmdbStore.open(path.join(directory, '.')), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'FILE_LOCKED');
    assert.equal((error as { path?: unknown }).path, first.path);
    return true;
  });
  await first.close();
  const second = await LmdbStore.open(directory);
  await second.close();
});

test('of two concurrent opens of one directory, one gets the store and one FILE_LOCKED', async (t) => {
  const directory = path.join(makeTempDir(t), 'store');
  const outcomes = await Promise.allSettled([LmdbStore.open(directory), LmdbStore.open(directory)]);
  const opened = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome] : []));
  const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome] : []));
  assert.equal(opened.length, 1);
  assert.equal(refused.length, 1);
  assert.equal((refused[0]?.reason as { code?: unknown }).code, 'FILE_LOCKED');
  await opened[0]?.value.close();
  const again = await LmdbStore.open(directory);
  await again.close();
});

test('opening where a file stands fails IO_ERROR naming the path', async (t) => {
  const file = path.join(makeTempDir(t), 'not-a-directory');
  fs.writeFileSync(file, 'x');
  await assert.rejects(LmdbStore.open(file), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'IO_ERROR');
    assert.equal((error as { path?: unknown }).path, file);
    return true;
  });
});

test('open creates missing parents and keeps data.mdb inside the directory', async (t) => {
  const directory = path.join(makeTempDir(t), 'a', 'b', 'store.lmdb');
  const store = await LmdbStore.open(directory);
  await store.write([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }]);
  await store.close();
  assert.ok(fs.statSync(path.join(directory, 'data.mdb')).isFile());
});
