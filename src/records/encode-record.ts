/**
 * The canonical encoder and the content address. `layout.ts` and `docs/FORMAT.md` define the bytes.
 *
 * Each encode is one validation-and-sizing pass (`validate-record.ts`), one allocation of exactly
 * the final size, and one writing pass; strings go straight into the output buffer.
 */
import assert from 'node:assert/strict';
import { blake3 } from '../checksum/index.js';
import { allocateRecordBytes } from './allocate-record-bytes.js';
import { float32Lanes, writeFloat32, writeFloat64, writeU32 } from './byte-order.js';
import {
  ASSERTION_CONFIDENCE_AT,
  ASSERTION_HEAD_BYTES,
  ASSERTION_OBJECT_TYPE_AT,
  ASSERTION_REGIONS_AT,
  ASSERTION_REGION_EPOCH,
  ASSERTION_REGION_OBJECT,
  ASSERTION_REGION_PARENT,
  ASSERTION_REGION_PREDICATE,
  ASSERTION_REGION_SOURCE,
  ASSERTION_REGION_SUBJECT,
  ASSERTION_REGION_VECTOR,
  ASSERTION_REGION_VISUAL,
  ASSERTION_SCALAR_AT,
  ASSERTION_TIMESTAMP_AT,
  EPOCH_HEAD_BYTES,
  EPOCH_KIND_AT,
  EPOCH_REGIONS_AT,
  EPOCH_REGION_DESCRIPTION,
  EPOCH_REGION_NAME,
  EPOCH_REGION_SUPERSEDES,
  EPOCH_TIMESTAMP_AT,
  REGION_SLOT_BYTES,
  SIGNATURE_ENTRY_BYTES,
  SIGNATURE_ENTRY_SIGNATURE_AT,
  SIGNATURE_ENTRY_TIMESTAMP_AT,
  SIGNATURE_TRAILER_HEAD_BYTES,
  VOTE_AGENT_ID_AT,
  VOTE_ASSERTION_HASH_AT,
  VOTE_SIGNATURE_AT,
  VOTE_TIMESTAMP_AT,
  VOTE_UNSIGNED_BYTES,
  VOTE_WEIGHT_AT,
  alignUp,
} from './layout.js';
import { OBJECT_TYPES, RECORD_TYPES, SUPERSESSION_KINDS } from './record-types.js';
import type { Assertion, Epoch, StemeRecord, Vote } from './record-types.js';
import { writeUtf8 } from './utf8.js';
import { measureAssertion, measureEpoch, measureVote, validateRecord } from './validate-record.js';
import type { AssertionLayout } from './validate-record.js';

const SUBJECT_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_SUBJECT;
const PREDICATE_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_PREDICATE;
const OBJECT_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_OBJECT;
const PARENT_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_PARENT;
const SOURCE_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_SOURCE;
const VISUAL_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_VISUAL;
const EPOCH_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_EPOCH;
const VECTOR_SLOT = ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_VECTOR;
const NAME_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_NAME;
const SUPERSEDES_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_SUPERSEDES;
const DESCRIPTION_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_DESCRIPTION;
const ASSERTION_TYPE_CODE = RECORD_TYPES.indexOf('assertion');
const VOTE_TYPE_CODE = RECORD_TYPES.indexOf('vote');
const EPOCH_TYPE_CODE = RECORD_TYPES.indexOf('epoch');

/** An encoded record with its content address. */
export interface EncodedRecord {
  /** The canonical bytes, signatures included. */
  readonly bytes: Uint8Array;
  /** BLAKE3-256 of the canonical bytes without signatures. */
  readonly hash: Uint8Array;
}

/**
 * The canonical bytes of `record`, signatures included. Throws `InvalidArgumentError` (with the
 * field) or `TooLargeError` if the record breaks a rule; see `validate-record.ts`.
 * The result is a fresh array the caller owns (see `allocateRecordBytes` for its memory).
 */
export function encodeRecord(record: StemeRecord): Uint8Array {
  return encode(record, true).bytes;
}

/** A record's canonical bytes and the part of them its content address is the hash of. */
export interface RecordEncoding {
  /** The canonical bytes, signatures included. */
  readonly bytes: Uint8Array;
  /**
   * The content address is BLAKE3-256 of `bytes[0, unsignedBytes)`. Equal to `bytes.length` when
   * the record carries no signature: the address is then the hash of the bytes themselves.
   */
  readonly unsignedBytes: number;
}

/** `encodeRecordWithHash` without the hash, for a caller that may get it elsewhere. */
export function encodeRecordParts(record: StemeRecord): RecordEncoding {
  return encode(record, true);
}

/** `encodeRecord` and `contentAddress` together, sharing the one encoding. */
export function encodeRecordWithHash(record: StemeRecord): EncodedRecord {
  const { bytes, unsignedBytes } = encode(record, true);
  return { bytes, hash: blake3(bytes.subarray(0, unsignedBytes)) };
}

/**
 * The record's content address: BLAKE3-256 of its canonical bytes without signatures (for an
 * assertion, the encoding with an empty signature list; for a vote, without its signature). For an
 * epoch this is its epoch id.
 */
export function contentAddress(record: StemeRecord): Uint8Array {
  return blake3(encode(record, false).bytes);
}

function encode(record: StemeRecord, withSignatures: boolean): RecordEncoding {
  if (typeof record !== 'object' || record === null) validateRecord(record);
  switch (record.type) {
    case 'assertion': {
      const layout = measureAssertion(record);
      const bytes = encodeAssertion(record, layout, withSignatures);
      return { bytes, unsignedBytes: layout.unsignedBytes };
    }
    case 'vote': {
      const signedBytes = measureVote(record);
      const bytes = encodeVote(record, withSignatures ? signedBytes : VOTE_UNSIGNED_BYTES);
      return { bytes, unsignedBytes: VOTE_UNSIGNED_BYTES };
    }
    case 'epoch': {
      const bytes = encodeEpoch(record);
      return { bytes, unsignedBytes: bytes.length };
    }
    default:
      validateRecord(record);
      return assert.fail('validateRecord accepts only known record types');
  }
}

function encodeAssertion(
  assertion: Assertion,
  layout: AssertionLayout,
  withSignatures: boolean,
): Uint8Array {
  const signatures = withSignatures ? layout.signatures : [];
  const size = signatures.length === 0 ? layout.unsignedBytes : layout.totalBytes;
  const out = allocateRecordBytes(size);
  out[0] = ASSERTION_TYPE_CODE;
  const object = assertion.object;
  out[ASSERTION_OBJECT_TYPE_AT] = OBJECT_TYPES.indexOf(object.type);
  writeFloat64(out, ASSERTION_CONFIDENCE_AT, positiveZero(assertion.confidence));
  writeTimestamp(out, ASSERTION_TIMESTAMP_AT, assertion.timestamp);
  if (object.type === 'number') {
    writeFloat64(out, ASSERTION_SCALAR_AT, positiveZero(object.value));
  } else if (object.type === 'boolean') {
    out[ASSERTION_SCALAR_AT] = object.value ? 1 : 0;
  }
  let at = ASSERTION_HEAD_BYTES;
  at = writeString(out, SUBJECT_SLOT, at, assertion.subject, layout.subjectBytes);
  at = writeString(out, PREDICATE_SLOT, at, assertion.predicate, layout.predicateBytes);
  const objectString = object.type === 'text' || object.type === 'reference' ? object.value : '';
  at = writeString(out, OBJECT_SLOT, at, objectString, layout.objectBytes);
  at = writeBytes(out, PARENT_SLOT, at, assertion.parentHash);
  at = writeBytes(out, SOURCE_SLOT, at, assertion.sourceHash);
  at = writeBytes(out, VISUAL_SLOT, at, assertion.visualHash);
  at = writeBytes(out, EPOCH_SLOT, at, assertion.epoch);
  writeRegion(out, VECTOR_SLOT, at, layout.vectorBytes);
  if (assertion.vector !== undefined) writeVector(out, at, assertion.vector);
  at = alignUp(at + layout.vectorBytes);
  if (signatures.length > 0) {
    writeU32(out, at, signatures.length);
    at += SIGNATURE_TRAILER_HEAD_BYTES;
    for (const entry of signatures) {
      copyInto(out, at, entry.agentId);
      copyInto(out, at + SIGNATURE_ENTRY_SIGNATURE_AT, entry.signature);
      writeTimestamp(out, at + SIGNATURE_ENTRY_TIMESTAMP_AT, entry.timestamp);
      at += SIGNATURE_ENTRY_BYTES;
    }
  }
  return out;
}

function encodeVote(vote: Vote, size: number): Uint8Array {
  const out = allocateRecordBytes(size);
  out[0] = VOTE_TYPE_CODE;
  copyInto(out, VOTE_ASSERTION_HASH_AT, vote.assertionHash);
  copyInto(out, VOTE_AGENT_ID_AT, vote.agentId);
  writeFloat64(out, VOTE_WEIGHT_AT, positiveZero(vote.weight));
  writeTimestamp(out, VOTE_TIMESTAMP_AT, vote.timestamp);
  if (size > VOTE_UNSIGNED_BYTES && vote.signature !== undefined) {
    copyInto(out, VOTE_SIGNATURE_AT, vote.signature);
  }
  return out;
}

function encodeEpoch(epoch: Epoch): Uint8Array {
  const layout = measureEpoch(epoch);
  const out = allocateRecordBytes(layout.totalBytes);
  out[0] = EPOCH_TYPE_CODE;
  out[EPOCH_KIND_AT] = epoch.kind === undefined ? 0 : SUPERSESSION_KINDS.indexOf(epoch.kind) + 1;
  writeTimestamp(out, EPOCH_TIMESTAMP_AT, epoch.timestamp);
  let at = EPOCH_HEAD_BYTES;
  at = writeString(out, NAME_SLOT, at, epoch.name, layout.nameBytes);
  at = writeBytes(out, SUPERSEDES_SLOT, at, epoch.supersedes);
  writeString(out, DESCRIPTION_SLOT, at, epoch.description, layout.descriptionBytes);
  return out;
}

function writeVector(out: Uint8Array, at: number, vector: Float32Array): void {
  const lanes = float32Lanes(out, at, vector.length);
  if (lanes === undefined) {
    for (let i = 0; i < vector.length; i++) {
      writeFloat32(out, at + 4 * i, positiveZero(vector[i] as number));
    }
    return;
  }
  lanes.set(vector);
  for (let i = 0; i < lanes.length; i++) if (lanes[i] === 0) lanes[i] = 0;
}

/** Fills a region slot; returns where the next region starts. */
function writeRegion(out: Uint8Array, slotAt: number, at: number, length: number): number {
  writeU32(out, slotAt, at);
  writeU32(out, slotAt + 4, length);
  return alignUp(at + length);
}

function writeString(
  out: Uint8Array,
  slotAt: number,
  at: number,
  text: string,
  byteLength: number,
): number {
  writeUtf8(text, out, at, byteLength);
  return writeRegion(out, slotAt, at, byteLength);
}

function writeBytes(
  out: Uint8Array,
  slotAt: number,
  at: number,
  bytes: Uint8Array | undefined,
): number {
  if (bytes === undefined) return writeRegion(out, slotAt, at, 0);
  copyInto(out, at, bytes);
  return writeRegion(out, slotAt, at, bytes.length);
}

/** Copies `bytes` to `out[at..]`; a loop, because `TypedArray#set` costs ~100 ns per call here. */
function copyInto(out: Uint8Array, at: number, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i] as number;
}

/** Timestamps are safe integers, so the high word is below 2^21 and the split is exact. */
function writeTimestamp(out: Uint8Array, at: number, timestamp: number): void {
  writeU32(out, at, timestamp >>> 0);
  writeU32(out, at + 4, Math.floor(timestamp / 0x1_0000_0000));
}

/** -0 and +0 are one value; the format stores +0 so that value has one encoding. */
function positiveZero(value: number): number {
  return value === 0 ? 0 : value;
}

