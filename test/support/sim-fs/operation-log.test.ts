// Proves every mutating call is logged in order with its results, and that the log's audit
// queries catch an acknowledgement issued before the sync of its bytes or of its directory entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimFileSystem } from './index.js';

test('every mutating call is logged in order, with its results, and its errno on failure', () => {
  const fs = new SimFileSystem();
  fs.mkdir('/db/sub');
  const handle = fs.open('/db/log', 'create-new');
  handle.write(Uint8Array.of(1, 2, 3), 0, 3, 0);
  handle.datasync();
  handle.truncate(1);
  fs.syncDirectory('/db');
  fs.rename('/db/log', '/db/sub/log');
  assert.throws(() => fs.unlink('/db/missing'));
  fs.log.note('acknowledged record 1');
  handle.sync();
  handle.close();
  fs.mkdir('/db');
  fs.readdir('/db');
  assert.equal(
    fs.log.format(),
    [
      '#1 mkdir /db/sub',
      '#2 open /db/log create-new → h1',
      '#3 write /db/log h1 @0+3 → 3',
      '#4 datasync /db/log h1',
      '#5 truncate /db/log h1 to 1',
      '#6 syncDirectory /db',
      '#7 rename /db/log → /db/sub/log',
      '#8 unlink /db/missing ✗ ENOENT',
      '#9 note acknowledged record 1',
      '#10 sync /db/log h1',
      '#11 close /db/log h1',
      '#12 mkdir /db (existed)',
    ].join('\n'),
  );
  assert.deepEqual(
    fs.log.entries.map((entry) => entry.seq),
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  assert.equal(fs.log.format(2), '#11 close /db/log h1\n#12 mkdir /db (existed)');
  const mkdir = fs.log.entries[0];
  assert.deepEqual(mkdir?.kind === 'mkdir' && mkdir.created, ['/db', '/db/sub']);
});

test('an acknowledgement after the sync of its bytes passes the audit; one before fails', () => {
  for (const broken of [false, true]) {
    const fs = new SimFileSystem();
    const handle = fs.open('/log', 'create-new');
    fs.syncDirectory('/');
    handle.write(Uint8Array.of(1), 0, 1, 0);
    if (broken) fs.log.note('ack');
    handle.datasync();
    if (!broken) fs.log.note('ack');
    const ack = fs.log.entries.find((entry) => entry.kind === 'note')?.seq ?? 0;
    const unsynced = fs.log.unsyncedDataChanges(ack).map((entry) => entry.seq);
    assert.deepEqual(unsynced, broken ? [3] : []);
  }
});

test('a write before a failed sync stays unsynced even after a later successful sync', () => {
  const fs = new SimFileSystem();
  const handle = fs.open('/log', 'create-new');
  fs.failAt({ op: 'datasync', nth: 1, error: 'EIO', mode: 'once' });
  handle.write(Uint8Array.of(1), 0, 1, 0);
  assert.throws(() => handle.datasync());
  handle.write(Uint8Array.of(2), 0, 1, 1);
  handle.datasync();
  assert.deepEqual(fs.log.unsyncedDataChanges().map((entry) => entry.seq), [2]);
});

test('entry changes stay unsynced until the directory holding them is synced', () => {
  const fs = new SimFileSystem();
  fs.mkdir('/db/archive');
  fs.syncDirectory('/');
  fs.open('/db/a', 'create-new').close();
  fs.rename('/db/a', '/db/archive/a');
  const pending = fs.log.unsyncedEntryChanges().map((c) => `#${c.operation.seq} ${c.directory}`);
  assert.deepEqual(pending, ['#1 /db', '#3 /db', '#5 /db', '#5 /db/archive']);
  fs.syncDirectory('/db');
  const left = fs.log.unsyncedEntryChanges().map((c) => `#${c.operation.seq} ${c.directory}`);
  assert.deepEqual(left, ['#5 /db/archive']);
  fs.syncDirectory('/db/archive');
  assert.deepEqual(fs.log.unsyncedEntryChanges(), []);
});
