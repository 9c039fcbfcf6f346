/**
 * A deterministic, in-memory `FileSystem` that knows what is durable, for crash tests.
 *
 * Model (see docs in `inodes.ts` and `crash-images.ts`):
 * - Files and directories are inodes; names in directories refer to them. A renamed file keeps its
 *   data; an unlinked file stays usable through handles already open.
 * - A file's writes and truncates are pending until `datasync`/`sync` of that file succeeds; a
 *   directory's entry changes (create, mkdir, rename, unlink) are pending until `syncDirectory` of
 *   that directory succeeds. A rename across directories needs both directories synced.
 * - A failed sync (injected EIO/ENOSPC) discards the pending changes of that file or directory from
 *   the durable path for good, while this process still reads them: the pessimistic reading of
 *   Linux, where failed pages are marked clean, so a later successful sync does not write them and
 *   a crash loses them. Crash images do not offer them either.
 * - Reads see the live state; crash images (`crashNow`, `crashImages`) are new file systems holding
 *   one state the fault model allows, everything in them durable.
 *
 * It behaves like `nodeFileSystem` on every call of the interface (errors included, see
 * `file-system-behaviour.test.ts`), with three deliberate differences that catch misuse:
 * relative paths resolve against `/`; `open(directory, 'read')` and `syncDirectory(file)` throw
 * `EISDIR`/`ENOTDIR` (node accepts both, and the latter syncs nothing useful); `readdir` returns
 * names in descending order, so a caller that forgets to sort fails here first.
 */
import { posix } from 'node:path';
import type { FileSystem, OpenMode } from '../../../src/durability/file-system.js';
import {
  buildImage,
  crashableInodes,
  type CrashImageKind,
  type CrashImageOptions,
  imageSpecs,
} from './crash-images.js';
import { type Fault, FaultPlan, type FaultSpec } from './fault-plan.js';
import { type Errno, errnoOf, fileSystemError } from './file-system-error.js';
import { DirectoryInode, FileInode, type Inode } from './inodes.js';
import { OperationLog } from './operation-log.js';
import { PagedBytes } from './paged-bytes.js';
import { SimFileHandle } from './sim-file-handle.js';

export interface CrashImage {
  readonly kind: CrashImageKind;
  /** One line for failure messages; `#n` refers to entry n of the crashed file system's log. */
  readonly description: string;
  readonly fs: SimFileSystem;
}

/** A file in the live tree, for listings and bit-flip targets. */
export interface FileEntry {
  readonly path: string;
  readonly sizeBytes: number;
}

export class SimFileSystem implements FileSystem {
  /** Every mutating call, in order. Images start with an empty log. */
  readonly log = new OperationLog();
  readonly #faults = new FaultPlan();
  #root = new DirectoryInode(1);
  #nextInodeId = 2;
  #nextHandleId = 1;

  open(path: string, mode: OpenMode): SimFileHandle {
    const entry = this.log.start({
      kind: 'open',
      path: normalize(path),
      mode,
      handle: null,
      inode: null,
    });
    return this.#logged(entry, () => {
      const inode = mode === 'create-new' ? this.#create(path, entry.seq) : this.#existing(path);
      const handleId = this.#nextHandleId++;
      entry.handle = handleId;
      entry.inode = inode.id;
      const context = { log: this.log, faults: this.#faults };
      return new SimFileHandle(entry.path, inode, mode !== 'read', handleId, context);
    });
  }

  readdir(path: string): string[] {
    const inode = this.#resolve(path, 'scandir');
    if (inode.kind !== 'directory') throw fileSystemError('ENOTDIR', 'scandir', path);
    return [...inode.live.keys()].sort().reverse();
  }

  mkdir(path: string): void {
    const entry = this.log.start({ kind: 'mkdir', path: normalize(path), created: [] });
    this.#logged(entry, () => {
      let current: Inode = this.#root;
      let currentPath = '';
      for (const name of components(path)) {
        if (current.kind !== 'directory') throw fileSystemError('ENOTDIR', 'mkdir', path);
        currentPath += `/${name}`;
        let next = current.live.get(name);
        if (next === undefined) {
          next = new DirectoryInode(this.#nextInodeId++);
          current.live.set(name, next);
          current.pending.push({ kind: 'link', seq: entry.seq, name, inode: next });
          entry.created.push(currentPath);
        }
        current = next;
      }
      if (current.kind !== 'directory') throw fileSystemError('EEXIST', 'mkdir', path);
    });
  }

  rename(from: string, to: string): void {
    const entry = this.log.start({ kind: 'rename', path: normalize(from), to: normalize(to) });
    this.#logged(entry, () => {
      const fail = (code: Errno): Error => fileSystemError(code, 'rename', from, to);
      const source = this.#parentOf(from, 'rename', to);
      const inode = source.directory.live.get(source.name);
      if (inode === undefined) throw fail('ENOENT');
      const target = this.#parentOf(to, 'rename', from);
      const replaced = target.directory.live.get(target.name);
      if (replaced === inode) return;
      if (entry.path === '/' || entry.to === '/') throw fail('EINVAL');
      if (inode.kind === 'directory') {
        if (entry.to.startsWith(`${entry.path}/`)) throw fail('EINVAL');
        if (replaced?.kind === 'file') throw fail('ENOTDIR');
        if (replaced?.kind === 'directory' && replaced.live.size > 0) throw fail('ENOTEMPTY');
      } else if (replaced?.kind === 'directory') {
        throw fail('EISDIR');
      }
      this.#inject('rename', [entry.path, entry.to], fail);
      source.directory.live.delete(source.name);
      target.directory.live.set(target.name, inode);
      const seq = entry.seq;
      if (source.directory === target.directory) {
        const names = { from: source.name, to: target.name };
        source.directory.pending.push({ kind: 'rename', seq, ...names, inode });
      } else {
        source.directory.pending.push({ kind: 'unlink', seq, name: source.name, inode });
        target.directory.pending.push({ kind: 'link', seq, name: target.name, inode });
      }
    });
  }

  unlink(path: string): void {
    const entry = this.log.start({ kind: 'unlink', path: normalize(path) });
    this.#logged(entry, () => {
      const { directory, name } = this.#parentOf(path, 'unlink');
      const inode = directory.live.get(name);
      if (inode === undefined) throw fileSystemError('ENOENT', 'unlink', path);
      if (inode.kind === 'directory') throw fileSystemError('EISDIR', 'unlink', path);
      this.#inject('unlink', [entry.path], (code) => fileSystemError(code, 'unlink', path));
      directory.live.delete(name);
      directory.pending.push({ kind: 'unlink', seq: entry.seq, name, inode });
    });
  }

  exists(path: string): boolean {
    return typeof this.#walk(path) === 'object';
  }

  /** See the class comment: a failed directory sync loses the pending entry changes for good. */
  syncDirectory(path: string): void {
    const entry = this.log.start({ kind: 'syncDirectory', path: normalize(path) });
    this.#logged(entry, () => {
      const inode = this.#resolve(path, 'open');
      if (inode.kind !== 'directory') throw fileSystemError('ENOTDIR', 'fsync', path);
      const outcome = this.#faults.consider('syncDirectory', [entry.path]);
      if (outcome !== undefined) {
        inode.pending = [];
        throw fileSystemError(outcome === 'EIO' ? 'EIO' : 'ENOSPC', 'fsync', path);
      }
      inode.makePendingDurable();
    });
  }

  /** Arms a fault (see `FaultSpec`); the returned `Fault` counts how often it fired. */
  failAt(spec: FaultSpec): Fault {
    return this.#faults.arm(spec);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** The baseline crash: every pending change lost. */
  crashNow(): SimFileSystem {
    for (const image of this.crashImages({ kinds: ['dropped'] })) return image.fs;
    throw new Error('the dropped image is always produced');
  }

  /**
   * The crash states the fault model allows now (see `crash-images.ts`), built one at a time.
   * Do not change this file system while iterating: images are computed from its current state.
   */
  *crashImages(options: CrashImageOptions = {}): Generator<CrashImage> {
    for (const spec of imageSpecs(this.#root, options)) {
      const fs = new SimFileSystem();
      fs.#root = buildImage(this.#root, spec);
      fs.#nextInodeId = this.#nextInodeId;
      yield { kind: spec.kind, description: spec.description, fs };
    }
  }

  /** Pending changes (writes, truncates, entry changes) some crash image could keep or lose. */
  pendingOperationCount(): number {
    return crashableInodes(this.#root).reduce((sum, inode) => sum + inode.pending.length, 0);
  }

  /**
   * Corrupts durable data at rest: flips bit `bit` (0 = least significant) of byte `byteOffset`.
   * Only for files with nothing pending, such as every file of a crash image.
   */
  flipBit(path: string, byteOffset: number, bit: number): void {
    const inode = this.#resolve(path, 'open');
    if (inode.kind !== 'file') throw fileSystemError('EISDIR', 'open', path);
    if (inode.pending.length > 0) {
      throw new Error(`flipBit needs a file with nothing pending: ${path}`);
    }
    if (!Number.isInteger(bit) || bit < 0 || bit > 7) {
      throw new RangeError(`bit ${bit} not in 0..7`);
    }
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset >= inode.durable.sizeBytes) {
      throw new RangeError(`byte ${byteOffset} outside ${path} (${inode.durable.sizeBytes} bytes)`);
    }
    const byte = new Uint8Array(1);
    inode.live.read(byteOffset, byte, 0, 1);
    byte[0] = (byte[0] ?? 0) ^ (1 << bit);
    inode.live.write(byteOffset, byte, 0, 1);
    const durable = new PagedBytes(inode.durable);
    durable.write(byteOffset, byte, 0, 1);
    inode.durable = durable.snapshot();
  }

  /** Every file of the live tree with its size, sorted by path. Not logged. */
  files(): FileEntry[] {
    const found: FileEntry[] = [];
    const seen = new Set<Inode>();
    const visit = (directory: DirectoryInode, prefix: string): void => {
      if (seen.has(directory)) return;
      seen.add(directory);
      for (const [name, inode] of directory.live) {
        const path = `${prefix}/${name}`;
        if (inode.kind === 'file') found.push({ path, sizeBytes: inode.live.sizeBytes });
        else visit(inode, path);
      }
    };
    visit(this.#root, '');
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The live contents of a file, as a new array. Not logged. */
  readFile(path: string): Uint8Array {
    const inode = this.#resolve(path, 'open');
    if (inode.kind !== 'file') throw fileSystemError('EISDIR', 'read', path);
    return inode.live.toBytes();
  }

  #create(path: string, seq: number): FileInode {
    const { directory, name } = this.#parentOf(path, 'open');
    if (directory.live.has(name) || name === '') throw fileSystemError('EEXIST', 'open', path);
    this.#inject('open', [normalize(path)], (code) => fileSystemError(code, 'open', path));
    const inode = new FileInode(this.#nextInodeId++);
    directory.live.set(name, inode);
    directory.pending.push({ kind: 'link', seq, name, inode });
    return inode;
  }

  #existing(path: string): FileInode {
    const inode = this.#resolve(path, 'open');
    if (inode.kind === 'directory') throw fileSystemError('EISDIR', 'open', path);
    this.#inject('open', [normalize(path)], (code) => fileSystemError(code, 'open', path));
    return inode;
  }

  #resolve(path: string, syscall: string): Inode {
    const found = this.#walk(path);
    if (typeof found === 'string') throw fileSystemError(found, syscall, path);
    return found;
  }

  /** The directory that holds (or would hold) `path`, and the name in it. */
  #parentOf(
    path: string,
    syscall: string,
    dest?: string,
  ): { directory: DirectoryInode; name: string } {
    const normalized = normalize(path);
    const parent = this.#walk(posix.dirname(normalized));
    if (typeof parent === 'string') throw fileSystemError(parent, syscall, path, dest);
    if (parent.kind !== 'directory') throw fileSystemError('ENOTDIR', syscall, path, dest);
    return { directory: parent, name: posix.basename(normalized) };
  }

  #walk(path: string): Inode | 'ENOENT' | 'ENOTDIR' {
    let current: Inode = this.#root;
    for (const name of components(path)) {
      if (current.kind !== 'directory') return 'ENOTDIR';
      const next = current.live.get(name);
      if (next === undefined) return 'ENOENT';
      current = next;
    }
    return current;
  }

  /** Throws the injected error, if an armed fault fires on this call. */
  #inject(
    op: 'open' | 'rename' | 'unlink',
    paths: readonly string[],
    fail: (code: 'EIO' | 'ENOSPC') => Error,
  ): void {
    const outcome = this.#faults.consider(op, paths);
    if (outcome !== undefined) throw fail(outcome === 'EIO' ? 'EIO' : 'ENOSPC');
  }

  #logged<T>(entry: { error?: string }, action: () => T): T {
    try {
      return action();
    } catch (error) {
      entry.error = errnoOf(error) ?? 'unknown';
      throw error;
    }
  }
}

function normalize(path: string): string {
  return posix.resolve('/', path);
}

function components(path: string): string[] {
  return normalize(path).split('/').filter((name) => name !== '');
}
