/**
 * Queries: records by content address, assertions by subject (and predicate), votes by the
 * assertion they are about. Hex at the edge only: hashes come in and go out as hex, keys hold raw
 * bytes.
 *
 * `get` also sees acknowledged records the ingestor has not applied yet (`UningestedRecords`);
 * the scans read the store, so they see what `flush`, `processPending` or `waitForIngest` made
 * visible. An index entry whose record is missing is store corruption and is raised, never
 * skipped.
 */
import { InvalidArgumentError } from '../errors.js';
import { StoreCorruptionError } from '../ingest/index.js';
import { PREDICATE_MAX_BYTES, SUBJECT_MAX_BYTES } from '../limits.js';
import {
  AssertionView,
  VoteView,
  decodeRecord,
  encodeRecord,
  fromHex,
  mergeSignatures,
  toHex,
  toOutput,
  viewRecord,
} from '../records/index.js';
import type { AssertionOutput, RecordOutput, VoteOutput } from '../records/index.js';
import {
  epochKey,
  hashFromIndexKey,
  hashKey,
  subjectPredicatePrefix,
  subjectPrefix,
  votePrefix,
} from '../store/index.js';
import type { KVStore } from '../store/index.js';
import type { UningestedRecords } from './uningested-records.js';

export interface SubjectQuery {
  predicate?: string;
  limit?: number;
}

const HASH_BYTES = 32;
const LONE_SURROGATE = /\p{Cs}/u;

export class ReadPath {
  readonly #store: KVStore;
  readonly #uningested: UningestedRecords;

  constructor(store: KVStore, uningested: UningestedRecords) {
    this.#store = store;
    this.#uningested = uningested;
  }

  /** The record whose content address is `hash`, with every signature known so far. */
  get(hash: string): RecordOutput | undefined {
    const address = parseHash(hash, 'hash');
    const copies: Uint8Array[] = [];
    const stored = this.#store.getSync(hashKey(address)) ?? this.#store.getSync(epochKey(address));
    if (stored !== undefined) copies.push(stored);
    copies.push(...this.#uningested.get(toHex(address)));
    const [first, ...others] = copies;
    if (first === undefined) return undefined;
    return toOutput(viewRecord(combine(first, others)));
  }

  async *bySubject(subject: string, query: SubjectQuery): AsyncIterableIterator<AssertionOutput> {
    checkText(subject, 'subject', SUBJECT_MAX_BYTES);
    const limit = checkLimit(query.limit);
    const predicate = query.predicate;
    if (predicate !== undefined) checkText(predicate, 'predicate', PREDICATE_MAX_BYTES);
    const prefix =
      predicate === undefined ? subjectPrefix(subject) : subjectPredicatePrefix(subject, predicate);
    const range = { prefix, ...(limit === undefined ? {} : { limit }) };
    for await (const [key] of this.#store.iterate(range)) {
      const bytes = this.#store.getSync(hashKey(hashFromIndexKey(key)));
      if (bytes === undefined) {
        throw new StoreCorruptionError(`index entry ${toHex(key)} has no record`);
      }
      const view = viewRecord(bytes);
      if (!(view instanceof AssertionView)) {
        throw new StoreCorruptionError(`index entry ${toHex(key)} points at a ${view.type}`);
      }
      yield toOutput(view) as AssertionOutput;
    }
  }

  async *votesFor(assertionHash: string): AsyncIterableIterator<VoteOutput> {
    const prefix = votePrefix(parseHash(assertionHash, 'assertionHash'));
    for await (const [key, value] of this.#store.iterate({ prefix })) {
      const view = viewRecord(value);
      if (!(view instanceof VoteView)) {
        throw new StoreCorruptionError(`vote entry ${toHex(key)} holds a ${view.type}`);
      }
      yield toOutput(view) as VoteOutput;
    }
  }
}

/**
 * One record from several copies of it: an assertion with the union of their signatures, a vote
 * signed if any copy is. A copy that cannot be merged (too many signatures) is left out, as the
 * ingestor leaves it out.
 */
function combine(first: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  if (others.length === 0) return first;
  let record = decodeRecord(first);
  for (const bytes of others) {
    const other = decodeRecord(bytes);
    if (record.type === 'assertion' && other.type === 'assertion') {
      try {
        record = mergeSignatures(record, other);
      } catch {
        // Kept as the ingestor keeps it: without the extra copy's signatures.
      }
    } else if (record.type === 'vote' && other.type === 'vote' && record.signature === undefined) {
      record = other;
    }
  }
  return encodeRecord(record);
}

export function parseHash(hash: unknown, field: string): Uint8Array {
  const bytes = typeof hash === 'string' ? fromHex(hash, HASH_BYTES) : undefined;
  if (bytes === undefined) {
    throw new InvalidArgumentError(`must be ${HASH_BYTES * 2} hex digits`, field);
  }
  return bytes;
}

function checkText(text: unknown, field: string, maxBytes: number): void {
  if (typeof text !== 'string' || text.length === 0) {
    throw new InvalidArgumentError('must be a non-empty string', field);
  }
  if (text.includes('\u0000')) throw new InvalidArgumentError('must not contain NUL', field);
  if (LONE_SURROGATE.test(text)) {
    throw new InvalidArgumentError('must be well-formed UTF-16', field);
  }
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new InvalidArgumentError(`must be at most ${maxBytes} UTF-8 bytes`, field);
  }
}

function checkLimit(limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('must be a positive integer', 'limit');
  }
  return limit;
}
