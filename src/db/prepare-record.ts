/**
 * The write path's checks, all before anything reaches the journal: parse and validate the JSON
 * input, encode it canonically, and verify its signatures.
 *
 * Refusals: `INVALID_ARGUMENT` naming the field (a record over `RECORD_ENCODED_MAX_BYTES` too,
 * with field `record`), `INVALID_SIGNATURE` for a signature that does not verify or, under
 * `requireSignatures`, is missing.
 */
import { InvalidArgumentError, TooLargeError } from '../errors.js';
import {
  encodeRecordWithHash,
  parseAssertionInput,
  parseEpochInput,
  parseRecordInput,
  parseVoteInput,
  toHex,
  verifySignatures,
} from '../records/index.js';
import type { RecordType, StemeRecord } from '../records/index.js';

export interface PreparedRecord {
  readonly type: RecordType;
  /** Canonical bytes, signatures included: the journal payload. */
  readonly bytes: Uint8Array;
  /** Lower-case hex of the content address. */
  readonly hash: string;
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
    const encoded = encodeRecordWithHash(record);
    verifySignatures(record, { requireSignatures: options.requireSignatures, address: encoded.hash });
    return { type: record.type, bytes: encoded.bytes, hash: toHex(encoded.hash) };
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
