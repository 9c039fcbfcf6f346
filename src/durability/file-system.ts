/**
 * The one seam through which the journal and the durability helpers touch the disk.
 *
 * Every call is synchronous: the journal's hot path is a write followed by fdatasync, and a thread-pool
 * hop per call costs about 130 µs on this class of machine, a third of the sync itself. Implementations:
 * `nodeFileSystem` (the real disk, `node:fs`) and, in tests, a simulated file system that records what
 * is durable and can build every post-crash image of the fault model.
 *
 * Contract for every implementation:
 * - Failures throw an `Error` whose `code` is the symbolic errno (`ENOENT`, `EIO`, `ENOSPC`, ...).
 * - `write` may write fewer bytes than asked (a short write) and says how many; callers check.
 * - Data written to a file is durable only after `datasync()`/`sync()` of that file returns; a new,
 *   renamed or removed directory entry is durable only after `syncDirectory()` of its directory returns.
 */

export const OPEN_MODES = ['read', 'read-write', 'create-new'] as const;
/**
 * - `read`: an existing file, read only.
 * - `read-write`: an existing file, read and write; writes go where `position` says.
 * - `create-new`: a new file, read and write; fails with `EEXIST` if the name exists.
 */
export type OpenMode = (typeof OPEN_MODES)[number];

export interface FileHandle {
  readonly path: string;
  /** Current size in bytes, as this process sees it (durable or not). */
  size(): number;
  /** Reads up to `length` bytes at `position` into `buffer[bufferOffset..]`; returns bytes read. */
  read(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number;
  /** Writes `buffer[bufferOffset..bufferOffset+length)` at `position`; returns bytes written. */
  write(buffer: Uint8Array, bufferOffset: number, length: number, position: number): number;
  /** Makes the file's data (and the size, if it changed) durable: fdatasync(2). */
  datasync(): void;
  /** Makes the file's data and all its metadata durable: fsync(2). */
  sync(): void;
  /** Sets the size; the change is durable only after a later sync. */
  truncate(length: number): void;
  close(): void;
}

export interface FileSystem {
  open(path: string, mode: OpenMode): FileHandle;
  /** Names in a directory, unordered. Throws `ENOENT` if it does not exist. */
  readdir(path: string): string[];
  /** Creates the directory and any missing parents; no error if it exists. Not durable by itself. */
  mkdir(path: string): void;
  /** Renames atomically, replacing `to` if it exists. Durable only after `syncDirectory`. */
  rename(from: string, to: string): void;
  /** Removes a file. Durable only after `syncDirectory`. */
  unlink(path: string): void;
  /** True if a file or directory with this name exists. */
  exists(path: string): boolean;
  /** Makes the directory's entries (creations, renames, removals) durable: open + fsync(2). */
  syncDirectory(path: string): void;
}
