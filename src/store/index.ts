export { compareBytes, prefixUpperBound, resolveKeyRange } from './key-range.js';
export type { KeyRange, ResolvedKeyRange } from './key-range.js';
export {
  KEY_KINDS,
  MalformedKeyError,
  OFFSET_KEY_BYTES,
  epochKey,
  hashFromIndexKey,
  hashKey,
  keyKindOf,
  kindPrefix,
  metaKey,
  parseEpochKey,
  parseHashKey,
  parseMetaKey,
  parseSubjectKey,
  parseSubjectPredicateKey,
  parseUnappliedKey,
  parseVoteKey,
  subjectKey,
  subjectKeyOfUtf8,
  subjectPredicateKey,
  subjectPredicateKeyOfUtf8,
  subjectPredicatePrefix,
  subjectPredicateSubjectPrefix,
  subjectPrefix,
  unappliedKey,
  voteKey,
  votePrefix,
} from './keys.js';
export type { KeyBytes, KeyKind } from './keys.js';
export { WRITE_OP_TYPES, checkWriteOps } from './kv-store.js';
export type {
  DeleteOp,
  Entry,
  KVStore,
  PutOp,
  WriteOp,
  WriteOpType,
  WriteOptions,
} from './kv-store.js';
export { LevelStore } from './level-store.js';
export { LmdbStore } from './lmdb-store.js';
export {
  DEFAULT_STORE_ENGINE,
  STORE_DISCARD_REASONS,
  STORE_ENGINES,
  checkStoreEngine,
  openStore,
  storeEngineFor,
} from './open-store.js';
export type { OpenedStore, StoreDiscardReason, StoreEngine } from './open-store.js';
