/** An epoch read in place; see `AssertionView` for the contract every view follows. */
import { blake3 } from '../checksum/index.js';
import { EPOCH_DESCRIPTION_MAX_BYTES, EPOCH_NAME_MAX_BYTES } from '../limits.js';
import { readU32 } from './byte-order.js';
import { copyBytes, viewBytes } from './bytes.js';
import {
  checkEnvelope,
  checkOptionalRegion,
  checkRegion,
  checkText,
  checkZeros,
  fail,
  readTimestamp,
} from './format-checks.js';
import {
  EPOCH_HEAD_BYTES,
  EPOCH_KIND_AT,
  EPOCH_REGIONS_AT,
  EPOCH_REGION_DESCRIPTION,
  EPOCH_REGION_NAME,
  EPOCH_REGION_SUPERSEDES,
  EPOCH_RESERVED_AT,
  EPOCH_TIMESTAMP_AT,
  REGION_SLOT_BYTES,
  alignUp,
} from './layout.js';
import { HASH_BYTES, SUPERSESSION_KINDS } from './record-types.js';
import type { Epoch, SupersessionKind } from './record-types.js';
import { decodeUtf8 } from './utf8.js';

const NAME_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_NAME;
const SUPERSEDES_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_SUPERSEDES;
const DESCRIPTION_SLOT = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_DESCRIPTION;

/**
 * Reads an encoded epoch without copying it. Construction throws `RecordFormatError` unless `bytes`
 * is exactly one canonical epoch. The caller must not change `bytes` while the view is in use.
 */
export class EpochView {
  readonly type = 'epoch' as const;
  readonly #bytes: Uint8Array;
  #hash: Uint8Array | undefined;

  constructor(bytes: Uint8Array) {
    checkEnvelope(bytes, 'epoch', EPOCH_HEAD_BYTES);
    this.#bytes = bytes;
    const kindCode = bytes[EPOCH_KIND_AT] as number;
    if (kindCode > SUPERSESSION_KINDS.length) {
      fail('unknown-code', EPOCH_KIND_AT, `supersession kind ${kindCode}`);
    }
    checkZeros(bytes, EPOCH_RESERVED_AT, EPOCH_TIMESTAMP_AT, 'reserved head bytes');
    readTimestamp(bytes, EPOCH_TIMESTAMP_AT, 'timestamp');
    let at = EPOCH_HEAD_BYTES;
    const name = checkRegion(bytes, NAME_SLOT, at, 1, EPOCH_NAME_MAX_BYTES, 'name');
    checkText(bytes, at, at + name, 'name', true);
    at = alignUp(at + name);
    const supersedes = checkOptionalRegion(bytes, SUPERSEDES_SLOT, at, HASH_BYTES, 'supersedes');
    if ((supersedes === 0) !== (kindCode === 0)) {
      fail('field-mismatch', EPOCH_KIND_AT, 'a supersession kind goes with supersedes, and only');
    }
    at += supersedes;
    const maxDescription = EPOCH_DESCRIPTION_MAX_BYTES;
    const description = checkRegion(bytes, DESCRIPTION_SLOT, at, 0, maxDescription, 'description');
    checkText(bytes, at, at + description, 'description', false);
    at = alignUp(at + description);
    if (bytes.length !== at) {
      fail('trailing-bytes', at, `${bytes.length - at} bytes after the epoch`);
    }
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The epoch id (its content address, over all its bytes), computed on first use. */
  get hash(): Uint8Array {
    this.#hash ??= blake3(this.#bytes);
    return this.#hash;
  }

  get name(): string {
    return this.#string(NAME_SLOT);
  }

  get supersedes(): Uint8Array | undefined {
    const at = readU32(this.#bytes, SUPERSEDES_SLOT);
    const length = readU32(this.#bytes, SUPERSEDES_SLOT + 4);
    return length === 0 ? undefined : viewBytes(this.#bytes, at, at + length);
  }

  get kind(): SupersessionKind | undefined {
    const code = this.#bytes[EPOCH_KIND_AT] as number;
    return code === 0 ? undefined : SUPERSESSION_KINDS[code - 1];
  }

  get timestamp(): number {
    return readTimestamp(this.#bytes, EPOCH_TIMESTAMP_AT, 'timestamp');
  }

  get description(): string {
    return this.#string(DESCRIPTION_SLOT);
  }

  /** The whole epoch as a typed value that owns copies of every byte array. */
  toRecord(): Epoch {
    const supersedes = this.supersedes;
    const kind = this.kind;
    return {
      type: 'epoch',
      name: this.name,
      ...(supersedes === undefined ? {} : { supersedes: copyBytes(supersedes, 0, HASH_BYTES) }),
      ...(kind === undefined ? {} : { kind }),
      timestamp: this.timestamp,
      description: this.description,
    };
  }

  #string(slotAt: number): string {
    const at = readU32(this.#bytes, slotAt);
    return decodeUtf8(this.#bytes, at, at + readU32(this.#bytes, slotAt + 4));
  }
}
