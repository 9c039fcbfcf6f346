/**
 * The records layer: typed records, their canonical bytes and content addresses, lazy views,
 * Ed25519 signatures, and the JSON edge. `docs/FORMAT.md` ("Record bodies") defines the bytes.
 */
export {
  AGENT_ID_BYTES,
  HASH_BYTES,
  OBJECT_TYPES,
  RECORD_TYPES,
  SIGNATURE_BYTES,
  SUPERSESSION_KINDS,
  VISUAL_HASH_BYTES,
  isObjectType,
  isRecordType,
  isSupersessionKind,
} from './record-types.js';
export type {
  Assertion,
  AssertionObject,
  Epoch,
  ObjectType,
  RecordType,
  Signature,
  StemeRecord,
  SupersessionKind,
  Vote,
} from './record-types.js';
export { RECORD_FORMAT_REASONS, RecordFormatError } from './record-format-error.js';
export { SlabAllocator } from './slab-allocator.js';
export type { RecordFormatReason } from './record-format-error.js';
export {
  contentAddress,
  encodeRecord,
  encodeRecordParts,
  encodeRecordWithHash,
} from './encode-record.js';
export type { EncodedRecord, RecordEncoding } from './encode-record.js';
export { validateRecord } from './validate-record.js';
export { AssertionView } from './assertion-view.js';
export { VoteView } from './vote-view.js';
export { EpochView } from './epoch-view.js';
export { decodeRecord, viewRecord } from './view-record.js';
export type { RecordView } from './view-record.js';
export { mergeSignatures, sortSignatures } from './merge-signatures.js';
export {
  RecordSignatureError,
  SIGNATURE_FAILURES,
  generateSigningKey,
  hasValidSignatures,
  signRecord,
  signingKeyFromSeed,
  verifySignature,
  verifySignatures,
} from './signing.js';
export type { SignatureFailure, SigningKey, VerifiableRecord, VerifyOptions } from './signing.js';
export {
  parseAssertionInput,
  parseEpochInput,
  parseRecordInput,
  parseVoteInput,
  toOutput,
} from './input.js';
export type {
  AssertionInput,
  AssertionOutput,
  EpochInput,
  EpochOutput,
  InputOptions,
  ObjectJson,
  RecordOutput,
  SignatureJson,
  VoteInput,
  VoteOutput,
} from './input.js';
export { bytesEqual, compareBytes, fromHex, toHex, toLatin1 } from './bytes.js';
