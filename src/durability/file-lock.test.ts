// Proves the directory lock excludes a second holder in this process and in another, and that the
// kernel frees it the moment its holder is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { FileLock, lockDirectory } from './file-lock.js';

test('a second handle in the same process cannot take a held lock until it is released', (t) => {
  const file = path.join(makeTempDir(t), 'locked.quarantine');
  const first = FileLock.open(file);
  const second = FileLock.open(file);
  t.after(() => {
    first.close();
    second.close();
  });
  assert.equal(first.tryLock(), true);
  assert.equal(second.tryLock(), false);
  first.unlock();
  assert.equal(second.tryLock(), true);
});

test('lock() waits until the holder releases the lock', async (t) => {
  const file = path.join(makeTempDir(t), 'LOCK');
  const first = FileLock.open(file);
  const second = FileLock.open(file);
  t.after(() => {
    first.close();
    second.close();
  });
  assert.equal(first.tryLock(), true);
  const waiting = second.lock();
  let granted = false;
  void waiting.then(() => (granted = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(granted, false);
  first.unlock();
  await waiting;
  assert.equal(second.held, true);
});

test('lockDirectory refuses a second opener with FILE_LOCKED naming the directory', (t) => {
  const dir = makeTempDir(t);
  const lock = lockDirectory(dir);
  t.after(() => lock.close());
  assert.throws(() => lockDirectory(dir), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'FILE_LOCKED');
    assert.equal((error as { path?: string }).path, dir);
    return true;
  });
  lock.close();
  lockDirectory(dir).close();
});

test('another process is refused while the lock is held, and gets it as soon as the holder is killed', async (t) => {
  const dir = makeTempDir(t);
  const holderSource = `
    const { lockDirectory } = await import(${JSON.stringify(new URL('./file-lock.ts', import.meta.url).href)});
    lockDirectory(process.argv[1]);
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holderSource, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => holder.kill('SIGKILL'));
  const [chunk] = (await once(holder.stdout, 'data')) as [Buffer];
  assert.equal(chunk.toString().trim(), 'locked');
  assert.throws(() => lockDirectory(dir), { code: 'FILE_LOCKED' });
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  lockDirectory(dir).close();
});
