// Proves the real file-I/O implementation refuses every call on a closed handle instead of
// reaching whatever file later reuses its descriptor number.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { nodeFileSystem } from './node-file-system.js';

test('a closed handle refuses reads, writes, syncs and a second close with EBADF', (t) => {
  const dir = makeTempDir(t);
  const first = nodeFileSystem.open(path.join(dir, 'a'), 'create-new');
  first.close();
  const second = nodeFileSystem.open(path.join(dir, 'b'), 'create-new');
  const bytes = new Uint8Array([1, 2, 3]);
  for (const call of [
    () => first.write(bytes, 0, bytes.length, 0),
    () => first.read(new Uint8Array(3), 0, 3, 0),
    () => first.datasync(),
    () => first.sync(),
    () => first.truncate(0),
    () => first.size(),
    () => first.close(),
  ]) {
    assert.throws(call, { code: 'EBADF' });
  }
  second.close();
  assert.equal(fs.statSync(path.join(dir, 'b')).size, 0, 'nothing reached the file that took the descriptor');
});
