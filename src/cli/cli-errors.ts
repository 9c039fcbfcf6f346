/**
 * How the CLI fails: the one table from error codes to exit codes, and the one-line message. An
 * expected failure never prints a stack trace; only an error that is not a `StemeError` (a bug)
 * does, and only with `STEMEDB_DEBUG=1`.
 *
 * Exit codes: 0 success; 1 the request or its input was wrong, or the directory is missing or
 * locked; 2 the stored data is damaged or could not be made durable.
 */
import { StemeError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_DATA_ERROR = 2;

export const EXIT_CODE_BY_ERROR: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: EXIT_USER_ERROR,
  INVALID_SIGNATURE: EXIT_USER_ERROR,
  TOO_LARGE: EXIT_USER_ERROR,
  NOT_FOUND: EXIT_USER_ERROR,
  FILE_LOCKED: EXIT_USER_ERROR,
  CLOSED: EXIT_USER_ERROR,
  IO_ERROR: EXIT_USER_ERROR,
  CORRUPTION: EXIT_DATA_ERROR,
  JOURNAL_FAILED: EXIT_DATA_ERROR,
  FSYNC_FAILED: EXIT_DATA_ERROR,
};

/** What to do next, for the codes where the message alone does not say. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  FILE_LOCKED: 'another process has the database open (a running `stemedb serve`?)',
  CORRUPTION: 'run `stemedb recover --repair` to quarantine the damage and keep the rest',
  JOURNAL_FAILED: 'the database stopped accepting writes; fix the cause and run the command again',
  FSYNC_FAILED: 'a write may not be on disk; fix the cause and run the command again',
};

/** A failure of the CLI itself, with one of StemeDB's error codes. */
export class CliError extends StemeError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An input error located in the input: `claims.jsonl:3: subject: must not contain NUL`. */
export function locatedError(location: string, error: unknown): unknown {
  if (!(error instanceof StemeError)) return error;
  return new CliError(error.code, `${location}: ${error.message}`, { cause: error });
}

/** Writes the one-line report of `error` on stderr and returns the exit code for it. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof StemeError) {
    const hint = HINTS[error.code];
    if (json) {
      const details = hint === undefined ? {} : { hint };
      const body = { error: { code: error.code, message: error.message, ...details } };
      process.stderr.write(`${JSON.stringify(body)}\n`);
    } else {
      process.stderr.write(`stemedb: ${error.message}${hint === undefined ? '' : ` (${hint})`}\n`);
    }
    return EXIT_CODE_BY_ERROR[error.code];
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: 'INTERNAL', message } })}\n`);
  } else {
    process.stderr.write(`stemedb: internal error: ${message}\n`);
  }
  if (process.env['STEMEDB_DEBUG'] === '1' && error instanceof Error) {
    process.stderr.write(`${error.stack ?? ''}\n`);
  }
  return EXIT_USER_ERROR;
}
