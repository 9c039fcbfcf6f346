/**
 * Every error StemeDB raises on purpose is a `StemeError` with a stable `code`.
 *
 * Codes are public API: callers, the CLI's exit codes and the HTTP status table branch on them.
 * Messages may change between versions; codes and the typed detail fields do not.
 * Lower-level errors (an errno from the OS, a parse failure) travel as `cause`.
 */

export const ERROR_CODES = [
  'IO_ERROR',
  'FILE_LOCKED',
  'FSYNC_FAILED',
  'CORRUPTION',
  'JOURNAL_FAILED',
  'CLOSED',
  'INVALID_ARGUMENT',
  'INVALID_SIGNATURE',
  'TOO_LARGE',
  'NOT_FOUND',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class StemeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** An operating-system call failed. `errno` is the symbolic code (`EIO`, `ENOSPC`, ...) when known. */
export class IoError extends StemeError {
  readonly path: string;
  readonly errno: string | undefined;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('IO_ERROR', `${message}: ${path}${describeCause(options?.cause)}`, options);
    this.path = path;
    this.errno = errnoOf(options?.cause);
  }
}

/** Another open handle, in this process or another, holds the exclusive lock on `path`. */
export class FileLockedError extends StemeError {
  readonly path: string;

  constructor(path: string) {
    super('FILE_LOCKED', `already locked by another StemeDB instance: ${path}`);
    this.path = path;
  }
}

/**
 * fsync or fdatasync failed. The kernel may already have dropped the dirty pages, so a later
 * successful sync proves nothing: whoever sees this must stop acknowledging until reopened.
 */
export class FsyncFailedError extends StemeError {
  readonly path: string;
  readonly errno: string | undefined;

  constructor(path: string, options?: { cause?: unknown }) {
    super('FSYNC_FAILED', `fsync failed: ${path}${describeCause(options?.cause)}`, options);
    this.path = path;
    this.errno = errnoOf(options?.cause);
  }
}

/** Data that was durable is damaged. Recovery refuses to guess; see `repair`. */
export class CorruptionError extends StemeError {
  readonly path: string;
  readonly offset: number;
  readonly reason: string;

  constructor(path: string, offset: number, reason: string) {
    super('CORRUPTION', `corruption in ${path} at offset ${offset}: ${reason}`);
    this.path = path;
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * The journal stopped accepting work after a write or sync failure (the `cause`). Every later call
 * fails with this error until the journal is closed and reopened, which recovers from disk.
 */
export class JournalFailedError extends StemeError {
  constructor(cause: unknown) {
    super('JOURNAL_FAILED', `journal failed and accepts nothing until reopened${describeCause(cause)}`, {
      cause,
    });
  }
}

export class ClosedError extends StemeError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** Bad input from a caller. `field` names where, when there is a where. */
export class InvalidArgumentError extends StemeError {
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super('INVALID_ARGUMENT', field === undefined ? message : `${field}: ${message}`);
    this.field = field;
  }
}

export class InvalidSignatureError extends StemeError {
  constructor(message: string) {
    super('INVALID_SIGNATURE', message);
  }
}

export class TooLargeError extends StemeError {
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super('TOO_LARGE', `${what} is ${sizeBytes} bytes, over the limit of ${limitBytes} bytes`);
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

export class NotFoundError extends StemeError {
  constructor(what: string) {
    super('NOT_FOUND', `not found: ${what}`);
  }
}

/** The symbolic errno (`EIO`, `ENOSPC`, ...) of a Node.js system error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function describeCause(cause: unknown): string {
  if (cause === undefined) return '';
  const errno = errnoOf(cause);
  if (errno !== undefined) return ` (${errno})`;
  return cause instanceof Error ? ` (${cause.message})` : '';
}
