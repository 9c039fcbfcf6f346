// Proves the simulated file system's durability model: what the baseline crash keeps and loses,
// file by file and directory entry by directory entry, and that images are independent copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileHandle } from '../../../src/durability/file-system.js';
import { type Random, seedFromEnv, withSeed } from '../random.js';
import { SimFileSystem } from './index.js';

/** A file system with a durable, empty `/db`. */
function freshDatabase(): SimFileSystem {
  const fs = new SimFileSystem();
  fs.mkdir('/db');
  fs.syncDirectory('/');
  return fs;
}

/** Creates `path` holding `data`, its data and its directory entry durable. */
function durableFile(fs: SimFileSystem, path: string, data: readonly number[]): FileHandle {
  const handle = fs.open(path, 'create-new');
  write(handle, data, 0);
  handle.datasync();
  fs.syncDirectory(path.slice(0, path.lastIndexOf('/')) || '/');
  return handle;
}

function write(handle: FileHandle, data: readonly number[], position: number): void {
  assert.equal(handle.write(Uint8Array.from(data), 0, data.length, position), data.length);
}

/** The file's bytes, or null when the name does not exist. */
function contents(fs: SimFileSystem, path: string): number[] | null {
  return fs.exists(path) ? [...fs.readFile(path)] : null;
}

test('a write not yet synced is lost by a crash, and reads saw it before', () => {
  const fs = freshDatabase();
  const handle = durableFile(fs, '/db/log', [1, 2]);
  write(handle, [3, 4], 2);
  assert.deepEqual(contents(fs, '/db/log'), [1, 2, 3, 4]);
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [1, 2]);
});

test('a write covered by datasync or sync survives a crash', () => {
  const fs = freshDatabase();
  const handle = durableFile(fs, '/db/log', [1]);
  write(handle, [2], 1);
  handle.datasync();
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [1, 2]);
  write(handle, [3], 2);
  handle.sync();
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [1, 2, 3]);
});

test('a truncate is durable only after a sync of its file', () => {
  const fs = freshDatabase();
  const handle = durableFile(fs, '/db/log', [1, 2, 3]);
  handle.truncate(1);
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [1, 2, 3]);
  handle.datasync();
  assert.deepEqual(contents(fs.crashNow(), '/db/log'), [1]);
});

test('a sync makes only its own file durable, through any handle on it', () => {
  const fs = freshDatabase();
  const first = durableFile(fs, '/db/a', []);
  const second = durableFile(fs, '/db/b', []);
  write(first, [1], 0);
  write(second, [2], 0);
  fs.open('/db/a', 'read').datasync();
  const image = fs.crashNow();
  assert.deepEqual(contents(image, '/db/a'), [1]);
  assert.deepEqual(contents(image, '/db/b'), []);
});

test('a created file vanishes in a crash until its directory is synced, though its data is', () => {
  const fs = freshDatabase();
  const handle = fs.open('/db/segment', 'create-new');
  write(handle, [7], 0);
  handle.datasync();
  assert.equal(contents(fs.crashNow(), '/db/segment'), null);
  fs.syncDirectory('/db');
  assert.deepEqual(contents(fs.crashNow(), '/db/segment'), [7]);
});

test('a directory made by mkdir vanishes with its files until its parent is synced', () => {
  const fs = new SimFileSystem();
  fs.mkdir('/data/db');
  durableFile(fs, '/data/db/f', [1]);
  assert.equal(fs.crashNow().exists('/data'), false);
  fs.syncDirectory('/');
  assert.equal(fs.crashNow().exists('/data/db'), false);
  fs.syncDirectory('/data');
  assert.deepEqual(contents(fs.crashNow(), '/data/db/f'), [1]);
});

test('a rename is not durable until its directory is synced, and the file keeps its data', () => {
  const fs = freshDatabase();
  durableFile(fs, '/db/manifest', [1]);
  durableFile(fs, '/db/manifest.tmp', [2]);
  fs.rename('/db/manifest.tmp', '/db/manifest');
  assert.deepEqual(contents(fs, '/db/manifest'), [2]);
  const before = fs.crashNow();
  assert.deepEqual(contents(before, '/db/manifest'), [1]);
  assert.deepEqual(contents(before, '/db/manifest.tmp'), [2]);
  fs.syncDirectory('/db');
  const after = fs.crashNow();
  assert.deepEqual(contents(after, '/db/manifest'), [2]);
  assert.equal(contents(after, '/db/manifest.tmp'), null);
});

test('an unlink is undone by a crash before the directory sync', () => {
  const fs = freshDatabase();
  durableFile(fs, '/db/old', [5]);
  fs.unlink('/db/old');
  assert.deepEqual(contents(fs.crashNow(), '/db/old'), [5]);
  fs.syncDirectory('/db');
  assert.equal(contents(fs.crashNow(), '/db/old'), null);
});

test('a rename across directories needs both directories synced', () => {
  const fs = freshDatabase();
  fs.mkdir('/db/archive');
  fs.syncDirectory('/db');
  durableFile(fs, '/db/segment', [9]);
  fs.rename('/db/segment', '/db/archive/segment');
  fs.syncDirectory('/db/archive');
  const targetOnly = fs.crashNow();
  assert.deepEqual(contents(targetOnly, '/db/segment'), [9]);
  assert.deepEqual(contents(targetOnly, '/db/archive/segment'), [9]);
  fs.syncDirectory('/db');
  assert.equal(contents(fs.crashNow(), '/db/segment'), null);
});

test('a file unlinked while open keeps working, and its name stays gone after the crash', () => {
  const fs = freshDatabase();
  const handle = durableFile(fs, '/db/f', [1]);
  fs.unlink('/db/f');
  fs.syncDirectory('/db');
  write(handle, [2], 1);
  handle.datasync();
  assert.equal(handle.size(), 2);
  assert.equal(fs.crashNow().exists('/db/f'), false);
});

test('a crash image is a separate file system: changes on one side stay there', () => {
  const fs = freshDatabase();
  const handle = durableFile(fs, '/db/f', [1, 2, 3]);
  const image = fs.crashNow();
  const second = fs.crashNow();
  write(handle, [9], 0);
  handle.datasync();
  write(image.open('/db/f', 'read-write'), [8], 1);
  assert.deepEqual(contents(fs, '/db/f'), [9, 2, 3]);
  assert.deepEqual(contents(image, '/db/f'), [1, 8, 3]);
  assert.deepEqual(contents(second, '/db/f'), [1, 2, 3]);
  assert.equal(image.log.lastSeq, 2, 'the image log holds only its own open and write');
  assert.equal(image.pendingOperationCount(), 1);
});

test('deliberately unlike node: directories are not files, and readdir is descending', () => {
  const fs = freshDatabase();
  durableFile(fs, '/db/b', []);
  durableFile(fs, '/db/a', []);
  durableFile(fs, '/db/c', []);
  assert.throws(() => fs.open('/db', 'read'), { code: 'EISDIR' });
  assert.throws(() => fs.syncDirectory('/db/a'), { code: 'ENOTDIR' });
  assert.deepEqual(fs.readdir('/db'), ['c', 'b', 'a']);
  assert.equal(fs.exists('db/a'), true, 'relative paths resolve against /');
});

test('files() lists every live file with its size', () => {
  const fs = freshDatabase();
  fs.mkdir('/db/sub');
  durableFile(fs, '/db/sub/x', [1, 2]);
  durableFile(fs, '/db/a', [1]);
  assert.deepEqual(fs.files(), [
    { path: '/db/a', sizeBytes: 1 },
    { path: '/db/sub/x', sizeBytes: 2 },
  ]);
});

test('a seeded random workload crashes to exactly the state its syncs made durable', () => {
  const seed = seedFromEnv();
  withSeed(seed, (random) => {
    for (let run = 0; run < 10; run++) runAgainstOracle(random, 150);
  });
});

/**
 * An independent oracle for one directory: names become durable as of the last `syncDirectory`,
 * file data as of the last sync of that file. After every step the baseline crash must match it,
 * and the image with every pending operation kept must match the live state.
 */
function runAgainstOracle(random: Random, steps: number): void {
  const fs = freshDatabase();
  const names = ['a', 'b', 'c', 'd'];
  const handles = new Map<number, FileHandle>();
  const liveNames = new Map<string, number>();
  let durableNames = new Map<string, number>();
  const durableData = new Map<number, number[]>();
  const pick = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[random.nextInt(items.length)];
  for (let step = 0; step < steps; step++) {
    const name = pick(names) ?? 'a';
    const other = pick(names) ?? 'a';
    const [inode, handle] = pick([...handles]) ?? [0, undefined];
    const choice = random.nextInt(7);
    if (choice === 0 && !liveNames.has(name)) {
      handles.set(fs.log.lastSeq + 1, fs.open(`/db/${name}`, 'create-new'));
      liveNames.set(name, fs.log.lastSeq);
    } else if (choice === 1 && handle !== undefined) {
      write(handle, [random.nextInt(256), random.nextInt(256)], random.nextInt(6000));
    } else if (choice === 2 && handle !== undefined) {
      handle.truncate(random.nextInt(5000));
    } else if (choice === 3 && handle !== undefined) {
      handle.datasync();
      durableData.set(inode, readAll(handle));
    } else if (choice === 4 && liveNames.has(name)) {
      fs.rename(`/db/${name}`, `/db/${other}`);
      const moved = liveNames.get(name) ?? 0;
      liveNames.delete(name);
      liveNames.set(other, moved);
    } else if (choice === 5 && liveNames.has(name)) {
      fs.unlink(`/db/${name}`);
      liveNames.delete(name);
    } else if (choice === 6) {
      fs.syncDirectory('/db');
      durableNames = new Map(liveNames);
    }
    const trace = `step ${step}\n${fs.log.format(12)}`;
    const baseline = fs.crashNow();
    assert.deepEqual(baseline.readdir('/db').sort(), [...durableNames.keys()].sort(), trace);
    for (const [file, id] of durableNames) {
      assert.deepEqual(contents(baseline, `/db/${file}`), durableData.get(id) ?? [], trace);
    }
    const [persisted] = fs.crashImages({ kinds: ['persisted'] });
    const kept = persisted?.fs ?? fs.crashNow();
    for (const file of names) {
      assert.deepEqual(contents(kept, `/db/${file}`), contents(fs, `/db/${file}`), trace);
    }
  }
}

function readAll(handle: FileHandle): number[] {
  const buffer = new Uint8Array(handle.size());
  handle.read(buffer, 0, buffer.length, 0);
  return [...buffer];
}
