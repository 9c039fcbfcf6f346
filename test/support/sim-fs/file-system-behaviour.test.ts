// Proves the simulated file system behaves like the real one on every call of `FileSystem`: one
// suite run against `nodeFileSystem` in a temporary directory and against `SimFileSystem`, plus a
// seeded random sequence of calls run on both side by side.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { FileHandle, FileSystem } from '../../../src/durability/file-system.js';
import { nodeFileSystem } from '../../../src/durability/node-file-system.js';
import { type Random, seedFromEnv, withSeed } from '../random.js';
import { SimFileSystem } from './index.js';

interface Subject {
  readonly fs: FileSystem;
  readonly root: string;
  cleanup(): void;
}

const SUBJECTS: Record<string, () => Subject> = {
  node: () => {
    const root = mkdtempSync(join(tmpdir(), 'stemedb-fs-'));
    const cleanup = (): void => rmSync(root, { recursive: true, force: true });
    return { fs: nodeFileSystem, root, cleanup };
  },
  sim: () => {
    const fs = new SimFileSystem();
    fs.mkdir('/tmp/stemedb-fs');
    return { fs, root: '/tmp/stemedb-fs', cleanup: () => {} };
  },
};

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

function readAll(handle: FileHandle): Uint8Array {
  const buffer = new Uint8Array(handle.size());
  assert.equal(handle.read(buffer, 0, buffer.length, 0), buffer.length);
  return buffer;
}

function writeAll(handle: FileHandle, data: Uint8Array, position = 0): void {
  assert.equal(handle.write(data, 0, data.length, position), data.length);
}

for (const [name, makeSubject] of Object.entries(SUBJECTS)) {
  describe(`FileSystem behaviour on ${name}`, () => {
    let subject: Subject;
    let fs: FileSystem;
    const at = (...names: string[]): string => join(subject.root, ...names);
    beforeEach(() => {
      subject = makeSubject();
      fs = subject.fs;
    });
    afterEach(() => subject.cleanup());

    test('a new file is empty and reads back what was written', () => {
      const handle = fs.open(at('f'), 'create-new');
      assert.equal(handle.size(), 0);
      writeAll(handle, bytes(1, 2, 3));
      assert.equal(handle.size(), 3);
      assert.deepEqual(readAll(handle), bytes(1, 2, 3));
      assert.equal(handle.path, at('f'));
      handle.close();
      assert.deepEqual(readAll(fs.open(at('f'), 'read')), bytes(1, 2, 3));
    });

    test('create-new fails with EEXIST when the name exists, as a file or a directory', () => {
      fs.open(at('f'), 'create-new').close();
      fs.mkdir(at('d'));
      assert.throws(() => fs.open(at('f'), 'create-new'), { code: 'EEXIST', syscall: 'open' });
      assert.throws(() => fs.open(at('d'), 'create-new'), { code: 'EEXIST', syscall: 'open' });
    });

    test('opening a missing file fails with ENOENT in every mode, also in a missing dir', () => {
      assert.throws(() => fs.open(at('missing'), 'read'), { code: 'ENOENT', syscall: 'open' });
      assert.throws(() => fs.open(at('missing'), 'read-write'), { code: 'ENOENT' });
      assert.throws(() => fs.open(at('no-dir', 'f'), 'create-new'), { code: 'ENOENT' });
    });

    test('a path through a file fails with ENOTDIR', () => {
      fs.open(at('f'), 'create-new').close();
      assert.throws(() => fs.open(at('f', 'x'), 'read'), { code: 'ENOTDIR' });
      assert.throws(() => fs.open(at('f', 'x'), 'create-new'), { code: 'ENOTDIR' });
      assert.throws(() => fs.mkdir(at('f', 'x', 'y')), { code: 'ENOTDIR' });
      assert.throws(() => fs.readdir(at('f')), { code: 'ENOTDIR' });
    });

    test('opening a directory for writing fails with EISDIR', () => {
      fs.mkdir(at('d'));
      assert.throws(() => fs.open(at('d'), 'read-write'), { code: 'EISDIR', syscall: 'open' });
    });

    test('reads stop at the end of the file', () => {
      const handle = fs.open(at('f'), 'create-new');
      writeAll(handle, bytes(1, 2, 3, 4));
      const buffer = new Uint8Array(8).fill(9);
      assert.equal(handle.read(buffer, 0, 8, 2), 2);
      assert.deepEqual(buffer, bytes(3, 4, 9, 9, 9, 9, 9, 9));
      assert.equal(handle.read(buffer, 0, 8, 4), 0);
      assert.equal(handle.read(buffer, 0, 8, 1000), 0);
      assert.equal(handle.read(buffer, 0, 0, 0), 0);
    });

    test('a write past the end leaves a zero-filled gap', () => {
      const handle = fs.open(at('f'), 'create-new');
      writeAll(handle, bytes(7), 5000);
      assert.equal(handle.size(), 5001);
      const expected = new Uint8Array(5001);
      expected[5000] = 7;
      assert.deepEqual(readAll(handle), expected);
    });

    test('reads and writes honour the buffer offset and length', () => {
      const handle = fs.open(at('f'), 'create-new');
      assert.equal(handle.write(bytes(1, 2, 3, 4, 5), 1, 3, 0), 3);
      assert.equal(handle.write(bytes(9, 9), 0, 0, 10), 0);
      assert.equal(handle.size(), 3);
      const buffer = new Uint8Array(5);
      assert.equal(handle.read(buffer, 2, 3, 0), 3);
      assert.deepEqual(buffer, bytes(0, 0, 2, 3, 4));
    });

    test('out-of-range offsets and lengths are RangeErrors with ERR_OUT_OF_RANGE', () => {
      const handle = fs.open(at('f'), 'create-new');
      assert.throws(() => handle.write(bytes(1), 0, 5, 0), { code: 'ERR_OUT_OF_RANGE' });
      assert.throws(() => handle.read(new Uint8Array(2), 0, 5, 0), { code: 'ERR_OUT_OF_RANGE' });
      assert.throws(() => handle.write(bytes(1), 2, 0, 0), { code: 'ERR_OUT_OF_RANGE' });
    });

    test('a read-only handle refuses writes (EBADF) and truncates (EINVAL) but may sync', () => {
      writeAll(fs.open(at('f'), 'create-new'), bytes(1, 2));
      const handle = fs.open(at('f'), 'read');
      assert.throws(() => handle.write(bytes(1), 0, 1, 0), { code: 'EBADF', syscall: 'write' });
      assert.throws(() => handle.truncate(0), { code: 'EINVAL', syscall: 'ftruncate' });
      handle.datasync();
      handle.sync();
      assert.deepEqual(readAll(handle), bytes(1, 2));
    });

    test('truncate shrinks, and extends with zeros', () => {
      const handle = fs.open(at('f'), 'create-new');
      writeAll(handle, bytes(1, 2, 3, 4, 5, 6));
      handle.truncate(2);
      assert.deepEqual(readAll(handle), bytes(1, 2));
      handle.truncate(5);
      assert.deepEqual(readAll(handle), bytes(1, 2, 0, 0, 0));
    });

    test('a closed handle refuses every call with EBADF', () => {
      const handle = fs.open(at('f'), 'create-new');
      handle.close();
      assert.throws(() => handle.size(), { code: 'EBADF' });
      assert.throws(() => handle.read(new Uint8Array(1), 0, 1, 0), { code: 'EBADF' });
      assert.throws(() => handle.write(bytes(1), 0, 1, 0), { code: 'EBADF' });
      assert.throws(() => handle.datasync(), { code: 'EBADF' });
      assert.throws(() => handle.sync(), { code: 'EBADF' });
      assert.throws(() => handle.truncate(0), { code: 'EBADF' });
      assert.throws(() => handle.close(), { code: 'EBADF', syscall: 'close' });
    });

    test("two handles on one file see each other's writes", () => {
      const first = fs.open(at('f'), 'create-new');
      const second = fs.open(at('f'), 'read-write');
      writeAll(first, bytes(1, 2, 3));
      writeAll(second, bytes(8), 1);
      assert.deepEqual(readAll(first), bytes(1, 8, 3));
      assert.equal(second.size(), 3);
    });

    test('rename replaces the target, and the old name disappears', () => {
      writeAll(fs.open(at('a'), 'create-new'), bytes(1));
      writeAll(fs.open(at('b'), 'create-new'), bytes(2, 2));
      fs.rename(at('a'), at('b'));
      assert.equal(fs.exists(at('a')), false);
      assert.deepEqual(readAll(fs.open(at('b'), 'read')), bytes(1));
      fs.rename(at('b'), at('b'));
      assert.deepEqual(readAll(fs.open(at('b'), 'read')), bytes(1));
    });

    test('a handle keeps its file across rename and unlink', () => {
      const handle = fs.open(at('a'), 'create-new');
      writeAll(handle, bytes(1, 2));
      fs.mkdir(at('d'));
      fs.rename(at('a'), at('d', 'b'));
      writeAll(handle, bytes(3), 2);
      assert.deepEqual(readAll(fs.open(at('d', 'b'), 'read')), bytes(1, 2, 3));
      fs.unlink(at('d', 'b'));
      writeAll(handle, bytes(4), 3);
      assert.deepEqual(readAll(handle), bytes(1, 2, 3, 4));
      handle.datasync();
      const again = fs.open(at('d', 'b'), 'create-new');
      assert.equal(again.size(), 0);
      assert.equal(handle.size(), 4);
    });

    test('rename fails with ENOENT for a missing source or a missing target directory', () => {
      writeAll(fs.open(at('a'), 'create-new'), bytes(1));
      assert.throws(() => fs.rename(at('missing'), at('b')), { code: 'ENOENT', syscall: 'rename' });
      assert.throws(() => fs.rename(at('a'), at('no-dir', 'b')), { code: 'ENOENT' });
      assert.equal(fs.exists(at('a')), true);
    });

    test('renaming directories follows POSIX', () => {
      fs.mkdir(at('a', 'inner'));
      fs.mkdir(at('empty'));
      fs.mkdir(at('full', 'x'));
      fs.open(at('f'), 'create-new').close();
      assert.throws(() => fs.rename(at('a'), at('full')), { code: 'ENOTEMPTY' });
      assert.throws(() => fs.rename(at('a'), at('f')), { code: 'ENOTDIR' });
      assert.throws(() => fs.rename(at('f'), at('empty')), { code: 'EISDIR' });
      assert.throws(() => fs.rename(at('a'), at('a', 'inner', 'x')), { code: 'EINVAL' });
      fs.rename(at('a'), at('empty'));
      assert.deepEqual(fs.readdir(at('empty')), ['inner']);
      assert.equal(fs.exists(at('a')), false);
    });

    test('unlink removes a file; it fails with ENOENT when missing, EISDIR on a directory', () => {
      fs.open(at('f'), 'create-new').close();
      fs.mkdir(at('d'));
      fs.unlink(at('f'));
      assert.equal(fs.exists(at('f')), false);
      assert.throws(() => fs.unlink(at('f')), { code: 'ENOENT', syscall: 'unlink' });
      assert.throws(() => fs.unlink(at('d')), { code: 'EISDIR', syscall: 'unlink' });
    });

    test('mkdir creates missing parents, accepts an existing directory, and refuses a file', () => {
      fs.mkdir(at('a', 'b', 'c'));
      fs.mkdir(at('a', 'b'));
      assert.equal(fs.exists(at('a', 'b', 'c')), true);
      fs.open(at('f'), 'create-new').close();
      assert.throws(() => fs.mkdir(at('f')), { code: 'EEXIST', syscall: 'mkdir' });
    });

    test('readdir lists the names, and fails with ENOENT when the directory is missing', () => {
      fs.mkdir(at('d', 'sub'));
      fs.open(at('d', 'x'), 'create-new').close();
      fs.open(at('d', 'y'), 'create-new').close();
      assert.deepEqual(fs.readdir(at('d')).sort(), ['sub', 'x', 'y']);
      assert.deepEqual(fs.readdir(at('d', 'sub')), []);
      assert.throws(() => fs.readdir(at('missing')), { code: 'ENOENT', syscall: 'scandir' });
    });

    test('exists is true for files and directories and false otherwise, never throwing', () => {
      fs.mkdir(at('d'));
      fs.open(at('d', 'f'), 'create-new').close();
      assert.equal(fs.exists(at('d')), true);
      assert.equal(fs.exists(at('d', 'f')), true);
      assert.equal(fs.exists(at('d', 'missing')), false);
      assert.equal(fs.exists(at('d', 'f', 'below-a-file')), false);
    });

    test('syncDirectory succeeds on a directory and fails with ENOENT when it is missing', () => {
      fs.mkdir(at('d'));
      fs.syncDirectory(at('d'));
      fs.syncDirectory(subject.root);
      assert.throws(() => fs.syncDirectory(at('missing')), { code: 'ENOENT' });
    });

    test('datasync and sync leave the contents as they were', () => {
      const handle = fs.open(at('f'), 'create-new');
      writeAll(handle, bytes(5, 6, 7));
      handle.datasync();
      handle.truncate(1);
      handle.sync();
      assert.deepEqual(readAll(handle), bytes(5));
    });

    test('errors carry code, negative errno, syscall, path and a node-style message', () => {
      const path = at('missing');
      const error = captureError(() => fs.open(path, 'read'));
      assert.ok(error instanceof Error);
      assert.deepEqual(
        { code: error.code, errno: error.errno, syscall: error.syscall, path: error.path },
        { code: 'ENOENT', errno: -2, syscall: 'open', path },
      );
      assert.equal(error.message, `ENOENT: no such file or directory, open '${path}'`);
      const renameError = captureError(() => fs.rename(path, at('b')));
      assert.equal(renameError.dest, at('b'));
    });
  });
}

type NodeError = Error & Partial<NodeJS.ErrnoException> & { dest?: string };

function captureError(call: () => unknown): NodeError {
  try {
    call();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  assert.fail('expected the call to throw');
}

test('a seeded random sequence of calls gives the same results on node and the simulation', () => {
  const seed = seedFromEnv();
  const real = SUBJECTS['node']?.();
  const sim = SUBJECTS['sim']?.();
  assert.ok(real !== undefined && sim !== undefined);
  try {
    withSeed(seed, (random) => runSideBySide(random, [real, sim], SIDE_BY_SIDE_STEPS));
  } finally {
    real.cleanup();
  }
});

/** Calls in the side-by-side run; `STEMEDB_SOAK=1` runs many more. */
const SIDE_BY_SIDE_STEPS = process.env['STEMEDB_SOAK'] === '1' ? 20_000 : 400;
const FILE_NAMES = ['a', 'b', 'c', 'd/a', 'd/b', 'e/c'];
const DIRECTORY_NAMES = ['d', 'e'];

/** Outcome of one call: its result, or the code it threw. Comparable across implementations. */
type Outcome = { readonly ok: unknown } | { readonly code: unknown };

function runSideBySide(random: Random, subjects: readonly Subject[], steps: number): void {
  const handles: FileHandle[][] = subjects.map(() => []);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[random.nextInt(items.length)];
    assert.ok(item !== undefined);
    return item;
  };
  for (let step = 0; step < steps; step++) {
    const call = randomCall(random, pick, handles[0]?.length ?? 0);
    const outcomes = subjects.map((subject, i) => {
      try {
        return { ok: call(subject, handles[i] ?? []) };
      } catch (error) {
        return { code: (error as NodeJS.ErrnoException).code };
      }
    });
    assert.deepEqual(outcomes[1], outcomes[0], `step ${step}: ${call.name}`);
  }
  for (const name of FILE_NAMES) {
    const contents = subjects.map((subject) => tryRead(subject, name));
    assert.deepEqual(contents[1], contents[0], `final contents of ${name}`);
  }
  for (const handle of handles.flat()) {
    try {
      handle.close();
    } catch {
      // Already closed by the sequence itself.
    }
  }
}

type Call = (subject: Subject, handles: FileHandle[]) => unknown;

function randomCall(
  random: Random,
  pick: <T>(items: readonly T[]) => T,
  handleCount: number,
): Call {
  const file = pick(FILE_NAMES);
  const other = pick(FILE_NAMES);
  const directory = pick(['', ...DIRECTORY_NAMES]);
  const handle = random.nextInt(Math.max(1, handleCount));
  const mode = pick(['read', 'read-write', 'create-new'] as const);
  const position = random.nextInt(20);
  const data = new Uint8Array(random.nextInt(10));
  random.fill(data);
  const on = (subject: Subject, name: string): string => join(subject.root, name);
  const calls: Call[] = [
    function open(s, h) {
      h.push(s.fs.open(on(s, file), mode));
      return h.length;
    },
    function write(_s, h) {
      return h[handle]?.write(data, 0, data.length, position);
    },
    function read(_s, h) {
      const buffer = new Uint8Array(12);
      const count = h[handle]?.read(buffer, 0, 12, position);
      return [count, [...buffer]];
    },
    function size(_s, h) {
      return h[handle]?.size();
    },
    function truncate(_s, h) {
      return h[handle]?.truncate(position);
    },
    function datasync(_s, h) {
      return h[handle]?.datasync();
    },
    // A closed handle leaves the list: node reuses its descriptor number for the next open, so
    // calls through it would reach another file there but not in the simulation.
    function close(_s, h) {
      const closed = h.splice(handle, 1);
      return closed[0]?.close();
    },
    function rename(s) {
      return s.fs.rename(on(s, file), on(s, other));
    },
    function unlink(s) {
      return s.fs.unlink(on(s, file));
    },
    function mkdir(s) {
      return s.fs.mkdir(on(s, directory));
    },
    function readdir(s) {
      return s.fs.readdir(on(s, directory)).sort();
    },
    function exists(s) {
      return [s.fs.exists(on(s, file)), s.fs.exists(on(s, directory))];
    },
    function syncDirectory(s) {
      return s.fs.syncDirectory(on(s, directory));
    },
  ];
  return pick(calls);
}

function tryRead(subject: Subject, name: string): Outcome {
  try {
    const handle = subject.fs.open(join(subject.root, name), 'read');
    const contents = [...readAll(handle)];
    handle.close();
    return { ok: contents };
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code };
  }
}
