// Proves every key kind round-trips, index prefixes select exactly their subject (and predicate),
// bytewise key order is code-point order of subjects and numeric order of offsets, and malformed
// keys from disk are reported as CORRUPTION, and keys built into a caller's bytes are the same.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { closeAtEnd, makeTempDir } from '../../test/support/temp-dir.js';
import { SlabAllocator } from '../records/index.js';
import { compareBytes } from './key-range.js';
import {
  KEY_KINDS,
  epochKey,
  hashFromIndexKey,
  hashKey,
  keyKindOf,
  kindPrefix,
  metaKey,
  parseEpochKey,
  parseHashKey,
  parseMetaKey,
  parseSubjectKey,
  parseSubjectPredicateKey,
  parseUnappliedKey,
  parseVoteKey,
  subjectKey,
  subjectKeyOfUtf8,
  subjectPredicateKey,
  subjectPredicateKeyOfUtf8,
  subjectPredicatePrefix,
  subjectPredicateSubjectPrefix,
  subjectPrefix,
  unappliedKey,
  voteKey,
  votePrefix,
} from './keys.js';
import { LmdbStore } from './lmdb-store.js';

const seedText = process.env['STEMEDB_SEED'];
const seed = seedText === undefined ? Date.now() : Number(seedText);
const propertyOptions = { seed, numRuns: 300 };

function hashOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.length >= prefix.length && compareBytes(key.subarray(0, prefix.length), prefix) === 0;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Strings the records layer accepts as subjects: well-formed, no NUL. */
const subjectText = fc
  .string({ unit: 'binary', maxLength: 12 })
  .filter((s) => !s.includes('\u0000'));
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

function compareCodePoints(a: string, b: string): number {
  const left = [...a].map((c) => c.codePointAt(0) ?? 0);
  const right = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

test('every key kind round-trips through its builder and parser', () => {
  const h1 = hashOf(0x11);
  const h2 = hashOf(0x22);
  assert.deepEqual(parseHashKey(hashKey(h1)), h1);
  assert.deepEqual(parseSubjectKey(subjectKey('Paris', h1)), { subject: 'Paris', hash: h1 });
  assert.deepEqual(parseSubjectPredicateKey(subjectPredicateKey('Paris', 'capitalOf', h2)), {
    subject: 'Paris',
    predicate: 'capitalOf',
    hash: h2,
  });
  assert.deepEqual(parseVoteKey(voteKey(h1, h2)), { assertionHash: h1, voteHash: h2 });
  assert.deepEqual(parseEpochKey(epochKey(h2)), h2);
  assert.equal(parseMetaKey(metaKey('ingest.cursor')), 'ingest.cursor');
  assert.equal(parseUnappliedKey(unappliedKey(123_456_789_012)), 123_456_789_012);
  assert.equal(Buffer.from(metaKey('ingest.cursor')).toString(), 'META:ingest.cursor');
  assert.equal(hex(unappliedKey(258)), hex(Buffer.from('Q:')) + '0000000000000102');
});

test('subjects and predicates round-trip for any well-formed text without NUL', () => {
  fc.assert(
    fc.property(subjectText, subjectText, hash32, (s, p, h) => {
      assert.deepEqual(parseSubjectKey(subjectKey(s, h)), { subject: s, hash: h });
      assert.deepEqual(parseSubjectPredicateKey(subjectPredicateKey(s, p, h)), {
        subject: s,
        predicate: p,
        hash: h,
      });
      assert.deepEqual(hashFromIndexKey(subjectPredicateKey(s, p, h)), h);
    }),
    propertyOptions,
  );
  assert.equal(parseSubjectKey(subjectKey('\uFEFFbom', hashOf(1))).subject, '\uFEFFbom');
});

test('index keys built from UTF-8 bytes equal those built from the text', () => {
  const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
  const nonEmpty = subjectText.filter((text) => text.length > 0);
  fc.assert(
    fc.property(nonEmpty, nonEmpty, hash32, (s, p, h) => {
      assert.deepEqual(subjectKeyOfUtf8(utf8(s), h), subjectKey(s, h));
      assert.deepEqual(subjectPredicateKeyOfUtf8(utf8(s), utf8(p), h), subjectPredicateKey(s, p, h));
    }),
    propertyOptions,
  );
  assert.deepEqual(subjectKeyOfUtf8(utf8('\uFEFFbom'), hashOf(1)), subjectKey('\uFEFFbom', hashOf(1)));
  assert.throws(() => subjectKeyOfUtf8(new Uint8Array([0x61, 0x00]), hashOf(1)), /without NUL/);
  assert.throws(() => subjectKeyOfUtf8(new Uint8Array(0), hashOf(1)), /non-empty/);
});

test('each kind is recognised by its prefix, and S: never claims an SP: key', () => {
  const samples = {
    hash: hashKey(hashOf(1)),
    subject: subjectKey('s', hashOf(1)),
    subjectPredicate: subjectPredicateKey('s', 'p', hashOf(1)),
    vote: voteKey(hashOf(1), hashOf(2)),
    epoch: epochKey(hashOf(3)),
    meta: metaKey('format.version'),
    unapplied: unappliedKey(7),
  } as const;
  for (const kind of KEY_KINDS) {
    assert.equal(keyKindOf(samples[kind]), kind);
    for (const other of KEY_KINDS) {
      const claimed = startsWith(samples[other], kindPrefix(kind));
      assert.equal(claimed, other === kind, `${kind} vs ${other}`);
    }
  }
  assert.equal(keyKindOf(new TextEncoder().encode('X:unknown')), undefined);
});

test('all S: entries of subject "a" sort after those of "" and before those of "a\\u0001"', () => {
  const keys = ['', 'a', 'a\u0001', 'a\u0001b', 'ab', 'abc', 'b'].flatMap((subject) =>
    [0x00, 0x7f, 0xff].map((byte) => ({ subject, key: subjectKey(subject, hashOf(byte)) })),
  );
  const sorted = [...keys].sort((x, y) => compareBytes(x.key, y.key)).map((entry) => entry.subject);
  assert.deepEqual(sorted, ['', '', '', 'a', 'a', 'a', 'a\u0001', 'a\u0001', 'a\u0001', 'a\u0001b',
    'a\u0001b', 'a\u0001b', 'ab', 'ab', 'ab', 'abc', 'abc', 'abc', 'b', 'b', 'b']);
});

test('a subject that is a prefix of another never matches the other one\'s index prefix', () => {
  const h = hashOf(0xab);
  assert.equal(startsWith(subjectKey('abc', h), subjectPrefix('ab')), false);
  assert.equal(startsWith(subjectKey('ab', h), subjectPrefix('ab')), true);
  const sp = subjectPredicateKey;
  assert.equal(startsWith(sp('a', 'bc', h), subjectPredicatePrefix('a', 'b')), false);
  assert.equal(startsWith(sp('ab', 'c', h), subjectPredicatePrefix('a', 'bc')), false);
  assert.equal(startsWith(sp('ab', 'c', h), subjectPredicateSubjectPrefix('a')), false);
  assert.equal(startsWith(sp('a', 'c', h), subjectPredicateSubjectPrefix('a')), true);
  assert.equal(startsWith(voteKey(h, hashOf(1)), votePrefix(h)), true);
  assert.equal(startsWith(voteKey(hashOf(1), h), votePrefix(h)), false);
});

test('index keys sort in code-point order of their subjects, whatever the hashes', () => {
  const hash = hash32;
  fc.assert(
    fc.property(subjectText, subjectText, hash, hash, (s1, s2, h1, h2) => {
      fc.pre(s1 !== s2);
      const bytewise = Math.sign(compareBytes(subjectKey(s1, h1), subjectKey(s2, h2)));
      assert.equal(bytewise, Math.sign(compareCodePoints(s1, s2)));
      const withPredicate = compareBytes(
        subjectPredicateKey(s1, 'p', h1),
        subjectPredicateKey(s2, 'p', h2),
      );
      assert.equal(Math.sign(withPredicate), Math.sign(compareCodePoints(s1, s2)));
    }),
    propertyOptions,
  );
});

test('Q: keys sort in numeric order of their offsets, across the whole safe-integer range', () => {
  const fixed = [0, 1, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 53 - 1];
  const byKey = [...fixed].reverse().sort((a, b) => compareBytes(unappliedKey(a), unappliedKey(b)));
  assert.deepEqual(byKey, fixed);
  const offset = fc.maxSafeNat();
  fc.assert(
    fc.property(offset, offset, (a, b) => {
      assert.equal(Math.sign(compareBytes(unappliedKey(a), unappliedKey(b))), Math.sign(a - b));
      assert.equal(parseUnappliedKey(unappliedKey(a)), a);
    }),
    propertyOptions,
  );
});

test('a store scan of one subject\'s prefix returns exactly that subject\'s hashes', async (t) => {
  const store = await LmdbStore.open(path.join(makeTempDir(t), 'store'));
  closeAtEnd(t, () => store.close());
  const subjects = ['a', 'a\u0001', 'ab', 'abc', 'b'];
  await store.write(
    subjects.flatMap((subject, i) =>
      [subjectKey(subject, hashOf(i)), subjectPredicateKey(subject, 'p', hashOf(i))].map((key) => ({
        type: 'put' as const,
        key,
        value: new Uint8Array(0),
      })),
    ),
  );
  for (const [i, subject] of subjects.entries()) {
    const found: string[] = [];
    for await (const [key] of store.iterate({ prefix: subjectPrefix(subject) })) {
      found.push(hex(hashFromIndexKey(key)));
    }
    assert.deepEqual(found, [hex(hashOf(i))], `subject ${JSON.stringify(subject)}`);
  }
  let subjectEntries = 0;
  for await (const [key] of store.iterate({ prefix: kindPrefix('subject') })) {
    assert.equal(keyKindOf(key), 'subject');
    subjectEntries++;
  }
  assert.equal(subjectEntries, subjects.length);
});

test('builders assert on input the records layer must already have rejected', () => {
  assert.throws(() => subjectKey('bad\u0000subject', hashOf(1)), assert.AssertionError);
  assert.throws(() => subjectPredicateKey('s', 'bad\u0000', hashOf(1)), assert.AssertionError);
  assert.throws(() => subjectPrefix('lone \uD800 surrogate'), assert.AssertionError);
  assert.throws(() => hashKey(new Uint8Array(31)), assert.AssertionError);
  assert.throws(() => voteKey(hashOf(1), new Uint8Array(33)), assert.AssertionError);
  assert.throws(() => unappliedKey(-1), assert.AssertionError);
  assert.throws(() => unappliedKey(2 ** 53), assert.AssertionError);
  assert.throws(() => metaKey(''), assert.AssertionError);
});

test('malformed keys read from disk fail with CORRUPTION naming the kind and the key', () => {
  const corrupt = (kind: string) => (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'CORRUPTION');
    assert.equal((error as { kind?: unknown }).kind, kind);
    assert.equal(typeof (error as { keyHex?: unknown }).keyHex, 'string');
    return true;
  };
  const truncated = subjectKey('s', hashOf(1)).subarray(0, 20);
  assert.throws(() => parseHashKey(hashKey(hashOf(1)).subarray(0, 30)), corrupt('hash'));
  assert.throws(() => parseSubjectKey(truncated), corrupt('subject'));
  const spKey = subjectPredicateKey('s', 'p', hashOf(1));
  assert.throws(() => parseSubjectKey(spKey), corrupt('subject'));
  const noSeparator = subjectKey('s', hashOf(1));
  noSeparator[3] = 0x41;
  assert.throws(() => hashFromIndexKey(noSeparator), corrupt('subject'));
  const badUtf8 = subjectKey('s', hashOf(1));
  badUtf8[2] = 0xff;
  assert.throws(() => parseSubjectKey(badUtf8), corrupt('subject'));
  const spPrefix = kindPrefix('subjectPredicate');
  const oneSeparator = new Uint8Array([...spPrefix, 0x61, 0x00, ...hashOf(1)]);
  assert.throws(() => parseSubjectPredicateKey(oneSeparator), corrupt('subjectPredicate'));
  assert.throws(() => parseVoteKey(votePrefix(hashOf(1))), corrupt('vote'));
  assert.throws(() => parseUnappliedKey(unappliedKey(1).subarray(0, 9)), corrupt('unapplied'));
  assert.throws(() => parseEpochKey(kindPrefix('epoch')), corrupt('epoch'));
});

test('parsed hashes are copies: changing the key afterwards leaves them alone', () => {
  const key = subjectKey('s', hashOf(7));
  const hash = hashFromIndexKey(key);
  key.fill(0);
  assert.deepEqual(hash, hashOf(7));
});

test('keys built into slab-allocated bytes equal keys built into arrays of their own', () => {
  const slabs = new SlabAllocator(4096, 256);
  const encoder = new TextEncoder();
  for (let i = 0; i < 2000; i++) {
    const hash = new Uint8Array(32).fill(i % 256);
    const subject = encoder.encode(`entity/${i}`);
    const predicate = encoder.encode(`p${i % 7}`);
    assert.deepEqual(hashKey(hash, slabs.allocate), hashKey(hash));
    const bySubject = subjectKeyOfUtf8(subject, hash, slabs.allocate);
    assert.deepEqual(bySubject, subjectKeyOfUtf8(subject, hash));
    assert.deepEqual(
      subjectPredicateKeyOfUtf8(subject, predicate, hash, slabs.allocate),
      subjectPredicateKeyOfUtf8(subject, predicate, hash),
    );
  }
});
