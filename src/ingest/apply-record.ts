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
}

/** Looks a key up in the store as the batch in hand has left it. */
export type Lookup = (key: Uint8Array) => Uint8Array | undefined;

const NOTHING: RecordEffect = { ops: [], counts: undefined };

export function applyRecord(record: JournalRecord, lookup: Lookup): RecordEffect {
  let view: RecordView;
  try {
    view = viewRecord(record.payload);
    verifySignatures(view);
  } catch (error) {
    if (error instanceof RecordFormatError) {
      return unapplied(record, lookup, `undecodable: ${error.message}`);
    }
    if (error instanceof RecordSignatureError) {
      return unapplied(record, lookup, `signature: ${error.message}`);
    }
    throw error;
  }
  switch (view.type) {
    case 'assertion':
      return applyAssertion(view, record, lookup);
    case 'vote':
      return applyVote(view, lookup);
    case 'epoch':
      return applyEpoch(view, lookup);
  }
}

function applyAssertion(view: AssertionView, record: JournalRecord, lookup: Lookup): RecordEffect {
  const key = hashKey(view.hash);
  const existing = lookup(key);
  if (existing === undefined) {
    const subject = view.subject;
    return {
      ops: [
        { type: 'put', key, value: view.bytes },
        { type: 'put', key: subjectKey(subject, view.hash), value: new Uint8Array(0) },
        {
          type: 'put',
          key: subjectPredicateKey(subject, view.predicate, view.hash),
          value: new Uint8Array(0),
        },
      ],
      counts: 'assertions',
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
  return { ops: [{ type: 'put', key, value: merged }], counts: undefined };
}

function applyVote(view: VoteView, lookup: Lookup): RecordEffect {
  const key = hashKey(view.hash);
  const existing = lookup(key);
  const ops: WriteOp[] = [
    { type: 'put', key, value: view.bytes },
    { type: 'put', key: voteKey(view.assertionHash, view.hash), value: view.bytes },
  ];
  if (existing === undefined) return { ops, counts: 'votes' };
  if (bytesEqual(existing, view.bytes) || view.signature === undefined) return NOTHING;
  const stored = viewRecord(checkedStored(existing, key, 'vote'));
  if (!(stored instanceof VoteView)) throw wrongType(key, 'vote');
  return stored.signature === undefined ? { ops, counts: undefined } : NOTHING;
}

function applyEpoch(view: EpochView, lookup: Lookup): RecordEffect {
  const key = epochKey(view.hash);
  if (lookup(key) !== undefined) return NOTHING;
  return { ops: [{ type: 'put', key, value: view.bytes }], counts: 'epochs' };
}

function unapplied(record: JournalRecord, lookup: Lookup, reason: string): RecordEffect {
  const key = unappliedKey(record.offset);
  const counts = lookup(key) === undefined ? 'unapplied' : undefined;
  const value = encodeUnappliedEntry(reason, record.payload);
  return { ops: [{ type: 'put', key, value }], counts };
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
