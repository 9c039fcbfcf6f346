/** The library facade: `StemeDB` and the shapes of its options and results. */
export { StemeDB } from './stemedb.js';
export { VERIFY_PROBLEMS } from './db-types.js';
export type {
  DbStats,
  StemeDBOptions,
  VerifyMismatch,
  VerifyProblem,
  VerifyReport,
  WriteResult,
} from './db-types.js';
export {
  IndexedInvalidArgumentError,
  IndexedInvalidSignatureError,
} from './indexed-input-error.js';
export { JOURNAL_IDENTITY_FILE } from './journal-identity.js';
export { JOURNAL_DIRECTORY, STORE_DIRECTORY } from './open-database.js';
