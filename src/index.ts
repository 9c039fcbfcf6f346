/** StemeDB's public API: everything a user imports comes from here. */
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
