// Proves atomicWrite replaces a file whole, leaves no temporary file, and cleans up after a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { faultyFileSystem, systemError } from '../../test/support/faulty-file-system.js';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { atomicWrite, syncDirectory, temporaryPathFor } from './atomic-write.js';

test('atomicWrite writes the content and leaves no temporary file', (t) => {
  const target = path.join(makeTempDir(t), 'atomic.txt');
  atomicWrite(target, Buffer.from('atomic content'));
  assert.equal(fs.readFileSync(target, 'utf8'), 'atomic content');
  assert.equal(fs.existsSync(temporaryPathFor(target)), false);
});

test('atomicWrite replaces existing content whole and survives a stale temporary file', (t) => {
  const target = path.join(makeTempDir(t), 'state');
  atomicWrite(target, Buffer.from('old'));
  fs.writeFileSync(temporaryPathFor(target), 'left by a crash');
  atomicWrite(target, Buffer.from('new and longer'));
  assert.equal(fs.readFileSync(target, 'utf8'), 'new and longer');
  assert.equal(fs.existsSync(temporaryPathFor(target)), false);
});

test('a failed fsync of the temporary file keeps the old content and removes the temporary', (t) => {
  const target = path.join(makeTempDir(t), 'state');
  atomicWrite(target, Buffer.from('old'));
  const failingSync = faultyFileSystem(() => ({
    sync: () => {
      throw systemError('EIO');
    },
  }));
  assert.throws(() => atomicWrite(target, Buffer.from('new'), failingSync), { code: 'FSYNC_FAILED' });
  assert.equal(fs.readFileSync(target, 'utf8'), 'old');
  assert.equal(fs.existsSync(temporaryPathFor(target)), false);
});

test('syncDirectory fsyncs an existing directory and reports a missing one as FSYNC_FAILED', (t) => {
  const dir = makeTempDir(t);
  syncDirectory(dir);
  assert.throws(() => syncDirectory(path.join(dir, 'missing')), { code: 'FSYNC_FAILED' });
});
