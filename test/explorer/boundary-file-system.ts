/**
 * A `FileSystem` over a `SimFileSystem` that calls `onBoundary` just before every call that can
 * change what a crash leaves behind (creation, write, sync, truncate, rename, unlink, mkdir,
 * directory sync). The explorer builds its crash images there: every operation boundary of the
 * trace, each seen exactly once. Reads, `close` and plain opens change nothing and are not
 * boundaries.
 */
import type { FileHandle, FileSystem, OpenMode } from '../../src/durability/index.js';
import type { SimFileSystem } from '../support/sim-fs/index.js';

export class BoundaryFileSystem implements FileSystem {
  readonly sim: SimFileSystem;
  /** Replaced by the explorer; a no-op until then. */
  onBoundary: () => void = () => {};

  constructor(sim: SimFileSystem) {
    this.sim = sim;
  }

  open(path: string, mode: OpenMode): FileHandle {
    if (mode === 'create-new') this.onBoundary();
    return this.#wrap(this.sim.open(path, mode));
  }

  readdir(path: string): string[] {
    return this.sim.readdir(path);
  }

  mkdir(path: string): void {
    this.onBoundary();
    this.sim.mkdir(path);
  }

  rename(from: string, to: string): void {
    this.onBoundary();
    this.sim.rename(from, to);
  }

  unlink(path: string): void {
    this.onBoundary();
    this.sim.unlink(path);
  }

  exists(path: string): boolean {
    return this.sim.exists(path);
  }

  syncDirectory(path: string): void {
    this.onBoundary();
    this.sim.syncDirectory(path);
  }

  #wrap(handle: FileHandle): FileHandle {
    const boundary = (): void => this.onBoundary();
    return {
      path: handle.path,
      size: () => handle.size(),
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      write: (buffer, offset, length, position) => {
        boundary();
        // A private copy: SimFileHandle keeps `buffer.slice(...)` as the pending write, and for a
        // Buffer that is a view, so a caller reusing its buffer (the journal does) would rewrite
        // data not yet synced.
        const copy = Uint8Array.prototype.slice.call(buffer, offset, offset + length);
        return handle.write(copy, 0, length, position);
      },
      datasync: () => {
        boundary();
        handle.datasync();
      },
      sync: () => {
        boundary();
        handle.sync();
      },
      truncate: (length) => {
        boundary();
        handle.truncate(length);
      },
      close: () => handle.close(),
    };
  }
}
