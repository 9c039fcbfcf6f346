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
  subjectKey,
  subjectPredicateKey,
  unappliedKey,
  voteKey,
} from '../store/index.js';
import type { WriteOp } from '../store/index.js';
import type { CounterKind } from './ingest-meta.js';
import { StoreCorruptionError } from './ingest-errors.js';
import { encodeUnappliedEntry } from './unapplied-entry.js';

export interface RecordEffect {
  readonly ops: readonly WriteOp[];
  /** The counter this record raises by one, if it added a distinct record or a `Q:` entry. */
  readonly counts: CounterKind | undefined;
  /**
   * How many of `ops`, from the first, are puts at keys a later record's `lookup` may ask for
   * (`H:`, `E:`, `Q:`). The rest put `S:`, `SP:` and `V:` entries, which are never looked up, so
   * a batch need not remember them.
   */
  readonly readable: number;
}

/** Looks a key up in the store as the batch in hand has left it. */
export type Lookup = (key: Uint8Array) => Uint8Array | undefined;

const NOTHING: RecordEffect = { ops: [], counts: undefined, readable: 0 };
/** The value of every index entry. Shared: the store copies what it keeps (`KVStore.write`). */
const EMPTY = new Uint8Array(0);

/**
 * A journal record made ready to apply: decoded (lazily), its content address computed and its
 * signatures verified, or the reason it cannot be applied. `key` is the one store key applying it
 * looks up, so a caller can fetch the keys of many records at once before applying any of them.
 */
export type PreparedRecord =
  | {
      readonly record: JournalRecord;
      readonly view: RecordView;
      readonly address: Uint8Array;
      readonly key: Uint8Array;
    }
  | { readonly record: JournalRecord; readonly failure: string; readonly key: Uint8Array };

export function prepareRecord(record: JournalRecord): PreparedRecord {
  let view: RecordView;
  let address: Uint8Array;
  try {
    view = viewRecord(record.payload);
    address = contentAddressOf(view, record);
    // Without signatures there is nothing to verify (`requireSignatures` is the write path's).
    if (address !== record.hash) verifySignatures(view);
  } catch (error) {
    const key = unappliedKey(record.offset);
    if (error instanceof RecordFormatError) {
      return { record, failure: `undecodable: ${error.message}`, key };
    }
    if (error instanceof RecordSignatureError) {
      return { record, failure: `signature: ${error.message}`, key };
    }
    throw error;
  }
  const key = view.type === 'epoch' ? epochKey(address) : hashKey(address);
  return { record, view, address, key };
}

export function applyPrepared(prepared: PreparedRecord, lookup: Lookup): RecordEffect {
  if ('failure' in prepared) return unapplied(prepared.record, lookup, prepared.failure);
  const { view, address, key, record } = prepared;
  switch (view.type) {
    case 'assertion':
      return applyAssertion(view, address, key, record, lookup);
    case 'vote':
      return applyVote(view, address, key, lookup);
    case 'epoch':
      return applyEpoch(view, key, lookup);
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
  record: JournalRecord,
  lookup: Lookup,
): RecordEffect {
  const existing = lookup(key);
  if (existing === undefined) {
    const subject = view.subject;
    return {
      ops: [
        { type: 'put', key, value: view.bytes },
        { type: 'put', key: subjectKey(subject, address), value: EMPTY },
        { type: 'put', key: subjectPredicateKey(subject, view.predicate, address), value: EMPTY },
      ],
      counts: 'assertions',
      readable: 1,
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
  return { ops: [{ type: 'put', key, value: merged }], counts: undefined, readable: 1 };
}

function applyVote(
  view: VoteView,
  address: Uint8Array,
  key: Uint8Array,
  lookup: Lookup,
): RecordEffect {
  const existing = lookup(key);
  const ops: WriteOp[] = [
    { type: 'put', key, value: view.bytes },
    { type: 'put', key: voteKey(view.assertionHash, address), value: view.bytes },
  ];
  if (existing === undefined) return { ops, counts: 'votes', readable: 1 };
  if (bytesEqual(existing, view.bytes) || view.signature === undefined) return NOTHING;
  const stored = viewRecord(checkedStored(existing, key, 'vote'));
  if (!(stored instanceof VoteView)) throw wrongType(key, 'vote');
  return stored.signature === undefined ? { ops, counts: undefined, readable: 1 } : NOTHING;
}

function applyEpoch(view: EpochView, key: Uint8Array, lookup: Lookup): RecordEffect {
  if (lookup(key) !== undefined) return NOTHING;
  return { ops: [{ type: 'put', key, value: view.bytes }], counts: 'epochs', readable: 1 };
}

function unapplied(record: JournalRecord, lookup: Lookup, reason: string): RecordEffect {
  const key = unappliedKey(record.offset);
  const counts = lookup(key) === undefined ? 'unapplied' : undefined;
  const value = encodeUnappliedEntry(reason, record.payload);
  return { ops: [{ type: 'put', key, value }], counts, readable: 1 };
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
