/**
 * Byte positions of the record format; `docs/FORMAT.md` ("Record bodies") shows the same tables
 * with a worked example. Change both together, and regenerate nothing: the golden vectors under
 * `test/vectors/` exist to make any change here fail loudly.
 *
 * Every position is from the first byte of the record (the envelope's type byte). All integers and
 * floats are little-endian. A region is a head slot of two u32s, offset then length, pointing into
 * the tail; regions follow one another in head order, each starting at the previous one's end
 * rounded up to a multiple of 8 (an empty region starts where the next would), and every padding
 * byte is zero. So the layout is a function of the field values: one value, one byte string.
 *
 * Envelope, 8 bytes:  0 u8 record type | 1..8 zero.
 *
 * Assertion head, 104 bytes:
 *   8 u8 object type | 9..16 zero | 16 f64 confidence | 24 u64 timestamp | 32 8-byte object scalar
 *   (f64 for number, u64 0 or 1 for boolean, zero otherwise) | 40 regions: subject, predicate,
 *   object string (text or reference), parentHash, sourceHash, visualHash, epoch, vector.
 * Then the tail, then, only if there are signatures, the signature trailer:
 *   u32 count (≥ 1) | u32 zero | count × (32 agent id, 64 signature, u64 timestamp).
 * The content address covers everything before the trailer.
 *
 * Vote, 88 bytes, or 152 when signed:
 *   8 assertionHash (32) | 40 agentId (32) | 72 f64 weight | 80 u64 timestamp | 88 signature (64).
 * The content address covers the first 88 bytes.
 *
 * Epoch head, 48 bytes:
 *   8 u8 supersession kind (0 none, else index in SUPERSESSION_KINDS + 1) | 9..16 zero |
 *   16 u64 timestamp | 24 regions: name, supersedes, description.
 * The content address (the epoch id) covers the whole record.
 */

export const ENVELOPE_BYTES = 8;
export const ALIGNMENT_BYTES = 8;
/** A region slot: u32 offset, u32 length. */
export const REGION_SLOT_BYTES = 8;

export const ASSERTION_OBJECT_TYPE_AT = 8;
export const ASSERTION_RESERVED_AT = 9;
export const ASSERTION_CONFIDENCE_AT = 16;
export const ASSERTION_TIMESTAMP_AT = 24;
export const ASSERTION_SCALAR_AT = 32;
export const ASSERTION_REGIONS_AT = 40;
export const ASSERTION_REGION_SUBJECT = 0;
export const ASSERTION_REGION_PREDICATE = 1;
export const ASSERTION_REGION_OBJECT = 2;
export const ASSERTION_REGION_PARENT = 3;
export const ASSERTION_REGION_SOURCE = 4;
export const ASSERTION_REGION_VISUAL = 5;
export const ASSERTION_REGION_EPOCH = 6;
export const ASSERTION_REGION_VECTOR = 7;
export const ASSERTION_REGION_COUNT = 8;
export const ASSERTION_HEAD_BYTES =
  ASSERTION_REGIONS_AT + REGION_SLOT_BYTES * ASSERTION_REGION_COUNT;

/** Signature trailer: u32 count, u32 zero, then the entries. */
export const SIGNATURE_TRAILER_HEAD_BYTES = 8;
/** One trailer entry: agent id 32, signature 64, u64 timestamp. */
export const SIGNATURE_ENTRY_BYTES = 104;
export const SIGNATURE_ENTRY_SIGNATURE_AT = 32;
export const SIGNATURE_ENTRY_TIMESTAMP_AT = 96;

export const VOTE_ASSERTION_HASH_AT = 8;
export const VOTE_AGENT_ID_AT = 40;
export const VOTE_WEIGHT_AT = 72;
export const VOTE_TIMESTAMP_AT = 80;
export const VOTE_SIGNATURE_AT = 88;
export const VOTE_UNSIGNED_BYTES = 88;
export const VOTE_SIGNED_BYTES = 152;

export const EPOCH_KIND_AT = 8;
export const EPOCH_RESERVED_AT = 9;
export const EPOCH_TIMESTAMP_AT = 16;
export const EPOCH_REGIONS_AT = 24;
export const EPOCH_REGION_NAME = 0;
export const EPOCH_REGION_SUPERSEDES = 1;
export const EPOCH_REGION_DESCRIPTION = 2;
export const EPOCH_REGION_COUNT = 3;
export const EPOCH_HEAD_BYTES = EPOCH_REGIONS_AT + REGION_SLOT_BYTES * EPOCH_REGION_COUNT;

/** The largest timestamp's high u32: timestamps are safe integers, below 2^53. */
export const TIMESTAMP_HIGH_MAX = 0x1f_ffff;

/** Rounds up to a multiple of 8. Exact for every length the format allows (< 2^31). */
export function alignUp(bytes: number): number {
  return (bytes + (ALIGNMENT_BYTES - 1)) & ~(ALIGNMENT_BYTES - 1);
}
