/**
 * The one table from error codes to HTTP statuses, and the one error body: every error the server
 * sends is `{ "error": { "code", "message" } }`. Codes are StemeDB's error codes plus a few of the
 * HTTP layer's own (`UNAUTHORIZED`, `UNSUPPORTED_MEDIA_TYPE`, `INTERNAL`).
 */
import { StemeError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

export const HTTP_ERROR_CODES = ['UNAUTHORIZED', 'UNSUPPORTED_MEDIA_TYPE', 'INTERNAL'] as const;
export type HttpErrorCode = ErrorCode | (typeof HTTP_ERROR_CODES)[number];

export interface ErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string };
}

export const STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_SIGNATURE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  FILE_LOCKED: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  IO_ERROR: 500,
  CORRUPTION: 500,
  // After a failed write or sync the database refuses work until reopened, and a closing one
  // takes no more: both are the service being unavailable, not the request being wrong.
  JOURNAL_FAILED: 503,
  FSYNC_FAILED: 503,
  CLOSED: 503,
};

export interface HttpError {
  readonly status: number;
  readonly body: ErrorBody;
}

export function errorBody(code: HttpErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Fastify's own error codes for requests it refuses before a handler runs. */
const FASTIFY_CODES: Readonly<Record<string, HttpErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_ARGUMENT',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_ARGUMENT',
  FST_ERR_VALIDATION: 'INVALID_ARGUMENT',
};

/** The status and body for any error a route or fastify raised. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof StemeError) {
    return { status: STATUS_BY_CODE[error.code], body: errorBody(error.code, error.message) };
  }
  const { code, statusCode, message } = fieldsOf(error);
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code];
  if (mapped !== undefined) {
    return { status: STATUS_BY_CODE[mapped], body: errorBody(mapped, message) };
  }
  // A client error fastify raised that has no entry above (a malformed request line, say).
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: errorBody('INVALID_ARGUMENT', message) };
  }
  return { status: 500, body: errorBody('INTERNAL', 'internal error') };
}

function fieldsOf(error: unknown): { code?: string; statusCode?: number; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { code, statusCode, message } = error as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    message: typeof message === 'string' ? message : 'request refused',
  };
}
