/** Errors of the ingest layer. Codes are the shared ones of `errors.ts`. */
import { StemeError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/**
 * The ingestor stopped: a store write or read failed (`cause`). It carries the cause's code when
 * that is a `StemeError` (`IO_ERROR`, `CORRUPTION`, ...), otherwise `IO_ERROR`. Every waiting and
 * later `waitForIngest` rejects with it until the database is closed and reopened.
 */
export class IngestFailedError extends StemeError {
  constructor(cause: unknown) {
    const code: ErrorCode = cause instanceof StemeError ? cause.code : 'IO_ERROR';
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(code, `ingestor stopped: ${reason}`, { cause });
  }
}

/** The derived store holds something the ingestor never writes (a damaged meta value, say). */
export class StoreCorruptionError extends StemeError {
  readonly reason: string;

  constructor(reason: string) {
    super('CORRUPTION', `store corruption: ${reason}`);
    this.reason = reason;
  }
}
