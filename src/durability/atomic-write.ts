/**
 * Atomic file replacement and directory sync.
 *
 * After any crash, a file written by `atomicWrite` holds all of its old content or all of the new:
 * the new bytes go to a temporary file in the same directory, which is fsynced before the rename
 * (so the rename can never expose a file whose data has not landed), and the directory is fsynced
 * after it (so the rename itself survives power loss — the step popular packages skip).
 */
import path from 'node:path';
import { FsyncFailedError, IoError } from '../errors.js';
import type { FileSystem } from './file-system.js';
import { nodeFileSystem } from './node-file-system.js';

/** The temporary name `atomicWrite` uses beside `target`. */
export function temporaryPathFor(target: string): string {
  return `${target}.tmp`;
}

/** Makes the entries of `directory` (creations, renames, removals) durable. */
export function syncDirectory(directory: string, fileSystem: FileSystem = nodeFileSystem): void {
  try {
    fileSystem.syncDirectory(directory);
  } catch (error) {
    throw new FsyncFailedError(directory, { cause: error });
  }
}

export function atomicWrite(
  target: string,
  contents: Uint8Array,
  fileSystem: FileSystem = nodeFileSystem,
): void {
  const temporary = temporaryPathFor(target);
  // A temporary file left by a crash mid-write holds nothing anyone relies on.
  if (fileSystem.exists(temporary)) unlinkOrThrow(fileSystem, temporary);
  let handle;
  try {
    handle = fileSystem.open(temporary, 'create-new');
  } catch (error) {
    throw new IoError(temporary, 'cannot create temporary file', { cause: error });
  }
  try {
    writeAll(handle, contents);
    try {
      handle.sync();
    } catch (error) {
      throw new FsyncFailedError(temporary, { cause: error });
    }
  } catch (error) {
    handle.close();
    unlinkQuietly(fileSystem, temporary);
    throw error;
  }
  handle.close();
  try {
    fileSystem.rename(temporary, target);
  } catch (error) {
    unlinkQuietly(fileSystem, temporary);
    throw new IoError(target, 'cannot rename temporary file into place', { cause: error });
  }
  syncDirectory(path.dirname(target), fileSystem);
}

function writeAll(
  handle: { path: string; write(b: Uint8Array, o: number, l: number, p: number): number },
  contents: Uint8Array,
): void {
  let written: number;
  try {
    written = handle.write(contents, 0, contents.length, 0);
  } catch (error) {
    throw new IoError(handle.path, 'write failed', { cause: error });
  }
  if (written !== contents.length) {
    throw new IoError(handle.path, `short write (${written} of ${contents.length} bytes)`);
  }
}

function unlinkOrThrow(fileSystem: FileSystem, file: string): void {
  try {
    fileSystem.unlink(file);
  } catch (error) {
    throw new IoError(file, 'cannot remove stale temporary file', { cause: error });
  }
}

function unlinkQuietly(fileSystem: FileSystem, file: string): void {
  try {
    fileSystem.unlink(file);
  } catch {
    // The original failure is what the caller needs; a leftover temporary file is harmless and is
    // removed by the next atomicWrite of the same target.
  }
}
