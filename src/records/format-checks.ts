/**
 * The strict reader's building blocks. Each check either returns a value that is canonical or
 * throws `RecordFormatError` naming the byte; none allocates in proportion to a length it read, and
 * every length is compared with the bytes actually present before it is used.
 */
import assert from 'node:assert/strict';
import { RECORD_ENCODED_MAX_BYTES } from '../limits.js';
import { readU32 } from './byte-order.js';
import { ENVELOPE_BYTES, TIMESTAMP_HIGH_MAX, alignUp } from './layout.js';
import { RecordFormatError } from './record-format-error.js';
import type { RecordFormatReason } from './record-format-error.js';
import { RECORD_TYPES } from './record-types.js';
import type { RecordType } from './record-types.js';
import { hasZeroByte, isValidUtf8 } from './utf8.js';

export function fail(reason: RecordFormatReason, offset: number, detail: string): never {
  throw new RecordFormatError(reason, offset, detail);
}

/**
 * Checks the envelope of a record of type `type` whose head is `headBytes` long: a length the
 * format allows, the type byte, seven zero bytes, and room for the head.
 */
export function checkEnvelope(bytes: Uint8Array, type: RecordType, headBytes: number): void {
  assert.ok(bytes instanceof Uint8Array, 'a record is a Uint8Array');
  if (bytes.length > RECORD_ENCODED_MAX_BYTES) {
    fail('too-large', RECORD_ENCODED_MAX_BYTES, `${bytes.length} bytes`);
  }
  if (bytes.length < ENVELOPE_BYTES) fail('truncated', bytes.length, 'shorter than the envelope');
  const code = RECORD_TYPES.indexOf(type);
  if (bytes[0] !== code) {
    fail('unknown-record-type', 0, `type byte ${bytes[0] ?? ''} where ${type} (${code}) is read`);
  }
  checkZeros(bytes, 1, ENVELOPE_BYTES, 'envelope padding');
  if (bytes.length < headBytes) fail('truncated', bytes.length, `shorter than the ${type} head`);
}

/** Checks that `bytes[from..to)` are all zero; `to` must be in bounds. */
export function checkZeros(bytes: Uint8Array, from: number, to: number, what: string): void {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) fail('nonzero-padding', i, `${what} must be zero`);
  }
}

/** A u64 timestamp at `at`: a safe integer, so its high word is at most `TIMESTAMP_HIGH_MAX`. */
export function readTimestamp(bytes: Uint8Array, at: number, what: string): number {
  const high = readU32(bytes, at + 4);
  if (high > TIMESTAMP_HIGH_MAX) fail('out-of-range', at, `${what} is past 2^53 - 1`);
  return high * 0x1_0000_0000 + readU32(bytes, at);
}

/** Checks a float that was read at `at`: finite, not -0, within [min, max]. */
export function checkFloat(
  value: number,
  at: number,
  what: string,
  min: number,
  max: number,
): void {
  if (!Number.isFinite(value)) fail('non-finite', at, `${what} is ${value}`);
  if (Object.is(value, -0)) fail('negative-zero', at, `${what} is -0, stored as +0`);
  if (value < min || value > max) {
    fail('out-of-range', at, `${what} ${value} is outside [${min}, ${max}]`);
  }
}

/**
 * Checks the region whose slot is at `slotAt` and returns its length: it must start at `expectedAt`
 * (the canonical position), have a length in [minLength, maxLength] that is a multiple of
 * `unitBytes`, fit in `bytes`, and be followed by zero padding up to the next multiple of 8, which
 * must also fit.
 */
export function checkRegion(
  bytes: Uint8Array,
  slotAt: number,
  expectedAt: number,
  minLength: number,
  maxLength: number,
  what: string,
  unitBytes = 1,
): number {
  const offset = readU32(bytes, slotAt);
  const length = readU32(bytes, slotAt + 4);
  if (offset !== expectedAt) {
    fail('bad-offset', slotAt, `${what} starts at ${offset}; the canonical start is ${expectedAt}`);
  }
  if (length < minLength || length > maxLength) {
    const allowed = `${minLength}..${maxLength}`;
    fail('bad-length', slotAt + 4, `${what} is ${length} bytes; allowed ${allowed}`);
  }
  if (length % unitBytes !== 0) {
    fail('bad-length', slotAt + 4, `${what} is ${length} bytes, not a multiple of ${unitBytes}`);
  }
  const end = offset + length;
  const paddedEnd = alignUp(end);
  if (paddedEnd > bytes.length) fail('truncated', bytes.length, `${what} runs past the end`);
  // The message is built only on failure: this runs for every region of every record read.
  for (let i = end; i < paddedEnd; i++) {
    if (bytes[i] !== 0) fail('nonzero-padding', i, `padding after ${what} must be zero`);
  }
  return length;
}

/** A region holding either nothing (absent) or exactly `presentLength` bytes. */
export function checkOptionalRegion(
  bytes: Uint8Array,
  slotAt: number,
  expectedAt: number,
  presentLength: number,
  what: string,
): number {
  const length = readU32(bytes, slotAt + 4);
  if (readU32(bytes, slotAt) === expectedAt && length !== 0 && length !== presentLength) {
    fail('bad-length', slotAt + 4, `${what} is ${length} bytes; it is 0 or ${presentLength}`);
  }
  return checkRegion(bytes, slotAt, expectedAt, length, length, what);
}

/** Checks that `bytes[start..end)` is UTF-8 and, for identifiers, holds no NUL. */
export function checkText(
  bytes: Uint8Array,
  start: number,
  end: number,
  what: string,
  forbidNul: boolean,
): void {
  if (!isValidUtf8(bytes, start, end)) fail('invalid-utf8', start, `${what} is not UTF-8`);
  if (forbidNul && hasZeroByte(bytes, start, end)) {
    fail('nul-character', start, `${what} contains NUL`);
  }
}
