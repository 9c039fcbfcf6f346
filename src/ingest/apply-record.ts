/**
 * What one journal record does to the store: the ops that apply it and the counters they move.
 * Pure apart from `lookup`, which sees the store as the batch in hand has left it.
 *
 * - An assertion puts `H:` hash → bytes, `S:` and `SP:` index keys. If `H:` already holds the
 *   claim, the two signature sets are merged into one record (nothing changes if the union adds no
 *   signature), so the same claim signed by several agents is one record.
 * - A vote puts `V:` assertionHash voteHash → bytes and, so that `get` finds it by its own
 *   address, `H:` voteHash → bytes. A signed copy replaces an unsigned one.
 * - An epoch puts `E:` epochId → bytes.
 * - A record that cannot be decoded, whose signatures fail, or that cannot be merged goes to `Q:`
 *   offset with the reason; it is never dropped silently.
 * Applying a record twice is harmless: the second time yields no ops.
 */
import type { JournalRecord } from '../journal/index.js';
import {
  RecordFormatError,
  RecordSignatureError,
  VoteView,
  bytesEqual,
  decodeRecord,
  encodeRecord,
  mergeSignatures,
  toHex,
  verifySignatures,
  viewRecord,
} from '../records/index.js';
import type { AssertionView, EpochView, RecordView } from '../records/index.js';
import { StemeError } from '../errors.js';
import {
  epochKey,
  hashKey,
  subjectKeyOfUtf8,
  subjectPredicateKeyOfUtf8,
  unappliedKey,
  voteKey,
} from '../store/index.js';
import type { KeyBytes, WriteOp } from '../store/index.js';
import type { CounterKind } from './ingest-meta.js';
import { StoreCorruptionError } from './ingest-errors.js';
import { encodeUnappliedEntry } from './unapplied-entry.js';
import { keyString } from './key-string.js';

export interface RecordEffect {
  readonly ops: readonly WriteOp[];
  /** The counter this record raises by one, if it added a distinct record or a `Q:` entry. */
  readonly counts: CounterKind | undefined;
  /**
   * Set when `ops[0]` is a put at a key a later record's `lookup` may ask for (`H:`, `E:`, `Q:`):
   * that key's `keyString`. No other op is ever looked up (`S:`, `SP:` and `V:` entries), so a
   * batch need not remember them.
   */
  readonly readableId: string | undefined;
}

/**
 * Looks a key up in the store as the batch in hand has left it. `id` is `keyString(key)`, which
 * the caller has computed already.
 */
export type Lookup = (key: Uint8Array, id: string) => Uint8Array | undefined;

const NOTHING: RecordEffect = { ops: [], counts: undefined, readableId: undefined };
/** The value of every index entry. Shared: the store copies what it keeps (`KVStore.write`). */
const EMPTY = new Uint8Array(0);

/**
 * A journal record made ready to apply: decoded (lazily), its content address computed and its
 * signatures verified, or the reason it cannot be applied. `key` is the one store key applying it
 * looks up, so a caller can fetch the keys of many records at once before applying any of them;
 * `id` is its `keyString`.
 */
export type PreparedRecord =
  | {
      readonly record: JournalRecord;
      readonly view: RecordView;
      readonly address: Uint8Array;
      readonly key: Uint8Array;
      readonly id: string;
    }
  | {
      readonly record: JournalRecord;
      readonly failure: string;
      readonly key: Uint8Array;
      readonly id: string;
    };

/** `keyBytes` gives the bytes of the `H:` key (see `KeyBytes`); by default its own array. */
export function prepareRecord(record: JournalRecord, keyBytes?: KeyBytes): PreparedRecord {
  let view: RecordView;
  let address: Uint8Array;
  try {
    view = viewRecord(record.payload);
    address = contentAddressOf(view, record);
    // Without signatures there is nothing to verify (`requireSignatures` is the write path's).
    if (address !== record.hash) verifySignatures(view);
  } catch (error) {
    const key = unappliedKey(record.offset);
    const id = keyString(key);
    if (error instanceof RecordFormatError) {
      return { record, failure: `undecodable: ${error.message}`, key, id };
    }
    if (error instanceof RecordSignatureError) {
      return { record, failure: `signature: ${error.message}`, key, id };
    }
    throw error;
  }
  const key = view.type === 'epoch' ? epochKey(address) : hashKey(address, keyBytes);
  return { record, view, address, key, id: keyString(key) };
}

/** `keyBytes` gives the bytes of an assertion's index keys (see `KeyBytes`). */
export function applyPrepared(
  prepared: PreparedRecord,
  lookup: Lookup,
  keyBytes?: KeyBytes,
): RecordEffect {
  if ('failure' in prepared) return unapplied(prepared.record, lookup, prepared.failure);
  const { view, address, key, id, record } = prepared;
  switch (view.type) {
    case 'assertion':
      return applyAssertion(view, address, key, id, record, lookup, keyBytes);
    case 'vote':
      return applyVote(view, address, key, id, lookup);
    case 'epoch':
      return applyEpoch(view, key, id, lookup);
  }
}

/**
 * The record's content address: BLAKE3-256 of its bytes without signatures. A record that carries
 * no signature (and an epoch, which never does) is exactly those bytes, so its address is the
 * journal's hash of the payload, which the journal verified when it read the record: it is not
 * hashed again. Returns `record.hash` itself in that case, and only then.
 */
function contentAddressOf(view: RecordView, record: JournalRecord): Uint8Array {
  switch (view.type) {
    case 'assertion':
      return view.signatureCount === 0 ? record.hash : view.hash;
    case 'vote':
      return view.signature === undefined ? record.hash : view.hash;
    case 'epoch':
      return record.hash;
  }
}

function applyAssertion(
  view: AssertionView,
  address: Uint8Array,
  key: Uint8Array,
  id: string,
  record: JournalRecord,
  lookup: Lookup,
  keyBytes: KeyBytes | undefined,
): RecordEffect {
  const existing = lookup(key, id);
  if (existing === undefined) {
    const subject = view.subjectUtf8;
    const predicate = view.predicateUtf8;
    const bySubject = subjectKeyOfUtf8(subject, address, keyBytes);
    const bySubjectPredicate = subjectPredicateKeyOfUtf8(subject, predicate, address, keyBytes);
    return {
      ops: [
        { type: 'put', key, value: view.bytes },
        { type: 'put', key: bySubject, value: EMPTY },
        { type: 'put', key: bySubjectPredicate, value: EMPTY },
      ],
      counts: 'assertions',
      readableId: id,
    };
  }
  if (bytesEqual(existing, view.bytes)) return NOTHING;
  const stored = decodeRecord(checkedStored(existing, key, 'assertion'));
  if (stored.type !== 'assertion') throw wrongType(key, 'assertion');
  let merged: Uint8Array;
  try {
    merged = encodeRecord(mergeSignatures(stored, view.toRecord()));
  } catch (error) {
    // More signatures than one record may hold: the claim stays as it was, the extra copy is kept
    // in `Q:` with the reason.
    if (error instanceof StemeError) return unapplied(record, lookup, `merge: ${error.message}`);
    throw error;
  }
  if (bytesEqual(merged, existing)) return NOTHING;
  return { ops: [{ type: 'put', key, value: merged }], counts: undefined, readableId: id };
}

function applyVote(
  view: VoteView,
  address: Uint8Array,
  key: Uint8Array,
  id: string,
  lookup: Lookup,
): RecordEffect {
  const existing = lookup(key, id);
  const ops: WriteOp[] = [
    { type: 'put', key, value: view.bytes },
    { type: 'put', key: voteKey(view.assertionHash, address), value: view.bytes },
  ];
  if (existing === undefined) return { ops, counts: 'votes', readableId: id };
  if (bytesEqual(existing, view.bytes) || view.signature === undefined) return NOTHING;
  const stored = viewRecord(checkedStored(existing, key, 'vote'));
  if (!(stored instanceof VoteView)) throw wrongType(key, 'vote');
  return stored.signature === undefined ? { ops, counts: undefined, readableId: id } : NOTHING;
}

function applyEpoch(view: EpochView, key: Uint8Array, id: string, lookup: Lookup): RecordEffect {
  if (lookup(key, id) !== undefined) return NOTHING;
  return { ops: [{ type: 'put', key, value: view.bytes }], counts: 'epochs', readableId: id };
}

function unapplied(record: JournalRecord, lookup: Lookup, reason: string): RecordEffect {
  const key = unappliedKey(record.offset);
  const id = keyString(key);
  const counts = lookup(key, id) === undefined ? 'unapplied' : undefined;
  const value = encodeUnappliedEntry(reason, record.payload);
  return { ops: [{ type: 'put', key, value }], counts, readableId: id };
}

/** A stored record the ingestor must merge with; damage to it is store corruption. */
function checkedStored(bytes: Uint8Array, key: Uint8Array, type: string): Uint8Array {
  try {
    viewRecord(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreCorruptionError(`${type} at key ${toHex(key)} is unreadable: ${reason}`);
  }
  return bytes;
}

function wrongType(key: Uint8Array, type: string): StoreCorruptionError {
  return new StoreCorruptionError(`key ${toHex(key)} holds a record that is not a ${type}`);
}
