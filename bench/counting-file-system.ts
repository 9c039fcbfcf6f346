/**
 * A pass-through `FileSystem` over the real disk that counts file writes and syncs, so a journal
 * cell can report how many records each write and each fdatasync carried (the group-commit size).
 * The extra cost is one JavaScript call per I/O call, nanoseconds beside a microseconds syscall.
 */
import type { FileHandle, FileSystem, OpenMode } from '../src/index.js';
import { nodeFileSystem } from '../src/index.js';

export interface IoCounts {
  writes: number;
  /** fdatasync and fsync of files (directory syncs are not counted). */
  syncs: number;
}

export class CountingFileSystem implements FileSystem {
  readonly counts: IoCounts = { writes: 0, syncs: 0 };
  readonly #inner: FileSystem;

  constructor(inner: FileSystem = nodeFileSystem) {
    this.#inner = inner;
  }

  open(path: string, mode: OpenMode): FileHandle {
    return countingHandle(this.#inner.open(path, mode), this.counts);
  }

  readdir(path: string): string[] {
    return this.#inner.readdir(path);
  }

  mkdir(path: string): void {
    this.#inner.mkdir(path);
  }

  rename(from: string, to: string): void {
    this.#inner.rename(from, to);
  }

  unlink(path: string): void {
    this.#inner.unlink(path);
  }

  exists(path: string): boolean {
    return this.#inner.exists(path);
  }

  syncDirectory(path: string): void {
    this.#inner.syncDirectory(path);
  }
}

function countingHandle(inner: FileHandle, counts: IoCounts): FileHandle {
  return {
    path: inner.path,
    size: () => inner.size(),
    read: (buffer, bufferOffset, length, position) =>
      inner.read(buffer, bufferOffset, length, position),
    write: (buffer, bufferOffset, length, position) => {
      counts.writes++;
      return inner.write(buffer, bufferOffset, length, position);
    },
    datasync: () => {
      counts.syncs++;
      inner.datasync();
    },
    sync: () => {
      counts.syncs++;
      inner.sync();
    },
    truncate: (length) => inner.truncate(length),
    close: () => inner.close(),
  };
}
