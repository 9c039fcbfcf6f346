/** A vote read in place; see `AssertionView` for the contract every view follows. */
import { blake3 } from '../checksum/index.js';
import { readFloat64 } from './byte-order.js';
import { copyBytes, viewBytes } from './bytes.js';
import { checkEnvelope, checkFloat, fail, readTimestamp } from './format-checks.js';
import {
  VOTE_AGENT_ID_AT,
  VOTE_ASSERTION_HASH_AT,
  VOTE_SIGNATURE_AT,
  VOTE_SIGNED_BYTES,
  VOTE_TIMESTAMP_AT,
  VOTE_UNSIGNED_BYTES,
  VOTE_WEIGHT_AT,
} from './layout.js';
import { AGENT_ID_BYTES, HASH_BYTES } from './record-types.js';
import type { Vote } from './record-types.js';

/**
 * Reads an encoded vote without copying it. Construction throws `RecordFormatError` unless `bytes`
 * is exactly one canonical vote: 88 bytes, or 152 with a signature. The caller must not change
 * `bytes` while the view is in use; byte-array getters return views of them.
 */
export class VoteView {
  readonly type = 'vote' as const;
  readonly #bytes: Uint8Array;
  #hash: Uint8Array | undefined;

  constructor(bytes: Uint8Array) {
    checkEnvelope(bytes, 'vote', VOTE_UNSIGNED_BYTES);
    if (bytes.length !== VOTE_UNSIGNED_BYTES && bytes.length !== VOTE_SIGNED_BYTES) {
      const reason = bytes.length > VOTE_SIGNED_BYTES ? 'trailing-bytes' : 'bad-length';
      fail(reason, VOTE_UNSIGNED_BYTES, `a vote is 88 or 152 bytes, not ${bytes.length}`);
    }
    this.#bytes = bytes;
    checkFloat(this.weight, VOTE_WEIGHT_AT, 'weight', -1, 1);
    readTimestamp(bytes, VOTE_TIMESTAMP_AT, 'timestamp');
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The bytes the content address covers: the vote without its signature. */
  get unsignedBytes(): Uint8Array {
    return viewBytes(this.#bytes, 0, VOTE_UNSIGNED_BYTES);
  }

  /** The content address, computed on first use. The same array each time: do not modify it. */
  get hash(): Uint8Array {
    this.#hash ??= blake3(this.unsignedBytes);
    return this.#hash;
  }

  get assertionHash(): Uint8Array {
    return viewBytes(this.#bytes, VOTE_ASSERTION_HASH_AT, VOTE_ASSERTION_HASH_AT + HASH_BYTES);
  }

  get agentId(): Uint8Array {
    return viewBytes(this.#bytes, VOTE_AGENT_ID_AT, VOTE_AGENT_ID_AT + AGENT_ID_BYTES);
  }

  get weight(): number {
    return readFloat64(this.#bytes, VOTE_WEIGHT_AT);
  }

  get timestamp(): number {
    return readTimestamp(this.#bytes, VOTE_TIMESTAMP_AT, 'timestamp');
  }

  get signature(): Uint8Array | undefined {
    if (this.#bytes.length === VOTE_UNSIGNED_BYTES) return undefined;
    return viewBytes(this.#bytes, VOTE_SIGNATURE_AT, VOTE_SIGNED_BYTES);
  }

  /** The whole vote as a typed value that owns copies of every byte array. */
  toRecord(): Vote {
    const bytes = this.#bytes;
    const vote: Vote = {
      type: 'vote',
      assertionHash: copyBytes(bytes, VOTE_ASSERTION_HASH_AT, VOTE_ASSERTION_HASH_AT + HASH_BYTES),
      agentId: copyBytes(bytes, VOTE_AGENT_ID_AT, VOTE_AGENT_ID_AT + AGENT_ID_BYTES),
      weight: this.weight,
      timestamp: this.timestamp,
    };
    if (bytes.length === VOTE_UNSIGNED_BYTES) return vote;
    return { ...vote, signature: copyBytes(bytes, VOTE_SIGNATURE_AT, VOTE_SIGNED_BYTES) };
  }
}
