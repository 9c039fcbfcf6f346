/**
 * The write path's checks, all before anything reaches the journal: parse and validate the JSON
 * input, encode it canonically, and verify its signatures.
 *
 * Refusals: `INVALID_ARGUMENT` naming the field (a record over `RECORD_ENCODED_MAX_BYTES` too,
 * with field `record`), `INVALID_SIGNATURE` for a signature that does not verify or, under
 * `requireSignatures`, is missing.
 */
import { blake3 } from '../checksum/index.js';
import { InvalidArgumentError, TooLargeError } from '../errors.js';
import {
  encodeRecordParts,
  parseAssertionInput,
  parseEpochInput,
  parseRecordInput,
  parseVoteInput,
  verifySignatures,
} from '../records/index.js';
import type { RecordType, StemeRecord } from '../records/index.js';

export interface PreparedRecord {
  readonly type: RecordType;
  /** Canonical bytes, signatures included: the journal payload. */
  readonly bytes: Uint8Array;
  /**
   * The content address of a signed record. Undefined for a record without signatures (every
   * epoch, and most claims): its address is then BLAKE3-256 of `bytes` itself, the hash the
   * journal computes of every payload it appends, so it is taken from the append's result
   * rather than computed twice.
   */
  readonly address: Uint8Array | undefined;
}

export interface PrepareOptions {
  readonly requireSignatures: boolean;
}

/** Checks `input` as a record of `type` (any type, by its `type` field, when undefined). */
export function prepareRecord(
  input: unknown,
  type: RecordType | undefined,
  options: PrepareOptions,
): PreparedRecord {
  try {
    const record = parse(input, type);
    const { bytes, unsignedBytes } = encodeRecordParts(record);
    if (unsignedBytes === bytes.length) {
      // Nothing to verify; only `requireSignatures` can refuse it, and needs no address.
      verifySignatures(record, { requireSignatures: options.requireSignatures });
      return { type: record.type, bytes, address: undefined };
    }
    const address = blake3(bytes.subarray(0, unsignedBytes));
    verifySignatures(record, { requireSignatures: options.requireSignatures, address });
    return { type: record.type, bytes, address };
  } catch (error) {
    if (error instanceof TooLargeError) {
      const message = `is ${error.sizeBytes} bytes encoded, over the limit of ${error.limitBytes}`;
      throw new InvalidArgumentError(message, 'record');
    }
    throw error;
  }
}

function parse(input: unknown, type: RecordType | undefined): StemeRecord {
  switch (type) {
    case undefined:
      return parseRecordInput(input);
    case 'assertion':
      return parseAssertionInput(input);
    case 'vote':
      return parseVoteInput(input);
    case 'epoch':
      return parseEpochInput(input);
  }
}
