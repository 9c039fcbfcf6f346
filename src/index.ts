/**
 * StemeDB's public API: everything a user imports comes from here. The HTTP server is a separate
 * entry point, `stemedb/http`, so the library does not load the web framework.
 */
export {
  ClosedError,
  CorruptionError,
  ERROR_CODES,
  FileLockedError,
  FsyncFailedError,
  InvalidArgumentError,
  InvalidSignatureError,
  IoError,
  JournalFailedError,
  NotFoundError,
  StemeError,
  TooLargeError,
  isErrorCode,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export {
  DURABILITY_KINDS,
  DurabilityLevel,
  FileLock,
  atomicWrite,
  lockDirectory,
  nodeFileSystem,
  parseDurability,
  syncDirectory,
} from './durability/index.js';
export type { DurabilityKind, DurabilityOption, FileHandle, FileSystem, OpenMode } from './durability/index.js';
export { Journal, QUARANTINE_DIRECTORY } from './journal/index.js';
export type {
  AppendResult,
  JournalOptions,
  JournalRecord,
  QuarantineKind,
  QuarantinedRegion,
  RecordLog,
  RecoveryReport,
  RetentionResult,
} from './journal/index.js';
export { StemeDB, VERIFY_PROBLEMS, IndexedInvalidArgumentError, IndexedInvalidSignatureError } from './db/index.js';
export type { DbStats, StemeDBOptions, VerifyMismatch, VerifyProblem, VerifyReport, WriteResult } from './db/index.js';
export { IngestFailedError, StoreCorruptionError, REBUILD_REASONS } from './ingest/index.js';
export type { RebuildReason } from './ingest/index.js';
export {
  RecordFormatError,
  RecordSignatureError,
  contentAddress,
  decodeRecord,
  encodeRecord,
  generateSigningKey,
  parseAssertionInput,
  parseEpochInput,
  parseRecordInput,
  parseVoteInput,
  signRecord,
  signingKeyFromSeed,
  toHex,
  fromHex,
  toOutput,
  verifySignatures,
} from './records/index.js';
export type {
  Assertion,
  AssertionInput,
  AssertionObject,
  AssertionOutput,
  Epoch,
  EpochInput,
  EpochOutput,
  ObjectJson,
  RecordOutput,
  RecordType,
  Signature,
  SignatureJson,
  SigningKey,
  StemeRecord,
  Vote,
  VoteInput,
  VoteOutput,
} from './records/index.js';
export { LevelStore, LmdbStore, STORE_ENGINES } from './store/index.js';
export type { Entry, KVStore, StoreDiscardReason, StoreEngine, WriteOp } from './store/index.js';
