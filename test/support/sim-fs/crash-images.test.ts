// Proves the crash images are exactly the states the fault model allows: every combination of
// pending operations (holes included), every torn prefix, zero tails and lost directory entries,
// the same images for the same seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileHandle } from '../../../src/durability/file-system.js';
import {
  type CrashImage,
  type CrashImageOptions,
  EXHAUSTIVE_OPERATIONS_MAX,
  SimFileSystem,
} from './index.js';

/** `/db/log` holding `data`, all durable; returns its handle. */
function durableLog(data: readonly number[]): { fs: SimFileSystem; handle: FileHandle } {
  const fs = new SimFileSystem();
  fs.mkdir('/db');
  fs.syncDirectory('/');
  const handle = fs.open('/db/log', 'create-new');
  write(handle, data, 0);
  handle.datasync();
  fs.syncDirectory('/db');
  return { fs, handle };
}

function write(handle: FileHandle, data: readonly number[], position: number): void {
  assert.equal(handle.write(Uint8Array.from(data), 0, data.length, position), data.length);
}

function contents(fs: SimFileSystem, path: string): number[] | null {
  return fs.exists(path) ? [...fs.readFile(path)] : null;
}

function images(fs: SimFileSystem, options: CrashImageOptions): CrashImage[] {
  return [...fs.crashImages(options)];
}

const SUBSETS: CrashImageOptions = { kinds: ['dropped', 'persisted', 'subset'] };

test('with nothing pending there is exactly one image, the durable state', () => {
  const { fs } = durableLog([1, 2, 3]);
  const all = images(fs, {});
  assert.deepEqual(all.map((image) => image.kind), ['dropped']);
  assert.deepEqual(contents(all[0]?.fs ?? fs, '/db/log'), [1, 2, 3]);
});

test('three pending writes give all eight combinations, holes included', () => {
  const { fs, handle } = durableLog([0, 0, 0]);
  write(handle, [1], 0);
  write(handle, [2], 1);
  write(handle, [3], 2);
  const found = images(fs, SUBSETS).map((image) => contents(image.fs, '/db/log')?.join(''));
  assert.equal(found.length, 8);
  assert.deepEqual(
    [...new Set(found)].sort(),
    ['000', '003', '020', '023', '100', '103', '120', '123'],
  );
});

test('pending writes and directory entry changes combine as independent units', () => {
  const { fs, handle } = durableLog([]);
  write(handle, [1], 0);
  const created = fs.open('/db/new', 'create-new');
  write(created, [2], 0);
  created.datasync();
  const found = images(fs, SUBSETS).map((image) => {
    return `${contents(image.fs, '/db/log')?.join('')}|${contents(image.fs, '/db/new')?.join('')}`;
  });
  assert.deepEqual(found.sort(), ['1|2', '1|undefined', '|2', '|undefined']);
});

test('above the exhaustive limit, subsets are the prefixes, each all-but-one and a sample', () => {
  const { fs, handle } = durableLog(new Array<number>(10).fill(0));
  for (let i = 0; i < 10; i++) write(handle, [i + 1], i);
  assert.ok(10 > EXHAUSTIVE_OPERATIONS_MAX);
  const found = images(fs, { ...SUBSETS, sampledSubsets: 20 });
  const states = found.map((image) => {
    return contents(image.fs, '/db/log')?.map((b) => (b === 0 ? 0 : 1)).join('');
  });
  assert.equal(new Set(states).size, states.length, 'no state repeats');
  assert.ok(found.length <= 2 + 9 + 10 + 20);
  for (let k = 0; k <= 10; k++) {
    assert.ok(states.includes('1'.repeat(k) + '0'.repeat(10 - k)), `prefix of ${k}`);
  }
  for (let k = 0; k < 10; k++) {
    const allButOne = '1'.repeat(10).split('').map((bit, i) => (i === k ? '0' : bit)).join('');
    assert.ok(states.includes(allButOne), `all but write ${k}`);
  }
});

test('a torn overwrite keeps exactly each prefix, the rest old or zeros', () => {
  const old = new Array<number>(100).fill(0xaa);
  const { fs, handle } = durableLog(old);
  const data = Array.from({ length: 80 }, (_, i) => i + 1);
  write(handle, data, 10);
  const torn = images(fs, { kinds: ['torn'], tornPrefixBytes: 16, tornSampledOffsets: 4 });
  const cuts = { old: new Set<number>(), zeros: new Set<number>() };
  for (const image of torn) {
    const bytes = contents(image.fs, '/db/log') ?? [];
    const cut = data.findIndex((value, i) => bytes[10 + i] !== value);
    assert.ok(cut > 0 && cut < 80, image.description);
    const remainder = bytes[10 + cut] === 0 ? 'zeros' : 'old';
    const fill = remainder === 'zeros' ? 0 : 0xaa;
    const expected = [...old.slice(0, 10), ...data.slice(0, cut), ...old.slice(10 + cut)];
    expected.fill(fill, 10 + cut, 90);
    assert.deepEqual(bytes, expected, image.description);
    assert.ok(!cuts[remainder].has(cut), `cut ${cut} with ${remainder} appears once`);
    cuts[remainder].add(cut);
  }
  for (const remainder of ['old', 'zeros'] as const) {
    const found = [...cuts[remainder]];
    assert.deepEqual(found.filter((cut) => cut < 16).sort((a, b) => a - b), range(1, 16));
    const sampled = found.filter((cut) => cut >= 16);
    assert.ok(sampled.length >= 1 && sampled.length <= 4, `sampled cuts ${sampled}`);
  }
});

test('a torn append ends at the cut with the rest old, or at the full extent with zeros', () => {
  const { fs, handle } = durableLog([9, 9]);
  write(handle, [1, 2, 3, 4], 2);
  const found = images(fs, { kinds: ['torn'] }).map((image) => contents(image.fs, '/db/log'));
  assert.deepEqual(found, [
    [9, 9, 1],
    [9, 9, 1, 0, 0, 0],
    [9, 9, 1, 2],
    [9, 9, 1, 2, 0, 0],
    [9, 9, 1, 2, 3],
    [9, 9, 1, 2, 3, 0],
  ]);
});

test('each torn write keeps the earlier pending writes of its file, loses the later ones', () => {
  const { fs, handle } = durableLog([]);
  write(handle, [1, 1], 0);
  write(handle, [2, 2], 2);
  write(handle, [3, 3], 4);
  const found = images(fs, { kinds: ['torn'] }).map((image) => contents(image.fs, '/db/log'));
  assert.deepEqual(found, [
    [1],
    [1, 0],
    [1, 1, 2],
    [1, 1, 2, 0],
    [1, 1, 2, 2, 3],
    [1, 1, 2, 2, 3, 0],
  ]);
});

test('a zero tail grows the size with zeros where the data never landed', () => {
  const { fs, handle } = durableLog([5, 5]);
  write(handle, [1, 2], 1);
  write(handle, [3, 4], 6);
  const found = images(fs, { kinds: ['zero-tail'] }).map((image) => contents(image.fs, '/db/log'));
  assert.deepEqual(found, [
    [5, 5, 0],
    [5, 1, 2, 0, 0, 0, 0, 0],
    [5, 5, 0, 0, 0, 0, 0, 0],
  ]);
});

test('a created file whose directory is unsynced is missing in some images, not all', () => {
  const fs = new SimFileSystem();
  fs.mkdir('/db');
  fs.syncDirectory('/');
  const handle = fs.open('/db/segment', 'create-new');
  write(handle, [1, 2, 3], 0);
  handle.datasync();
  const before = images(fs, {}).map((image) => image.fs.exists('/db/segment'));
  assert.ok(before.includes(true) && before.includes(false));
  fs.syncDirectory('/db');
  const after = images(fs, {}).map((image) => contents(image.fs, '/db/segment'));
  assert.deepEqual(after, [[1, 2, 3]]);
});

test('a rename before its directory sync is undone in some images and kept in others', () => {
  const { fs } = durableLog([1]);
  fs.rename('/db/log', '/db/log.old');
  const names = images(fs, {}).map((image) => image.fs.readdir('/db').join());
  assert.deepEqual(names.sort(), ['log', 'log.old']);
});

test('torn and zero-tail images keep pending entry changes, so a new file is seen torn', () => {
  const fs = new SimFileSystem();
  const handle = fs.open('/segment', 'create-new');
  write(handle, [1, 2], 0);
  const found = images(fs, { kinds: ['torn', 'zero-tail'] });
  assert.deepEqual(
    found.map((image) => contents(image.fs, '/segment')),
    [[1], [1, 0], [0, 0]],
  );
  assert.match(found[0]?.description ?? '', /^torn: #2 write @0\+2 kept 1 bytes, rest old$/);
});

test('images of several files vary each file while the others lose their pending data', () => {
  const { fs, handle } = durableLog([]);
  const other = fs.open('/db/other', 'create-new');
  fs.syncDirectory('/db');
  write(handle, [1, 1], 0);
  write(other, [2, 2], 0);
  for (const image of images(fs, { kinds: ['torn'] })) {
    const log = contents(image.fs, '/db/log');
    const second = contents(image.fs, '/db/other');
    assert.ok(log?.length === 0 || second?.length === 0, image.description);
  }
});

test('the same seed gives the same images; another seed samples others', () => {
  const describeAll = (seed: number): string[] => {
    const { fs, handle } = durableLog([]);
    for (let i = 0; i < 10; i++) write(handle, new Array<number>(200).fill(i + 1), i * 200);
    return images(fs, { seed }).map((image) => {
      return `${image.description} ${contents(image.fs, '/db/log')?.join(',')}`;
    });
  };
  assert.deepEqual(describeAll(7), describeAll(7));
  assert.notDeepEqual(describeAll(7), describeAll(8));
});

test('kinds limits the images to those asked for', () => {
  const { fs, handle } = durableLog([]);
  write(handle, [1, 2, 3], 0);
  write(handle, [4], 3);
  const kinds = new Set(images(fs, { kinds: ['zero-tail', 'persisted'] }).map((i) => i.kind));
  assert.deepEqual([...kinds].sort(), ['persisted', 'zero-tail']);
});

test('an image of a crash image is its durable state, and images keep inode numbers', () => {
  const { fs, handle } = durableLog([1, 2]);
  write(handle, [3], 2);
  for (const image of images(fs, {})) {
    const again = image.fs.crashNow();
    assert.deepEqual(contents(again, '/db/log'), contents(image.fs, '/db/log'));
    image.fs.open('/db/log', 'read').close();
    assert.equal(openedInode(image.fs), openedInode(fs));
  }
});

/** The inode of the first file opened on `fs`, from its log. */
function openedInode(fs: SimFileSystem): number | null | undefined {
  const entry = fs.log.entries.find((e) => e.kind === 'open');
  return entry?.kind === 'open' ? entry.inode : undefined;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
