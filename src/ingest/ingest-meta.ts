/**
 * What the ingestor keeps under `META:` beside the data it derives from the journal.
 *
 * | name                 | value                                                             |
 * |----------------------|-------------------------------------------------------------------|
 * | `ingest.cursor`      | u64 big-endian: journal offset up to which every record is applied |
 * | `ingest.journal-id`  | UTF-8: identity of the journal the store was derived from         |
 * | `ingest.rebuilding`  | empty: a rebuild started and has not finished clearing the store  |
 * | `count.<kind>`       | u64 big-endian: distinct records of that kind (see `COUNTER_KINDS`) |
 *
 * The cursor and the counters change only in the same store write as the records they describe.
 */
import { StoreCorruptionError } from './ingest-errors.js';
import { metaKey } from '../store/index.js';

export const CURSOR_KEY = metaKey('ingest.cursor');
export const JOURNAL_ID_KEY = metaKey('ingest.journal-id');
export const REBUILDING_KEY = metaKey('ingest.rebuilding');

/** What the ingestor counts: distinct assertions, votes, epochs, and `Q:` entries. */
export const COUNTER_KINDS = ['assertions', 'votes', 'epochs', 'unapplied'] as const;
export type CounterKind = (typeof COUNTER_KINDS)[number];
export type Counters = Record<CounterKind, number>;

export const COUNTER_KEYS: Readonly<Record<CounterKind, Uint8Array>> = {
  assertions: metaKey('count.assertions'),
  votes: metaKey('count.votes'),
  epochs: metaKey('count.epochs'),
  unapplied: metaKey('count.unapplied'),
};

const U64_BYTES = 8;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function zeroCounters(): Counters {
  return { assertions: 0, votes: 0, epochs: 0, unapplied: 0 };
}

export function encodeU64(value: number): Uint8Array {
  const bytes = new Uint8Array(U64_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(value / 2 ** 32));
  view.setUint32(4, value >>> 0);
  return bytes;
}

/** The number in a stored u64, or `fallback` when the key is absent. Damage is corruption. */
export function decodeU64(bytes: Uint8Array | undefined, what: string, fallback: number): number {
  if (bytes === undefined) return fallback;
  if (bytes.length !== U64_BYTES) {
    throw new StoreCorruptionError(`${what} is ${bytes.length} bytes, expected 8`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, U64_BYTES);
  const value = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
  if (!Number.isSafeInteger(value)) throw new StoreCorruptionError(`${what} is beyond 2^53`);
  return value;
}

export function encodeText(text: string): Uint8Array {
  return utf8.encode(text);
}

export function decodeText(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
