/**
 * A real `FileSystem` (node:fs) with selected handle operations replaced, for tests that inject a
 * fault at one call site of the real disk path.
 */
import type { FileHandle, FileSystem } from '../../src/durability/index.js';
import { nodeFileSystem } from '../../src/durability/index.js';

export type HandleOverrides = (handle: FileHandle) => Partial<Omit<FileHandle, 'path'>>;

export function wrapHandle(handle: FileHandle, overrides: Partial<Omit<FileHandle, 'path'>>): FileHandle {
  return {
    path: handle.path,
    size: overrides.size ?? (() => handle.size()),
    read: overrides.read ?? ((b, o, l, p) => handle.read(b, o, l, p)),
    write: overrides.write ?? ((b, o, l, p) => handle.write(b, o, l, p)),
    datasync: overrides.datasync ?? (() => handle.datasync()),
    sync: overrides.sync ?? (() => handle.sync()),
    truncate: overrides.truncate ?? ((l) => handle.truncate(l)),
    close: overrides.close ?? (() => handle.close()),
  };
}

/** node:fs, but every opened handle gets the overrides the function returns for it. */
export function faultyFileSystem(
  overrides: HandleOverrides,
  directoryOverrides: Partial<FileSystem> = {},
): FileSystem {
  return {
    ...nodeFileSystem,
    ...directoryOverrides,
    open(path, mode) {
      const handle = nodeFileSystem.open(path, mode);
      return wrapHandle(handle, overrides(handle));
    },
  };
}

/** An error shaped like the one node:fs throws for `errno`. */
export function systemError(errno: string): Error {
  return Object.assign(new Error(`${errno}: injected fault`), { code: errno });
}
