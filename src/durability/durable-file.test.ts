// Proves the sync policy of each durability level, the batched delay timer, sync on close and
// fail-stop after a failed sync: the reference module's tests, and what the timer adds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemError, wrapHandle } from '../../test/support/faulty-file-system.js';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { DurabilityLevel } from './durability-level.js';
import { DurableFile } from './durable-file.js';
import { nodeFileSystem } from './node-file-system.js';

/** A real file whose handle counts datasync calls and can be told to fail them. */
function createTestFile(t: Parameters<typeof makeTempDir>[0]) {
  const filePath = path.join(makeTempDir(t), 'test.quarantine');
  const handle = nodeFileSystem.open(filePath, 'create-new');
  const probe = { syncs: 0, failSync: false };
  const counting = wrapHandle(handle, {
    datasync: () => {
      if (probe.failSync) throw systemError('EIO');
      probe.syncs++;
      handle.datasync();
    },
  });
  return { filePath, handle: counting, probe };
}

const bytes = (text: string): Uint8Array => Buffer.from(text);

test('immediate syncs every write before it returns', (t) => {
  const { filePath, handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.immediate());
  assert.equal(file.write(bytes('hello')), true);
  assert.equal(file.pendingWrites, 0);
  assert.equal(probe.syncs, 1);
  assert.equal(fs.readFileSync(filePath, 'utf8'), 'hello');
  file.close();
});

test('batched syncs when pending writes reach maxWrites', (t) => {
  const { handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.batched({ maxWrites: 3, maxDelayMs: 60_000 }));
  file.write(bytes('1'));
  assert.equal(file.pendingWrites, 1);
  file.write(bytes('2'));
  assert.equal(file.pendingWrites, 2);
  file.write(bytes('3'));
  assert.equal(file.pendingWrites, 0);
  assert.equal(probe.syncs, 1);
  file.close();
});

test('batched syncs on the next write once maxDelayMs has passed since the last sync', (t) => {
  const { handle, probe } = createTestFile(t);
  let nowMs = 0;
  const file = new DurableFile(handle, DurabilityLevel.batched({ maxWrites: 100, maxDelayMs: 10 }), {
    nowMs: () => nowMs,
  });
  assert.equal(file.write(bytes('a')), false);
  nowMs = 9;
  assert.equal(file.write(bytes('b')), false);
  nowMs = 10;
  assert.equal(file.write(bytes('c')), true);
  assert.equal(file.pendingWrites, 0);
  assert.equal(probe.syncs, 1);
  file.close();
});

test('batched syncs a lone write from its timer when no further write comes', async (t) => {
  const { handle, probe } = createTestFile(t);
  const outcomes: Array<Error | undefined> = [];
  const file = new DurableFile(handle, DurabilityLevel.batched({ maxWrites: 100, maxDelayMs: 5 }), {
    onBackgroundSync: (error) => outcomes.push(error),
  });
  file.write(bytes('lonely'));
  assert.equal(file.pendingWrites, 1);
  for (let i = 0; i < 200 && file.pendingWrites > 0; i++) await sleep(5);
  assert.equal(file.pendingWrites, 0);
  assert.equal(probe.syncs, 1);
  assert.deepEqual(outcomes, [undefined]);
  file.close();
});

test('a failed timer sync is reported and thrown by the next call', async (t) => {
  const { handle, probe } = createTestFile(t);
  const outcomes: Array<Error | undefined> = [];
  const file = new DurableFile(handle, DurabilityLevel.batched({ maxWrites: 100, maxDelayMs: 1 }), {
    onBackgroundSync: (error) => outcomes.push(error),
  });
  probe.failSync = true;
  file.write(bytes('x'));
  for (let i = 0; i < 200 && outcomes.length === 0; i++) await sleep(5);
  assert.equal(outcomes.length, 1);
  assert.equal((outcomes[0] as { code?: string }).code, 'FSYNC_FAILED');
  assert.throws(() => file.write(bytes('y')), { code: 'FSYNC_FAILED' });
  file.close();
});

test('eventual never syncs on its own; forceSync syncs and resets the count', (t) => {
  const { handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.eventual());
  for (let i = 0; i < 100; i++) file.write(new Uint8Array([i]));
  assert.equal(file.pendingWrites, 100);
  assert.equal(probe.syncs, 0);
  file.forceSync();
  assert.equal(file.pendingWrites, 0);
  assert.equal(probe.syncs, 1);
  file.close();
});

test('close syncs pending writes', (t) => {
  const { filePath, handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.eventual());
  file.write(bytes('test data'));
  file.close();
  assert.equal(probe.syncs, 1);
  assert.equal(fs.readFileSync(filePath, 'utf8'), 'test data');
});

test('a failed sync on close is thrown, not swallowed', (t) => {
  const { handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.eventual());
  file.write(bytes('doomed'));
  probe.failSync = true;
  assert.throws(() => file.close(), { code: 'FSYNC_FAILED' });
});

test('after a failed sync nothing is written or synced again', (t) => {
  const { filePath, handle, probe } = createTestFile(t);
  const file = new DurableFile(handle, DurabilityLevel.immediate());
  probe.failSync = true;
  assert.throws(() => file.write(bytes('first')), { code: 'FSYNC_FAILED' });
  probe.failSync = false;
  assert.throws(() => file.write(bytes('second')), { code: 'FSYNC_FAILED' });
  assert.throws(() => file.forceSync(), { code: 'FSYNC_FAILED' });
  assert.equal(probe.syncs, 0);
  assert.equal(fs.readFileSync(filePath, 'utf8'), 'first');
  file.close();
});

test('a short write fails the file and nothing is appended after it', (t) => {
  const { handle } = createTestFile(t);
  const short = wrapHandle(handle, { write: (b, o, l, p) => handle.write(b, o, Math.floor(l / 2), p) });
  const file = new DurableFile(short, DurabilityLevel.immediate());
  assert.throws(() => file.write(bytes('abcdef')), { code: 'IO_ERROR', message: /short write/ });
  assert.throws(() => file.write(bytes('more')), { code: 'IO_ERROR', message: /short write/ });
  file.close();
});
