/**
 * Errors shaped like the ones `node:fs` throws, so code under test cannot tell the simulated file
 * system from the real one by its errors: an `Error` with `code`, negative `errno`, `syscall`,
 * `path` and, for rename, `dest`; message `CODE: description, syscall 'path'`.
 */
import { constants } from 'node:os';

export const ERRNO_DESCRIPTIONS = {
  EBADF: 'bad file descriptor',
  EEXIST: 'file already exists',
  EINVAL: 'invalid argument',
  EIO: 'i/o error',
  EISDIR: 'illegal operation on a directory',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
} as const;

export type Errno = keyof typeof ERRNO_DESCRIPTIONS;

export interface FileSystemError extends Error {
  readonly code: Errno;
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;
  readonly dest?: string;
}

/** Builds the error node would throw for `syscall` failing with `code` (path omitted for fds). */
export function fileSystemError(
  code: Errno,
  syscall: string,
  path?: string,
  dest?: string,
): FileSystemError {
  const where = path === undefined ? '' : ` '${path}'${dest === undefined ? '' : ` -> '${dest}'`}`;
  const error = new Error(`${code}: ${ERRNO_DESCRIPTIONS[code]}, ${syscall}${where}`);
  return Object.assign(error, {
    code,
    errno: -constants.errno[code],
    syscall,
    ...(path === undefined ? {} : { path }),
    ...(dest === undefined ? {} : { dest }),
  });
}

/** The `code` of an error thrown by a file system, or undefined when it carries none. */
export function errnoOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Throws a `RangeError` like node's argument validation (`ERR_OUT_OF_RANGE`) unless `ok`. */
export function checkRange(ok: boolean, name: string, value: number): void {
  if (ok) return;
  const error = new RangeError(`The value of "${name}" is out of range. Received ${value}`);
  throw Object.assign(error, { code: 'ERR_OUT_OF_RANGE' });
}
