/**
 * The store's key layout (SPEC §5): the only place that builds or parses keys.
 *
 * | kind               | key                                                  |
 * |--------------------|------------------------------------------------------|
 * | `hash`             | `H:` hash                                            |
 * | `subject`          | `S:` subject `0x00` hash                             |
 * | `subjectPredicate` | `SP:` subject `0x00` predicate `0x00` hash           |
 * | `vote`             | `V:` assertionHash voteHash                          |
 * | `epoch`            | `E:` epochId                                         |
 * | `meta`             | `META:` name                                         |
 * | `unapplied`        | `Q:` offset, 8 bytes big-endian                      |
 *
 * Hashes are the raw 32 bytes of a BLAKE3-256 digest. Subjects, predicates and meta names are
 * UTF-8. The 0x00 after a subject or predicate ends it: no UTF-8 text other than NUL contains a
 * 0x00 byte, and the records layer rejects NUL in subjects and predicates, so `S:ab\0` is never a
 * prefix of a key of subject `abc`, and every key of subject `a` sorts before those of `a\u0001`.
 * Offsets are big-endian so that bytewise order is numeric order.
 *
 * Builders take values the caller has already validated: breaking that is a programmer error and
 * fails an assertion. Parsers read keys that came from disk: a malformed one is `MalformedKeyError`
 * (code `CORRUPTION`).
 */
import assert from 'node:assert/strict';
import { BLAKE3_BYTES } from '../checksum/index.js';
import { StemeError } from '../errors.js';

export const KEY_KINDS = [
  'hash',
  'subject',
  'subjectPredicate',
  'vote',
  'epoch',
  'meta',
  'unapplied',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Bytes of an `unapplied` key's offset. */
export const OFFSET_KEY_BYTES = 8;

const PREFIX_TEXT: Readonly<Record<KeyKind, string>> = {
  hash: 'H:',
  subject: 'S:',
  subjectPredicate: 'SP:',
  vote: 'V:',
  epoch: 'E:',
  meta: 'META:',
  unapplied: 'Q:',
};

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text instead of stripping it, so decoding round-trips.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const PREFIX_BYTES: Readonly<Record<KeyKind, Uint8Array>> = Object.fromEntries(
  KEY_KINDS.map((kind) => [kind, utf8Encoder.encode(PREFIX_TEXT[kind])]),
) as Record<KeyKind, Uint8Array>;
const SEPARATOR = 0x00;
const LONE_SURROGATE = /\p{Cs}/u;

/** A key read from the store does not have the layout of its kind. */
export class MalformedKeyError extends StemeError {
  readonly kind: KeyKind;
  readonly keyHex: string;
  readonly reason: string;

  constructor(kind: KeyKind, key: Uint8Array, reason: string) {
    const keyHex = Buffer.from(key.buffer, key.byteOffset, key.length).toString('hex');
    super('CORRUPTION', `malformed ${kind} key ${keyHex}: ${reason}`);
    this.kind = kind;
    this.keyHex = keyHex;
    this.reason = reason;
  }
}

/** The prefix every key of `kind` starts with (a fresh copy), for scanning a whole kind. */
export function kindPrefix(kind: KeyKind): Uint8Array {
  return PREFIX_BYTES[kind].slice();
}

/** The kind of `key`, by its prefix, or undefined when it has none of the known prefixes. */
export function keyKindOf(key: Uint8Array): KeyKind | undefined {
  return KEY_KINDS.find((kind) => startsWith(key, PREFIX_BYTES[kind]));
}

/**
 * Where a key builder takes the bytes of the key it returns, all of which it fills: by default an
 * array of the key's own. The ingestor passes views into shared slabs (`SlabAllocator`).
 */
export type KeyBytes = (length: number) => Uint8Array;

const ownBytes: KeyBytes = (length) => new Uint8Array(length);

export function hashKey(hash: Uint8Array, allocate: KeyBytes = ownBytes): Uint8Array {
  const key = allocate(PREFIX_BYTES.hash.length + BLAKE3_BYTES);
  key.set(PREFIX_BYTES.hash, 0);
  key.set(checkedHash(hash), PREFIX_BYTES.hash.length);
  return key;
}

export function subjectKey(subject: string, hash: Uint8Array): Uint8Array {
  return concat(subjectPrefix(subject), checkedHash(hash));
}

/** `S:` subject `0x00`: the prefix of exactly the subject index entries of `subject`. */
export function subjectPrefix(subject: string): Uint8Array {
  return concat(PREFIX_BYTES.subject, encodeText(subject, 'subject'), [SEPARATOR]);
}

export function subjectPredicateKey(
  subject: string,
  predicate: string,
  hash: Uint8Array,
): Uint8Array {
  return concat(subjectPredicatePrefix(subject, predicate), checkedHash(hash));
}

/**
 * `subjectKey` from the subject's UTF-8 bytes as a record holds them (the ingestor's path: no
 * decoding and re-encoding). The bytes must be valid UTF-8 without NUL, as the records layer
 * guarantees for every record it accepts; then the key equals `subjectKey` of the decoded text.
 */
export function subjectKeyOfUtf8(
  subjectUtf8: Uint8Array,
  hash: Uint8Array,
  allocate: KeyBytes = ownBytes,
): Uint8Array {
  return textKey(PREFIX_BYTES.subject, subjectUtf8, undefined, checkedHash(hash), allocate);
}

/** `subjectPredicateKey` from UTF-8 bytes, under the conditions of `subjectKeyOfUtf8`. */
export function subjectPredicateKeyOfUtf8(
  subjectUtf8: Uint8Array,
  predicateUtf8: Uint8Array,
  hash: Uint8Array,
  allocate: KeyBytes = ownBytes,
): Uint8Array {
  const prefix = PREFIX_BYTES.subjectPredicate;
  return textKey(prefix, subjectUtf8, predicateUtf8, checkedHash(hash), allocate);
}

/** `SP:` subject `0x00` predicate `0x00`: exactly the entries of that subject and predicate. */
export function subjectPredicatePrefix(subject: string, predicate: string): Uint8Array {
  return concat(
    PREFIX_BYTES.subjectPredicate,
    encodeText(subject, 'subject'),
    [SEPARATOR],
    encodeText(predicate, 'predicate'),
    [SEPARATOR],
  );
}

/**
 * `SP:` subject `0x00`: the prefix of every subject+predicate entry of `subject`, whatever the
 * predicate, in predicate order.
 */
export function subjectPredicateSubjectPrefix(subject: string): Uint8Array {
  return concat(PREFIX_BYTES.subjectPredicate, encodeText(subject, 'subject'), [SEPARATOR]);
}

export function voteKey(assertionHash: Uint8Array, voteHash: Uint8Array): Uint8Array {
  return concat(PREFIX_BYTES.vote, checkedHash(assertionHash), checkedHash(voteHash));
}

/** `V:` assertionHash: the prefix of every vote on that assertion. */
export function votePrefix(assertionHash: Uint8Array): Uint8Array {
  return concat(PREFIX_BYTES.vote, checkedHash(assertionHash));
}

/** `E:` epochId, with the id's bytes as given (the records layer defines what an id is). */
export function epochKey(epochId: Uint8Array): Uint8Array {
  assert.ok(epochId instanceof Uint8Array && epochId.length > 0, 'an epoch id must be bytes');
  return concat(PREFIX_BYTES.epoch, epochId);
}

/** `META:` name, e.g. `META:ingest.cursor`. */
export function metaKey(name: string): Uint8Array {
  assert.ok(name.length > 0, 'a meta name must not be empty');
  return concat(PREFIX_BYTES.meta, encodeText(name, 'meta name'));
}

/** `Q:` offset: a record at journal `offset` that the ingestor could not apply. */
export function unappliedKey(offset: number): Uint8Array {
  assert.ok(Number.isSafeInteger(offset) && offset >= 0, 'an offset must be a safe integer >= 0');
  const key = new Uint8Array(PREFIX_BYTES.unapplied.length + OFFSET_KEY_BYTES);
  key.set(PREFIX_BYTES.unapplied, 0);
  const view = new DataView(key.buffer, PREFIX_BYTES.unapplied.length, OFFSET_KEY_BYTES);
  view.setUint32(0, Math.floor(offset / 2 ** 32));
  view.setUint32(4, offset >>> 0);
  return key;
}

export function parseHashKey(key: Uint8Array): Uint8Array {
  requirePrefix('hash', key);
  if (key.length !== PREFIX_BYTES.hash.length + BLAKE3_BYTES) {
    throw new MalformedKeyError('hash', key, `length ${key.length}, expected hash of 32 bytes`);
  }
  return copyOf(key, PREFIX_BYTES.hash.length, key.length);
}

/**
 * The hash at the end of a `subject` or `subjectPredicate` index key, without decoding its text:
 * what a scan of an index prefix needs.
 */
export function hashFromIndexKey(key: Uint8Array): Uint8Array {
  const kind = keyKindOf(key);
  if (kind !== 'subject' && kind !== 'subjectPredicate') {
    throw new MalformedKeyError(kind ?? 'subject', key, 'not a subject or subject+predicate key');
  }
  const separatorAt = key.length - BLAKE3_BYTES - 1;
  if (separatorAt < PREFIX_BYTES[kind].length || key[separatorAt] !== SEPARATOR) {
    throw new MalformedKeyError(kind, key, 'no 0x00 before a 32-byte hash');
  }
  return copyOf(key, separatorAt + 1, key.length);
}

export function parseSubjectKey(key: Uint8Array): { subject: string; hash: Uint8Array } {
  requirePrefix('subject', key);
  const hash = hashFromIndexKey(key);
  const textEnd = key.length - BLAKE3_BYTES - 1;
  return { subject: decodeText('subject', key, PREFIX_BYTES.subject.length, textEnd), hash };
}

export function parseSubjectPredicateKey(key: Uint8Array): {
  subject: string;
  predicate: string;
  hash: Uint8Array;
} {
  requirePrefix('subjectPredicate', key);
  const hash = hashFromIndexKey(key);
  const start = PREFIX_BYTES.subjectPredicate.length;
  const predicateEnd = key.length - BLAKE3_BYTES - 1;
  const subjectEnd = key.subarray(0, predicateEnd).indexOf(SEPARATOR, start);
  if (subjectEnd < 0) {
    throw new MalformedKeyError('subjectPredicate', key, 'no 0x00 after the subject');
  }
  return {
    subject: decodeText('subjectPredicate', key, start, subjectEnd),
    predicate: decodeText('subjectPredicate', key, subjectEnd + 1, predicateEnd),
    hash,
  };
}

export function parseVoteKey(key: Uint8Array): { assertionHash: Uint8Array; voteHash: Uint8Array } {
  requirePrefix('vote', key);
  const start = PREFIX_BYTES.vote.length;
  if (key.length !== start + 2 * BLAKE3_BYTES) {
    throw new MalformedKeyError('vote', key, `length ${key.length}, expected two 32-byte hashes`);
  }
  return {
    assertionHash: copyOf(key, start, start + BLAKE3_BYTES),
    voteHash: copyOf(key, start + BLAKE3_BYTES, key.length),
  };
}

export function parseEpochKey(key: Uint8Array): Uint8Array {
  requirePrefix('epoch', key);
  if (key.length === PREFIX_BYTES.epoch.length) {
    throw new MalformedKeyError('epoch', key, 'empty epoch id');
  }
  return copyOf(key, PREFIX_BYTES.epoch.length, key.length);
}

export function parseMetaKey(key: Uint8Array): string {
  requirePrefix('meta', key);
  return decodeText('meta', key, PREFIX_BYTES.meta.length, key.length);
}

export function parseUnappliedKey(key: Uint8Array): number {
  requirePrefix('unapplied', key);
  const start = PREFIX_BYTES.unapplied.length;
  if (key.length !== start + OFFSET_KEY_BYTES) {
    throw new MalformedKeyError('unapplied', key, `length ${key.length}, expected 8-byte offset`);
  }
  const view = new DataView(key.buffer, key.byteOffset + start, OFFSET_KEY_BYTES);
  const offset = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
  if (!Number.isSafeInteger(offset)) {
    throw new MalformedKeyError('unapplied', key, 'offset beyond 2^53');
  }
  return offset;
}

function checkedHash(hash: Uint8Array): Uint8Array {
  assert.ok(hash instanceof Uint8Array, 'a hash must be a Uint8Array');
  assert.equal(hash.length, BLAKE3_BYTES, 'a hash inside a key must be 32 raw bytes');
  return hash;
}

function encodeText(text: string, what: string): Uint8Array {
  assert.ok(!text.includes('\u0000'), `a ${what} inside a key must not contain NUL`);
  // A lone surrogate would be encoded as U+FFFD, so two different strings would share one key.
  assert.ok(!LONE_SURROGATE.test(text), `a ${what} inside a key must be well-formed UTF-16`);
  return utf8Encoder.encode(text);
}

/** prefix text `0x00` [second `0x00`] hash, in one allocation. */
function textKey(
  prefix: Uint8Array,
  text: Uint8Array,
  second: Uint8Array | undefined,
  hash: Uint8Array,
  allocate: KeyBytes = ownBytes,
): Uint8Array {
  assert.ok(text.length > 0 && !text.includes(SEPARATOR), 'key text must be non-empty, without NUL');
  assert.ok(second === undefined || (second.length > 0 && !second.includes(SEPARATOR)));
  const secondBytes = second === undefined ? 0 : second.length + 1;
  const key = allocate(prefix.length + text.length + 1 + secondBytes + hash.length);
  key.set(prefix, 0);
  let at = prefix.length;
  key.set(text, at);
  at += text.length;
  key[at++] = SEPARATOR;
  if (second !== undefined) {
    key.set(second, at);
    at += second.length;
    key[at++] = SEPARATOR;
  }
  key.set(hash, at);
  return key;
}

function decodeText(kind: KeyKind, key: Uint8Array, start: number, end: number): string {
  const bytes = key.subarray(start, end);
  if (bytes.includes(SEPARATOR)) throw new MalformedKeyError(kind, key, 'stray 0x00 in text');
  try {
    return utf8Decoder.decode(bytes);
  } catch (error) {
    throw new MalformedKeyError(kind, key, `invalid UTF-8 (${(error as Error).message})`);
  }
}

function requirePrefix(kind: KeyKind, key: Uint8Array): void {
  // `S:` is not a prefix of `SP:`, so the subject check cannot accept a subject+predicate key.
  if (!startsWith(key, PREFIX_BYTES[kind])) {
    throw new MalformedKeyError(kind, key, `does not start with ${PREFIX_TEXT[kind]}`);
  }
}

/** A copy, never a view: `Buffer#slice` would share the key's memory with the result. */
function copyOf(key: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(key.subarray(start, end));
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
