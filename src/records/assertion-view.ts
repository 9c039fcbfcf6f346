/**
 * An assertion read in place: the constructor checks every byte once, then each getter decodes only
 * its own field. The ingestor builds index keys from `subjectUtf8`/`predicateUtf8` and `hash`
 * without decoding the rest.
 */
import assert from 'node:assert/strict';
import { blake3 } from '../checksum/index.js';
import {
  PREDICATE_MAX_BYTES,
  RECORD_ENCODED_MAX_BYTES,
  SIGNATURES_MAX_COUNT,
  SUBJECT_MAX_BYTES,
  VECTOR_MAX_DIMENSIONS,
} from '../limits.js';
import { float32Lanes, readFloat32, readFloat64, readU32 } from './byte-order.js';
import { copyBytes, viewBytes } from './bytes.js';
import {
  checkEnvelope,
  checkFloat,
  checkOptionalRegion,
  checkRegion,
  checkText,
  checkZeros,
  fail,
  readTimestamp,
} from './format-checks.js';
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
  ASSERTION_RESERVED_AT,
  ASSERTION_SCALAR_AT,
  ASSERTION_TIMESTAMP_AT,
  REGION_SLOT_BYTES,
  SIGNATURE_ENTRY_BYTES,
  SIGNATURE_ENTRY_SIGNATURE_AT,
  SIGNATURE_ENTRY_TIMESTAMP_AT,
  SIGNATURE_TRAILER_HEAD_BYTES,
  alignUp,
} from './layout.js';
import {
  AGENT_ID_BYTES,
  HASH_BYTES,
  OBJECT_TYPES,
  SIGNATURE_BYTES,
  VISUAL_HASH_BYTES,
} from './record-types.js';
import type { Assertion, AssertionObject, ObjectType, Signature } from './record-types.js';
import { decodeUtf8 } from './utf8.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const slotOf = (region: number): number => ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * region;
const SUBJECT_SLOT = slotOf(ASSERTION_REGION_SUBJECT);
const PREDICATE_SLOT = slotOf(ASSERTION_REGION_PREDICATE);
const OBJECT_SLOT = slotOf(ASSERTION_REGION_OBJECT);
const PARENT_SLOT = slotOf(ASSERTION_REGION_PARENT);
const SOURCE_SLOT = slotOf(ASSERTION_REGION_SOURCE);
const VISUAL_SLOT = slotOf(ASSERTION_REGION_VISUAL);
const EPOCH_SLOT = slotOf(ASSERTION_REGION_EPOCH);
const VECTOR_SLOT = slotOf(ASSERTION_REGION_VECTOR);

/**
 * Reads an encoded assertion without copying it. Construction throws `RecordFormatError` unless
 * `bytes` is exactly one canonical assertion, so a view that exists is valid throughout.
 *
 * Ownership: the view reads `bytes` on every access; the caller must not change them while the
 * view is in use. Byte-array getters (hashes, `subjectUtf8`, ...) return views of `bytes` that
 * share that rule; `toRecord()`, `vector` and `signatureAt()` return copies the caller owns.
 */
export class AssertionView {
  readonly type = 'assertion' as const;
  readonly #bytes: Uint8Array;
  readonly #unsignedLength: number;
  readonly #signatureCount: number;
  #hash: Uint8Array | undefined;

  constructor(bytes: Uint8Array) {
    checkEnvelope(bytes, 'assertion', ASSERTION_HEAD_BYTES);
    this.#bytes = bytes;
    const objectType = checkHead(bytes);
    this.#unsignedLength = checkRegions(bytes, objectType);
    this.#signatureCount = checkSignatures(bytes, this.#unsignedLength);
  }

  /** The whole record, signatures included. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The bytes the content address covers: the record without its signature trailer. */
  get unsignedBytes(): Uint8Array {
    return viewBytes(this.#bytes, 0, this.#unsignedLength);
  }

  /** The content address, computed on first use. The same array each time: do not modify it. */
  get hash(): Uint8Array {
    this.#hash ??= blake3(this.unsignedBytes);
    return this.#hash;
  }

  get subject(): string {
    return this.#string(SUBJECT_SLOT);
  }

  /** The subject's UTF-8 bytes, in place: what the `S:` and `SP:` index keys hold. */
  get subjectUtf8(): Uint8Array {
    return this.#region(SUBJECT_SLOT);
  }

  get predicate(): string {
    return this.#string(PREDICATE_SLOT);
  }

  get predicateUtf8(): Uint8Array {
    return this.#region(PREDICATE_SLOT);
  }

  get objectType(): ObjectType {
    return OBJECT_TYPES[this.#bytes[ASSERTION_OBJECT_TYPE_AT] as number] as ObjectType;
  }

  get object(): AssertionObject {
    const type = this.objectType;
    switch (type) {
      case 'text':
      case 'reference':
        return { type, value: this.#string(OBJECT_SLOT) };
      case 'number':
        return { type, value: readFloat64(this.#bytes, ASSERTION_SCALAR_AT) };
      case 'boolean':
        return { type, value: this.#bytes[ASSERTION_SCALAR_AT] === 1 };
    }
  }

  get confidence(): number {
    return readFloat64(this.#bytes, ASSERTION_CONFIDENCE_AT);
  }

  get timestamp(): number {
    return readTimestamp(this.#bytes, ASSERTION_TIMESTAMP_AT, 'timestamp');
  }

  get parentHash(): Uint8Array | undefined {
    return this.#optionalRegion(PARENT_SLOT);
  }

  get sourceHash(): Uint8Array | undefined {
    return this.#optionalRegion(SOURCE_SLOT);
  }

  get visualHash(): Uint8Array | undefined {
    return this.#optionalRegion(VISUAL_SLOT);
  }

  get epoch(): Uint8Array | undefined {
    return this.#optionalRegion(EPOCH_SLOT);
  }

  /** A copy of the vector, or undefined when the assertion has none. */
  get vector(): Float32Array | undefined {
    const at = readU32(this.#bytes, VECTOR_SLOT);
    const count = readU32(this.#bytes, VECTOR_SLOT + 4) / 4;
    if (count === 0) return undefined;
    const lanes = float32Lanes(this.#bytes, at, count);
    if (lanes !== undefined) return lanes.slice();
    const vector = new Float32Array(count);
    for (let i = 0; i < count; i++) vector[i] = readFloat32(this.#bytes, at + 4 * i);
    return vector;
  }

  get signatureCount(): number {
    return this.#signatureCount;
  }

  /** A copy of the signature at `index` (0 ≤ index < signatureCount), in agent-id order. */
  signatureAt(index: number): Signature {
    assert.ok(Number.isInteger(index) && index >= 0 && index < this.#signatureCount, 'index');
    const at = this.#unsignedLength + SIGNATURE_TRAILER_HEAD_BYTES + SIGNATURE_ENTRY_BYTES * index;
    const signatureAt = at + SIGNATURE_ENTRY_SIGNATURE_AT;
    return {
      agentId: copyBytes(this.#bytes, at, at + AGENT_ID_BYTES),
      signature: copyBytes(this.#bytes, signatureAt, signatureAt + SIGNATURE_BYTES),
      timestamp: readTimestamp(this.#bytes, at + SIGNATURE_ENTRY_TIMESTAMP_AT, 'timestamp'),
    };
  }

  get signatures(): Signature[] {
    const signatures: Signature[] = [];
    for (let i = 0; i < this.#signatureCount; i++) signatures.push(this.signatureAt(i));
    return signatures;
  }

  /** The whole assertion as a typed value that owns copies of every byte array. */
  toRecord(): Assertion {
    const record: Mutable<Assertion> = {
      type: 'assertion',
      subject: this.subject,
      predicate: this.predicate,
      object: this.object,
      confidence: this.confidence,
      timestamp: this.timestamp,
      signatures: this.signatures,
    };
    if (this.#hasRegion(PARENT_SLOT)) record.parentHash = this.#copyRegion(PARENT_SLOT);
    if (this.#hasRegion(SOURCE_SLOT)) record.sourceHash = this.#copyRegion(SOURCE_SLOT);
    if (this.#hasRegion(VISUAL_SLOT)) record.visualHash = this.#copyRegion(VISUAL_SLOT);
    if (this.#hasRegion(EPOCH_SLOT)) record.epoch = this.#copyRegion(EPOCH_SLOT);
    if (this.#hasRegion(VECTOR_SLOT)) record.vector = this.vector as Float32Array;
    return record;
  }

  #hasRegion(slotAt: number): boolean {
    return readU32(this.#bytes, slotAt + 4) !== 0;
  }

  #copyRegion(slotAt: number): Uint8Array {
    const at = readU32(this.#bytes, slotAt);
    return copyBytes(this.#bytes, at, at + readU32(this.#bytes, slotAt + 4));
  }

  #region(slotAt: number): Uint8Array {
    const at = readU32(this.#bytes, slotAt);
    return viewBytes(this.#bytes, at, at + readU32(this.#bytes, slotAt + 4));
  }

  #optionalRegion(slotAt: number): Uint8Array | undefined {
    return this.#hasRegion(slotAt) ? this.#region(slotAt) : undefined;
  }

  #string(slotAt: number): string {
    const at = readU32(this.#bytes, slotAt);
    return decodeUtf8(this.#bytes, at, at + readU32(this.#bytes, slotAt + 4));
  }
}

/** Checks the fixed part of the head; returns the object type. */
function checkHead(bytes: Uint8Array): ObjectType {
  const code = bytes[ASSERTION_OBJECT_TYPE_AT] as number;
  const objectType = OBJECT_TYPES[code];
  if (objectType === undefined) {
    fail('unknown-code', ASSERTION_OBJECT_TYPE_AT, `object type ${code}`);
  }
  checkZeros(bytes, ASSERTION_RESERVED_AT, ASSERTION_CONFIDENCE_AT, 'reserved head bytes');
  const confidence = readFloat64(bytes, ASSERTION_CONFIDENCE_AT);
  checkFloat(confidence, ASSERTION_CONFIDENCE_AT, 'confidence', 0, 1);
  readTimestamp(bytes, ASSERTION_TIMESTAMP_AT, 'timestamp');
  switch (objectType) {
    case 'number': {
      const value = readFloat64(bytes, ASSERTION_SCALAR_AT);
      checkFloat(value, ASSERTION_SCALAR_AT, 'number object', -Infinity, Infinity);
      break;
    }
    case 'boolean':
      if ((bytes[ASSERTION_SCALAR_AT] as number) > 1) {
        fail('out-of-range', ASSERTION_SCALAR_AT, 'a boolean object is 0 or 1');
      }
      checkZeros(bytes, ASSERTION_SCALAR_AT + 1, ASSERTION_SCALAR_AT + 8, 'boolean object');
      break;
    default:
      checkZeros(bytes, ASSERTION_SCALAR_AT, ASSERTION_SCALAR_AT + 8, 'unused object scalar');
  }
  return objectType;
}

/** What a failing object region is called, built once rather than for every record read. */
const OBJECT_REGION_NAMES: Readonly<Record<ObjectType, string>> = {
  text: 'text object',
  number: 'number object',
  boolean: 'boolean object',
  reference: 'reference object',
};

/** Checks every region and its contents; returns where the unsigned record ends. */
function checkRegions(bytes: Uint8Array, objectType: ObjectType): number {
  let at = ASSERTION_HEAD_BYTES;
  const subject = checkRegion(bytes, SUBJECT_SLOT, at, 1, SUBJECT_MAX_BYTES, 'subject');
  checkText(bytes, at, at + subject, 'subject', true);
  at = alignUp(at + subject);
  const predicate = checkRegion(bytes, PREDICATE_SLOT, at, 1, PREDICATE_MAX_BYTES, 'predicate');
  checkText(bytes, at, at + predicate, 'predicate', true);
  at = alignUp(at + predicate);
  const isReference = objectType === 'reference';
  const minObject = isReference ? 1 : 0;
  const maxObject =
    objectType === 'text' ? RECORD_ENCODED_MAX_BYTES : isReference ? SUBJECT_MAX_BYTES : 0;
  const objectName = OBJECT_REGION_NAMES[objectType];
  const object = checkRegion(bytes, OBJECT_SLOT, at, minObject, maxObject, objectName);
  checkText(bytes, at, at + object, 'object', isReference);
  at = alignUp(at + object);
  at += checkOptionalRegion(bytes, PARENT_SLOT, at, HASH_BYTES, 'parentHash');
  at += checkOptionalRegion(bytes, SOURCE_SLOT, at, HASH_BYTES, 'sourceHash');
  at += checkOptionalRegion(bytes, VISUAL_SLOT, at, VISUAL_HASH_BYTES, 'visualHash');
  at += checkOptionalRegion(bytes, EPOCH_SLOT, at, HASH_BYTES, 'epoch');
  const vector = checkRegion(bytes, VECTOR_SLOT, at, 0, 4 * VECTOR_MAX_DIMENSIONS, 'vector', 4);
  checkVector(bytes, at, vector / 4);
  return alignUp(at + vector);
}

/** Checks that each of the `count` float32 elements at `at` is finite and not -0. */
function checkVector(bytes: Uint8Array, at: number, count: number): void {
  if (count === 0) return;
  const lanes = float32Lanes(bytes, at, count);
  for (let i = 0; i < count; i++) {
    const element = lanes === undefined ? readFloat32(bytes, at + 4 * i) : (lanes[i] as number);
    // Only a failing element pays for the full check and its message.
    if (!Number.isFinite(element) || (element === 0 && 1 / element < 0)) {
      checkFloat(element, at + 4 * i, 'vector element', -Infinity, Infinity);
    }
  }
}

/** Checks the signature trailer after `unsignedLength`, if any; returns the signature count. */
function checkSignatures(bytes: Uint8Array, unsignedLength: number): number {
  const trailing = bytes.length - unsignedLength;
  if (trailing === 0) return 0;
  if (trailing < SIGNATURE_TRAILER_HEAD_BYTES) {
    fail('trailing-bytes', unsignedLength, `${trailing} bytes after the assertion`);
  }
  const count = readU32(bytes, unsignedLength);
  if (count === 0 || count > SIGNATURES_MAX_COUNT) {
    fail('bad-length', unsignedLength, `${count} signatures, allowed 1..${SIGNATURES_MAX_COUNT}`);
  }
  checkZeros(bytes, unsignedLength + 4, unsignedLength + 8, 'signature trailer padding');
  const entriesBytes = count * SIGNATURE_ENTRY_BYTES;
  const entriesEnd = unsignedLength + SIGNATURE_TRAILER_HEAD_BYTES + entriesBytes;
  if (bytes.length < entriesEnd) {
    fail('truncated', bytes.length, `${count} signatures need ${entriesBytes} bytes`);
  }
  if (bytes.length > entriesEnd) fail('trailing-bytes', entriesEnd, 'bytes after the signatures');
  for (let i = 0; i < count; i++) {
    const at = unsignedLength + SIGNATURE_TRAILER_HEAD_BYTES + SIGNATURE_ENTRY_BYTES * i;
    if (i > 0 && !agentIdsAscend(bytes, at - SIGNATURE_ENTRY_BYTES, at)) {
      fail('unsorted-signatures', at, 'agent ids must be strictly ascending');
    }
    readTimestamp(bytes, at + SIGNATURE_ENTRY_TIMESTAMP_AT, 'signature timestamp');
  }
  return count;
}

/** True if the agent id at `first` sorts strictly before the one at `second`. */
function agentIdsAscend(bytes: Uint8Array, first: number, second: number): boolean {
  for (let i = 0; i < AGENT_ID_BYTES; i++) {
    const difference = (bytes[first + i] as number) - (bytes[second + i] as number);
    if (difference !== 0) return difference < 0;
  }
  return false;
}
