/**
 * Checks a typed record against every rule of the format and measures its encoding, in one pass.
 * The encoder runs this before it allocates, so nothing invalid is ever written; the input layer
 * runs it so a caller learns of a bad value before anything else happens.
 *
 * Errors: `InvalidArgumentError` whose `field` is the path of the bad value (`object.value`,
 * `signatures[2].agentId`), or `TooLargeError` when the whole record would pass
 * `RECORD_ENCODED_MAX_BYTES`.
 */
import { InvalidArgumentError, TooLargeError } from '../errors.js';
import {
  EPOCH_DESCRIPTION_MAX_BYTES,
  EPOCH_NAME_MAX_BYTES,
  PREDICATE_MAX_BYTES,
  RECORD_ENCODED_MAX_BYTES,
  SIGNATURES_MAX_COUNT,
  SUBJECT_MAX_BYTES,
  VECTOR_MAX_DIMENSIONS,
} from '../limits.js';
import { compareBytes } from './bytes.js';
import {
  ASSERTION_HEAD_BYTES,
  EPOCH_HEAD_BYTES,
  SIGNATURE_ENTRY_BYTES,
  SIGNATURE_TRAILER_HEAD_BYTES,
  VOTE_SIGNED_BYTES,
  VOTE_UNSIGNED_BYTES,
  alignUp,
} from './layout.js';
import {
  AGENT_ID_BYTES,
  HASH_BYTES,
  SIGNATURE_BYTES,
  VISUAL_HASH_BYTES,
  isSupersessionKind,
} from './record-types.js';
import type { Assertion, Epoch, Signature, StemeRecord, Vote } from './record-types.js';
import { utf8Length } from './utf8.js';

/** What the encoder needs to lay out an assertion; `signatures` is sorted by agent id. */
export interface AssertionLayout {
  readonly subjectBytes: number;
  readonly predicateBytes: number;
  readonly objectBytes: number;
  readonly vectorBytes: number;
  readonly unsignedBytes: number;
  readonly totalBytes: number;
  readonly signatures: readonly Signature[];
}

export interface EpochLayout {
  readonly nameBytes: number;
  readonly descriptionBytes: number;
  readonly totalBytes: number;
}

/** Throws unless `record` is a valid typed record (see the module comment for the errors). */
export function validateRecord(record: StemeRecord): void {
  checkObject(record, 'record');
  switch (record.type) {
    case 'assertion':
      measureAssertion(record);
      return;
    case 'vote':
      measureVote(record);
      return;
    case 'epoch':
      measureEpoch(record);
      return;
    default:
      throw new InvalidArgumentError(`unknown record type ${describe(record)}`, 'type');
  }
}

export function measureAssertion(assertion: Assertion): AssertionLayout {
  const subjectBytes = entityLength(assertion.subject, 'subject', SUBJECT_MAX_BYTES);
  const predicateBytes = entityLength(assertion.predicate, 'predicate', PREDICATE_MAX_BYTES);
  const objectBytes = objectLength(assertion.object);
  const hashes =
    optionalBytes(assertion.parentHash, HASH_BYTES, 'parentHash') +
    optionalBytes(assertion.sourceHash, HASH_BYTES, 'sourceHash') +
    optionalBytes(assertion.visualHash, VISUAL_HASH_BYTES, 'visualHash') +
    optionalBytes(assertion.epoch, HASH_BYTES, 'epoch');
  checkFloatInRange(assertion.confidence, 0, 1, 'confidence');
  checkTimestamp(assertion.timestamp, 'timestamp');
  const vectorBytes = vectorLength(assertion.vector);
  const signatures = sortedSignatures(assertion.signatures);
  const unsignedBytes =
    ASSERTION_HEAD_BYTES +
    alignUp(subjectBytes) +
    alignUp(predicateBytes) +
    alignUp(objectBytes) +
    hashes +
    alignUp(vectorBytes);
  const totalBytes =
    signatures.length === 0
      ? unsignedBytes
      : unsignedBytes + SIGNATURE_TRAILER_HEAD_BYTES + SIGNATURE_ENTRY_BYTES * signatures.length;
  checkRecordSize(totalBytes);
  return {
    subjectBytes,
    predicateBytes,
    objectBytes,
    vectorBytes,
    unsignedBytes,
    totalBytes,
    signatures,
  };
}

/** Returns the vote's encoded size. */
export function measureVote(vote: Vote): number {
  requiredBytes(vote.assertionHash, HASH_BYTES, 'assertionHash');
  requiredBytes(vote.agentId, AGENT_ID_BYTES, 'agentId');
  checkFloatInRange(vote.weight, -1, 1, 'weight');
  checkTimestamp(vote.timestamp, 'timestamp');
  const signed = optionalBytes(vote.signature, SIGNATURE_BYTES, 'signature') !== 0;
  return signed ? VOTE_SIGNED_BYTES : VOTE_UNSIGNED_BYTES;
}

export function measureEpoch(epoch: Epoch): EpochLayout {
  const nameBytes = entityLength(epoch.name, 'name', EPOCH_NAME_MAX_BYTES);
  const supersedesBytes = optionalBytes(epoch.supersedes, HASH_BYTES, 'supersedes');
  if (epoch.kind !== undefined && !isSupersessionKind(epoch.kind)) {
    throw new InvalidArgumentError(`unknown supersession kind ${describe(epoch.kind)}`, 'kind');
  }
  if ((epoch.kind === undefined) !== (supersedesBytes === 0)) {
    throw new InvalidArgumentError('kind and supersedes must be given together', 'kind');
  }
  checkTimestamp(epoch.timestamp, 'timestamp');
  const maxDescription = EPOCH_DESCRIPTION_MAX_BYTES;
  const descriptionBytes = textLength(epoch.description, 'description', maxDescription);
  const totalBytes =
    EPOCH_HEAD_BYTES + alignUp(nameBytes) + supersedesBytes + alignUp(descriptionBytes);
  checkRecordSize(totalBytes);
  return { nameBytes, descriptionBytes, totalBytes };
}

function objectLength(object: Assertion['object']): number {
  checkObject(object, 'object');
  switch (object.type) {
    case 'text':
      return textLength(object.value, 'object.value', RECORD_ENCODED_MAX_BYTES);
    case 'reference':
      return entityLength(object.value, 'object.value', SUBJECT_MAX_BYTES);
    case 'number':
      checkFinite(object.value, 'object.value');
      return 0;
    case 'boolean':
      if (typeof object.value !== 'boolean') {
        throw new InvalidArgumentError('must be a boolean for a boolean object', 'object.value');
      }
      return 0;
    default:
      throw new InvalidArgumentError(
        `unknown object type ${describe((object as { type: unknown }).type)}`,
        'object.type',
      );
  }
}

/** An entity id, predicate or epoch name: non-empty, no NUL, at most `maxBytes` of UTF-8. */
function entityLength(value: unknown, field: string, maxBytes: number): number {
  if (typeof value !== 'string') throw new InvalidArgumentError('must be a string', field);
  if (value.length === 0) throw new InvalidArgumentError('must not be empty', field);
  if (value.includes('\0')) throw new InvalidArgumentError('must not contain NUL', field);
  return textLength(value, field, maxBytes);
}

/** Free text: any well-formed string of at most `maxBytes` UTF-8 bytes. */
function textLength(value: unknown, field: string, maxBytes: number): number {
  if (typeof value !== 'string') throw new InvalidArgumentError('must be a string', field);
  // A string has at least as many UTF-8 bytes as UTF-16 units: huge input is refused unscanned.
  if (value.length > maxBytes) throw tooLong(field, value.length, maxBytes);
  const bytes = utf8Length(value);
  if (bytes < 0) throw new InvalidArgumentError('contains a lone UTF-16 surrogate', field);
  if (bytes > maxBytes) throw tooLong(field, bytes, maxBytes);
  return bytes;
}

/**
 * A field over its own limit is a bad argument; a text object has no limit of its own, so past the
 * record's limit the whole record is too large (`sizeBytes` is then a lower bound).
 */
function tooLong(field: string, sizeBytes: number, maxBytes: number): Error {
  if (maxBytes === RECORD_ENCODED_MAX_BYTES) {
    return new TooLargeError('record', sizeBytes, RECORD_ENCODED_MAX_BYTES);
  }
  return new InvalidArgumentError(`longer than ${maxBytes} UTF-8 bytes`, field);
}

function optionalBytes(value: Uint8Array | undefined, length: number, field: string): number {
  if (value === undefined) return 0;
  requiredBytes(value, length, field);
  return length;
}

function requiredBytes(value: unknown, length: number, field: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new InvalidArgumentError(`must be ${length} bytes`, field);
  }
}

function vectorLength(vector: Float32Array | undefined): number {
  if (vector === undefined) return 0;
  if (!(vector instanceof Float32Array)) {
    throw new InvalidArgumentError('must be a Float32Array', 'vector');
  }
  if (vector.length === 0 || vector.length > VECTOR_MAX_DIMENSIONS) {
    throw new InvalidArgumentError(`must have 1 to ${VECTOR_MAX_DIMENSIONS} elements`, 'vector');
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) {
      throw new InvalidArgumentError('must be finite', `vector[${i}]`);
    }
  }
  return vector.length * 4;
}

/**
 * `signatures` checked and in canonical order (ascending agent id). Returns the input itself when
 * it is already in order, so the common case allocates nothing.
 */
function sortedSignatures(signatures: readonly Signature[]): readonly Signature[] {
  if (!Array.isArray(signatures)) throw new InvalidArgumentError('must be an array', 'signatures');
  if (signatures.length > SIGNATURES_MAX_COUNT) {
    throw new InvalidArgumentError(`more than ${SIGNATURES_MAX_COUNT} signatures`, 'signatures');
  }
  let sorted = true;
  for (let i = 0; i < signatures.length; i++) {
    const entry = signatures[i] as Signature;
    const field = `signatures[${i}]`;
    checkObject(entry, field);
    requiredBytes(entry.agentId, AGENT_ID_BYTES, `${field}.agentId`);
    requiredBytes(entry.signature, SIGNATURE_BYTES, `${field}.signature`);
    checkTimestamp(entry.timestamp, `${field}.timestamp`);
    if (i > 0 && compareBytes((signatures[i - 1] as Signature).agentId, entry.agentId) >= 0) {
      sorted = false;
    }
  }
  if (sorted) return signatures;
  const order = signatures.map((_, index) => index);
  order.sort((a, b) => compareBytes(agentAt(signatures, a), agentAt(signatures, b)) || a - b);
  for (let i = 1; i < order.length; i++) {
    const [first, second] = [order[i - 1] as number, order[i] as number];
    if (compareBytes(agentAt(signatures, first), agentAt(signatures, second)) === 0) {
      throw new InvalidArgumentError(
        `the same agent as signatures[${first}] (an agent signs at most once)`,
        `signatures[${second}].agentId`,
      );
    }
  }
  return order.map((index) => signatures[index] as Signature);
}

function agentAt(signatures: readonly Signature[], index: number): Uint8Array {
  return (signatures[index] as Signature).agentId;
}

function checkFinite(value: unknown, field: string): void {
  if (typeof value !== 'number') throw new InvalidArgumentError('must be a number', field);
  if (!Number.isFinite(value)) throw new InvalidArgumentError('must be finite', field);
}

function checkFloatInRange(value: unknown, min: number, max: number, field: string): void {
  checkFinite(value, field);
  if ((value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(`must be between ${min} and ${max}`, field);
  }
}

function checkTimestamp(value: unknown, field: string): void {
  if (typeof value !== 'number') throw new InvalidArgumentError('must be a number', field);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError('must be a whole number of milliseconds, 0 or more', field);
  }
}

function checkObject(value: unknown, field: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('must be an object', field);
  }
}

function checkRecordSize(totalBytes: number): void {
  if (totalBytes > RECORD_ENCODED_MAX_BYTES) {
    throw new TooLargeError('record', totalBytes, RECORD_ENCODED_MAX_BYTES);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
