/**
 * The journal's on-disk format: segment headers and record frames. `docs/FORMAT.md` shows the same
 * tables with a worked example; change both together.
 *
 * Segment header, 32 bytes, little-endian:
 *   0  8  magic "STEMEWAL"
 *   8  4  format version (1)
 *  12  4  reserved, zero
 *  16  8  base offset: the global offset of the segment's first byte (also its file name)
 *  24  4  reserved, zero
 *  28  4  CRC-32C of bytes 0..28
 *
 * Record frame, 56-byte header then the payload, zero-padded to a multiple of 8:
 *   0  4  CRC-32C of bytes 4..56 of the header, then the payload and its padding
 *   4  4  payload length in bytes
 *   8  1  kind: 1 = data, 2 = seal (written by a clean close; carries no payload)
 *   9  7  reserved, zero
 *  16  8  durable-through: the global offset up to which the log was known durable (a sync had
 *         completed) when this record was written
 *  24 32  BLAKE3-256 of the payload
 *  56  …  payload
 *
 * Recovery tells a torn tail from corruption with `durable-through`: damage at offset X is
 * corruption if any valid record, in this or a later segment, says the log was durable past X.
 */
import { BLAKE3_BYTES, blake3, crc32c } from '../checksum/index.js';
import {
  RECORD_ALIGNMENT_BYTES,
  RECORD_HEADER_BYTES,
  RECORD_PAYLOAD_MAX_BYTES,
  SEGMENT_HEADER_BYTES,
} from '../limits.js';

export const SEGMENT_MAGIC = Buffer.from('STEMEWAL', 'latin1');
export const FORMAT_VERSION = 1;
export const SEGMENT_FILE_SUFFIX = '.wal';

export const RECORD_KIND_DATA = 1;
export const RECORD_KIND_SEAL = 2;

const CRC_FIELD_BYTES = 4;
const LENGTH_AT = 4;
const KIND_AT = 8;
const DURABLE_THROUGH_AT = 16;
const HASH_AT = 24;

/** Rounds up to the record alignment. */
export function alignUp(bytes: number): number {
  return Math.ceil(bytes / RECORD_ALIGNMENT_BYTES) * RECORD_ALIGNMENT_BYTES;
}

/** Bytes a record with this payload takes on disk, header and padding included. */
export function frameBytes(payloadBytes: number): number {
  return RECORD_HEADER_BYTES + alignUp(payloadBytes);
}

/** `0000000000001f40.wal` for base offset 8000. */
export function segmentFileName(baseOffset: number): string {
  return `${baseOffset.toString(16).padStart(16, '0')}${SEGMENT_FILE_SUFFIX}`;
}

/** The base offset a segment file name encodes, or undefined if it is not a segment's name. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^([0-9a-f]{16})\.wal$/.exec(name);
  if (match === null) return undefined;
  const base = Number.parseInt(match[1] as string, 16);
  return Number.isSafeInteger(base) ? base : undefined;
}

const U32_RANGE = 2 ** 32;

/**
 * Writes `value`, a safe integer ≥ 0, as 8 bytes little-endian: the journal's offsets. It runs per
 * frame, so without the BigInt that `writeBigUInt64LE` needs (one allocation per call).
 */
export function writeU64(target: Buffer, value: number, at: number): void {
  target.writeUInt32LE(value % U32_RANGE, at);
  target.writeUInt32LE(Math.floor(value / U32_RANGE), at + 4);
}

/**
 * Reads 8 bytes little-endian as a number. Exact up to 2^53; a larger value comes out rounded, but
 * still at least 2^53, so it neither equals nor stays below any offset, the checks callers make.
 */
export function readU64(bytes: Buffer, at: number): number {
  return bytes.readUInt32LE(at) + bytes.readUInt32LE(at + 4) * U32_RANGE;
}

export function encodeSegmentHeader(baseOffset: number): Uint8Array {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  writeU64(header, baseOffset, 16);
  header.writeUInt32LE(crc32c(header.subarray(0, 28)), 28);
  return header;
}

/** Why a segment header is invalid, or undefined if it is a valid header for `baseOffset`. */
export function checkSegmentHeader(header: Uint8Array, baseOffset: number): string | undefined {
  if (header.length < SEGMENT_HEADER_BYTES) return 'segment header is incomplete';
  const view = Buffer.from(header.buffer, header.byteOffset, SEGMENT_HEADER_BYTES);
  if (view.readUInt32LE(28) !== crc32c(view.subarray(0, 28))) {
    return 'segment header checksum mismatch';
  }
  if (!view.subarray(0, 8).equals(SEGMENT_MAGIC)) return 'not a StemeDB journal segment';
  const version = view.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return `unsupported journal format version ${version}`;
  const base = readU64(view, 16);
  if (base !== baseOffset) return `segment header says base offset ${base}, its name ${baseOffset}`;
  return undefined;
}

/**
 * Writes one record frame into `target` at `at` and returns the frame's length. `target` must have
 * room for `frameBytes(payload.length)` bytes; the padding is zeroed here.
 */
export function writeFrame(
  target: Buffer,
  at: number,
  kind: number,
  payload: Uint8Array,
  hash: Uint8Array,
  durableThrough: number,
): number {
  const length = frameBytes(payload.length);
  target.writeUInt32LE(payload.length, at + LENGTH_AT);
  target.fill(0, at + KIND_AT, at + DURABLE_THROUGH_AT);
  target[at + KIND_AT] = kind;
  writeU64(target, durableThrough, at + DURABLE_THROUGH_AT);
  target.set(hash, at + HASH_AT);
  target.set(payload, at + RECORD_HEADER_BYTES);
  target.fill(0, at + RECORD_HEADER_BYTES + payload.length, at + length);
  target.writeUInt32LE(crc32c(target.subarray(at + CRC_FIELD_BYTES, at + length)), at);
  return length;
}

/** A record frame that passed every check, as it lies in a buffer. */
export interface Frame {
  kind: number;
  /** Bytes the frame takes, header and padding included. */
  lengthBytes: number;
  durableThrough: number;
  /** Views into the buffer the frame was parsed from; they share its lifetime. */
  hash: Uint8Array;
  payload: Uint8Array;
}

/** The outcome of parsing the bytes at one position. */
export type FrameCheck =
  | { ok: true; frame: Frame }
  /** `need`: the frame may be valid but extends past the bytes given; retry with at least `need`. */
  | { ok: false; need: number }
  | { ok: false; need: 0; reason: string }
  /** The frame is whole and its CRC-32C holds, so a record starts here, but its content does not. */
  | { ok: false; need: 0; reason: string; recordStart: true };

/**
 * How much of a frame `checkFrame` verifies. `full`: the CRC-32C, then the payload's BLAKE3 against
 * the stored one; every read of a record does this. `crc`: the CRC-32C alone, which covers the
 * header (the stored BLAKE3 included), the payload and the padding. It catches every torn write
 * and every error burst of up to 32 bits, and any other damage but for a chance of 2^-32; recovery's
 * scan of the log uses it (see `recovery.ts`), leaving the content check to each read.
 */
export type FrameCheckDepth = 'crc' | 'full';

/**
 * Parses and verifies (to `depth`, by default fully) the frame at `bytes[at..]`. `bytes` holds what
 * was read from the file; `available` says how much of the file lies at and after `at`, so a frame
 * that runs past the end of the file is reported as incomplete rather than needing more input.
 * `globalOffset` is the frame's own offset in the log: no record can claim durability beyond it.
 */
export function checkFrame(
  bytes: Buffer,
  at: number,
  available: number,
  globalOffset: number,
  depth: FrameCheckDepth = 'full',
): FrameCheck {
  const inBuffer = bytes.length - at;
  if (available < RECORD_HEADER_BYTES) {
    return { ok: false, need: 0, reason: 'record header is incomplete' };
  }
  if (inBuffer < RECORD_HEADER_BYTES) return { ok: false, need: RECORD_HEADER_BYTES };
  const payloadBytes = bytes.readUInt32LE(at + LENGTH_AT);
  const kind = bytes[at + KIND_AT] as number;
  if (kind !== RECORD_KIND_DATA && kind !== RECORD_KIND_SEAL) {
    const zeroed = isZero(bytes, at, RECORD_HEADER_BYTES);
    return { ok: false, need: 0, reason: zeroed ? 'zero-filled' : `unknown record kind ${kind}` };
  }
  // Cheap structural checks first: they reject random bytes before any checksum is computed, which
  // keeps the search for later records past a damaged one (recovery) linear in practice.
  if (!isZero(bytes, at + KIND_AT + 1, DURABLE_THROUGH_AT - KIND_AT - 1)) {
    return { ok: false, need: 0, reason: 'record header reserved bytes are not zero' };
  }
  const durableThrough = readU64(bytes, at + DURABLE_THROUGH_AT);
  if (durableThrough > globalOffset || durableThrough % RECORD_ALIGNMENT_BYTES !== 0) {
    return { ok: false, need: 0, reason: 'record header durable-through is impossible' };
  }
  if (payloadBytes > RECORD_PAYLOAD_MAX_BYTES) {
    return { ok: false, need: 0, reason: `record length ${payloadBytes} is over the limit` };
  }
  const length = frameBytes(payloadBytes);
  if (length > available) return { ok: false, need: 0, reason: 'record is incomplete' };
  if (length > inBuffer) return { ok: false, need: length };
  const storedCrc = bytes.readUInt32LE(at);
  if (storedCrc !== crc32c(bytes.subarray(at + CRC_FIELD_BYTES, at + length))) {
    return { ok: false, need: 0, reason: 'record checksum mismatch' };
  }
  // Plain Uint8Array views, not Buffers: they are what the public API hands out.
  const hash = new Uint8Array(bytes.buffer, bytes.byteOffset + at + HASH_AT, BLAKE3_BYTES);
  const payloadAt = bytes.byteOffset + at + RECORD_HEADER_BYTES;
  const payload = new Uint8Array(bytes.buffer, payloadAt, payloadBytes);
  if (depth === 'full') {
    const digest = blake3(payload);
    if (!Buffer.from(digest.buffer, digest.byteOffset, BLAKE3_BYTES).equals(hash)) {
      return { ok: false, need: 0, reason: 'record content hash mismatch', recordStart: true };
    }
  }
  return { ok: true, frame: { kind, lengthBytes: length, durableThrough, hash, payload } };
}

function isZero(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return false;
  return true;
}
