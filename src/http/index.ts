/**
 * The HTTP layer: the server around an open `StemeDB`, the shared input schemas, and the error
 * table. `docs/HTTP.md` describes the endpoints.
 */
export { DEFAULT_HOST, DEFAULT_PORT, createServer, startServer } from './server.js';
export type { ListenOptions, RunningServer, ServerOptions } from './server.js';
export {
  HTTP_ERROR_CODES,
  STATUS_BY_CODE,
  errorBody,
  toHttpError,
} from './error-response.js';
export type { ErrorBody, HttpError, HttpErrorCode } from './error-response.js';
export {
  AssertionBatchSchema,
  AssertionSchema,
  EpochSchema,
  ObjectSchema,
  SignatureSchema,
  VoteSchema,
  recordSchemaFor,
} from './schemas.js';
export type { AssertionBody, EpochBody, VoteBody } from './schemas.js';
export { checkRecordShape, checkShape } from './shape-check.js';
