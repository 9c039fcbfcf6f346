// Proves injected faults behave as the fault model says: a failed sync loses its data for good,
// a short write writes a prefix and says so, and faults fire exactly on the calls they name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileHandle } from '../../../src/durability/file-system.js';
import { SimFileSystem } from './index.js';

function freshLog(): { fs: SimFileSystem; handle: FileHandle } {
  const fs = new SimFileSystem();
  fs.mkdir('/db');
  fs.syncDirectory('/');
  const handle = fs.open('/db/log', 'create-new');
  fs.syncDirectory('/db');
  return { fs, handle };
}

function contents(fs: SimFileSystem, path: string): number[] | null {
  return fs.exists(path) ? [...fs.readFile(path)] : null;
}

test('a failed datasync loses pending data for good: a later datasync cannot save it', () => {
  const { fs, handle } = freshLog();
  const fault = fs.failAt({ op: 'datasync', nth: 1, error: 'EIO', mode: 'once' });
  handle.write(Uint8Array.of(1, 2), 0, 2, 0);
  assert.throws(() => handle.datasync(), { code: 'EIO', syscall: 'fdatasync' });
  assert.equal(fault.firedCount, 1);
  assert.deepEqual(contents(fs, '/db/log'), [1, 2], 'this process still reads the lost bytes');
  handle.write(Uint8Array.of(3), 0, 1, 2);
  handle.datasync();
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [0, 0, 3]);
  for (const image of fs.crashImages()) {
    assert.notDeepEqual(contents(image.fs, '/db/log')?.slice(0, 2), [1, 2], image.description);
  }
});

test('a failed sync with ENOSPC also drops the data, and forever fails every later sync', () => {
  const { fs, handle } = freshLog();
  fs.failAt({ op: 'sync', nth: 1, error: 'ENOSPC', mode: 'forever' });
  handle.write(Uint8Array.of(1), 0, 1, 0);
  assert.throws(() => handle.sync(), { code: 'ENOSPC', syscall: 'fsync' });
  assert.throws(() => handle.sync(), { code: 'ENOSPC' });
  handle.datasync();
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), []);
});

test('a failed directory sync loses the pending entries for good', () => {
  const { fs } = freshLog();
  fs.failAt({ op: 'syncDirectory', nth: 1, error: 'EIO', mode: 'once' });
  fs.open('/db/new', 'create-new').close();
  assert.throws(() => fs.syncDirectory('/db'), { code: 'EIO' });
  assert.equal(fs.exists('/db/new'), true);
  fs.syncDirectory('/db');
  assert.equal(fs.crashNow().exists('/db/new'), false);
  assert.ok([...fs.crashImages()].every((image) => !image.fs.exists('/db/new')));
});

test('a short write writes the first half and returns that count, then ENOSPC forever', () => {
  const { fs, handle } = freshLog();
  fs.failAt({ op: 'write', nth: 2, error: 'short-write', mode: 'forever' });
  assert.equal(handle.write(Uint8Array.of(1, 1), 0, 2, 0), 2);
  assert.equal(handle.write(Uint8Array.of(2, 3, 4, 5, 6), 0, 5, 2), 2);
  assert.deepEqual(contents(fs, '/db/log'), [1, 1, 2, 3]);
  const full = { code: 'ENOSPC', syscall: 'write' };
  assert.throws(() => handle.write(Uint8Array.of(9), 0, 1, 4), full);
  assert.deepEqual(contents(fs, '/db/log'), [1, 1, 2, 3]);
  const short = fs.log.entries.find((entry) => entry.kind === 'write' && entry.length === 5);
  assert.ok(short?.kind === 'write');
  assert.equal(short.written, 2);
  assert.equal(short.error, undefined);
});

test('a short write of one byte writes nothing and fails with ENOSPC', () => {
  const { fs, handle } = freshLog();
  fs.failAt({ op: 'write', nth: 1, error: 'short-write', mode: 'once' });
  assert.throws(() => handle.write(Uint8Array.of(7), 0, 1, 0), { code: 'ENOSPC' });
  assert.equal(handle.write(Uint8Array.of(7), 0, 1, 0), 1);
  assert.deepEqual(contents(fs, '/db/log'), [7]);
});

test('a once fault fails only the nth matching call, and the failed call changes nothing', () => {
  const { fs, handle } = freshLog();
  const fault = fs.failAt({ op: 'write', nth: 2, error: 'EIO', mode: 'once' });
  handle.write(Uint8Array.of(1), 0, 1, 0);
  assert.throws(() => handle.write(Uint8Array.of(2), 0, 1, 1), { code: 'EIO' });
  handle.write(Uint8Array.of(3), 0, 1, 1);
  assert.deepEqual(contents(fs, '/db/log'), [1, 3]);
  assert.equal(fault.firedCount, 1);
  assert.equal(fs.pendingOperationCount(), 2);
});

test('a path filter limits which calls count', () => {
  const { fs, handle } = freshLog();
  const other = fs.open('/db/other', 'create-new');
  const onLog = (path: string): boolean => path.endsWith('/log');
  fs.failAt({ op: 'datasync', nth: 2, error: 'EIO', mode: 'once', pathFilter: onLog });
  handle.datasync();
  other.datasync();
  other.datasync();
  assert.throws(() => handle.datasync(), { code: 'EIO' });
});

test('failed open, rename, unlink and truncate leave the file system as it was', () => {
  const { fs, handle } = freshLog();
  handle.write(Uint8Array.of(1, 2), 0, 2, 0);
  for (const op of ['open', 'rename', 'unlink', 'truncate'] as const) {
    fs.failAt({ op, nth: 1, error: 'EIO', mode: 'once' });
  }
  assert.throws(() => fs.open('/db/new', 'create-new'), { code: 'EIO', syscall: 'open' });
  assert.throws(() => fs.rename('/db/log', '/db/moved'), { code: 'EIO', syscall: 'rename' });
  assert.throws(() => fs.unlink('/db/log'), { code: 'EIO', syscall: 'unlink' });
  assert.throws(() => handle.truncate(0), { code: 'EIO', syscall: 'ftruncate' });
  assert.deepEqual(fs.readdir('/db'), ['log']);
  assert.deepEqual(contents(fs, '/db/log'), [1, 2]);
  assert.equal(fs.pendingOperationCount(), 1);
});

test('faults count only calls that would otherwise succeed; firedCount shows a site hit', () => {
  const { fs } = freshLog();
  const fault = fs.failAt({ op: 'open', nth: 1, error: 'EIO', mode: 'once' });
  assert.throws(() => fs.open('/db/missing', 'read'), { code: 'ENOENT' });
  assert.equal(fault.firedCount, 0);
  assert.throws(() => fs.open('/db/log', 'read'), { code: 'EIO' });
  assert.equal(fault.firedCount, 1);
  fs.clearFaults();
  fs.open('/db/log', 'read').close();
});

test('a fault spec that cannot apply is refused', () => {
  const fs = new SimFileSystem();
  assert.throws(() => fs.failAt({ op: 'datasync', nth: 1, error: 'short-write', mode: 'once' }));
  assert.throws(() => fs.failAt({ op: 'write', nth: 0, error: 'EIO', mode: 'once' }));
});
