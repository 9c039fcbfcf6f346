import { StemeError } from '../errors.js';

/**
 * Why bytes are not a canonical record. Stable, like error codes: tests and the ingestor's
 * quarantine entries name them.
 * - `truncated`: the bytes end inside the head, a region or the signature list.
 * - `too-large`: longer than `RECORD_ENCODED_MAX_BYTES`.
 * - `unknown-record-type`: the envelope's type byte is not 0, 1 or 2.
 * - `unknown-code`: an object type or supersession kind code outside its set.
 * - `nonzero-padding`: a reserved, padding or unused byte is not zero.
 * - `bad-offset`: a region does not start where the canonical layout puts it.
 * - `bad-length`: a region or count outside what its field allows.
 * - `trailing-bytes`: bytes after the end of the record.
 * - `invalid-utf8`: a string region is not well-formed UTF-8.
 * - `nul-character`: a subject, predicate, reference or epoch name contains U+0000.
 * - `non-finite`: a float is NaN or infinite.
 * - `negative-zero`: a float is -0, which is always stored as +0.
 * - `out-of-range`: a number outside its range (confidence, weight, timestamp, boolean).
 * - `unsorted-signatures`: agent ids not in strictly ascending byte order (so also duplicates).
 * - `field-mismatch`: fields that contradict each other (an epoch kind without `supersedes`).
 */
export const RECORD_FORMAT_REASONS = [
  'truncated',
  'too-large',
  'unknown-record-type',
  'unknown-code',
  'nonzero-padding',
  'bad-offset',
  'bad-length',
  'trailing-bytes',
  'invalid-utf8',
  'nul-character',
  'non-finite',
  'negative-zero',
  'out-of-range',
  'unsorted-signatures',
  'field-mismatch',
] as const;
export type RecordFormatReason = (typeof RECORD_FORMAT_REASONS)[number];

/**
 * Bytes handed to the decoder are not a canonical record. The code is `INVALID_ARGUMENT`: the
 * decoder judges the bytes it is given, not where they came from. A layer that read them from its
 * own durable storage (the store, the ingestor) reports that as corruption with this error as the
 * `cause`. `offset` is the byte of the record where the check failed.
 */
export class RecordFormatError extends StemeError {
  readonly reason: RecordFormatReason;
  readonly offset: number;

  constructor(reason: RecordFormatReason, offset: number, detail: string) {
    super('INVALID_ARGUMENT', `not a canonical record (${reason} at byte ${offset}): ${detail}`);
    this.reason = reason;
    this.offset = offset;
  }
}
