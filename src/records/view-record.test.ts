// Proves the strict reader rejects every non-canonical form with a RecordFormatError naming the
// reason, and that lazy views read the same values as a full decode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECORD_ENCODED_MAX_BYTES, SIGNATURES_MAX_COUNT } from '../limits.js';
import { AssertionView } from './assertion-view.js';
import { contentAddress, encodeRecord } from './encode-record.js';
import { EpochView } from './epoch-view.js';
import {
  assertFormatError,
  copyOf,
  fakeSignature,
  filled,
  hex,
  readU32,
  sampleAssertion,
  sampleEpoch,
  sampleVote,
  writeFloat32,
  writeFloat64,
  writeU32,
} from './test-support/record-fixtures.js';
import type { Assertion } from './record-types.js';
import { decodeRecord, viewRecord } from './view-record.js';
import { VoteView } from './vote-view.js';

const SUBJECT = 0;
const PREDICATE = 1;
const OBJECT = 2;
const PARENT = 3;
const SOURCE = 4;
const VISUAL = 5;
const VECTOR = 7;
const slotAt = (region: number): number => 40 + 8 * region;
const regionStart = (bytes: Uint8Array, region: number): number => readU32(bytes, slotAt(region));
const regionLength = (bytes: Uint8Array, region: number): number =>
  readU32(bytes, slotAt(region) + 4);

/** The encoding of `record`, patched by `patch`, must be refused for `reason`. */
function refused(
  record: Parameters<typeof encodeRecord>[0],
  patch: (bytes: Uint8Array) => Uint8Array | void,
  reason: Parameters<typeof assertFormatError>[1],
): void {
  const bytes = copyOf(encodeRecord(record));
  const patched = patch(bytes) ?? bytes;
  assertFormatError(() => decodeRecord(patched), reason);
  assertFormatError(() => viewRecord(patched), reason);
}

const reference = (value: string): Assertion['object'] => ({ type: 'reference', value });
const withVector = sampleAssertion({ vector: new Float32Array([1, 2, 3]) });
const signed = sampleAssertion({ signatures: [1, 2, 3].map((fill) => fakeSignature(fill)) });
const signatureStart = (bytes: Uint8Array): number =>
  encodeRecord({ ...(decodeRecord(bytes) as Assertion), signatures: [] }).length;

test('an unknown record type or non-zero envelope padding is refused', () => {
  refused(sampleAssertion(), (b) => void (b[0] = 3), 'unknown-record-type');
  refused(sampleAssertion(), (b) => void (b[0] = 255), 'unknown-record-type');
  for (let i = 1; i < 8; i++) refused(sampleVote(), (b) => void (b[i] = 1), 'nonzero-padding');
  assertFormatError(() => decodeRecord(new Uint8Array(0)), 'truncated');
  assertFormatError(() => new VoteView(encodeRecord(sampleEpoch())), 'unknown-record-type');
});

test('truncated records are refused at every length short of the whole', () => {
  const signedVote = sampleVote({ signature: filled(1, 64) });
  for (const record of [signed, withVector, signedVote, sampleEpoch()]) {
    const bytes = encodeRecord(record);
    // Cut exactly before the signatures, a signed record is its unsigned self: still canonical.
    const unsignedLength =
      record.type === 'assertion'
        ? encodeRecord({ ...record, signatures: [] }).length
        : record.type === 'vote'
          ? 88
          : -1;
    for (let length = 0; length < bytes.length; length++) {
      if (length === unsignedLength) continue;
      assert.throws(() => decodeRecord(bytes.subarray(0, length)), { code: 'INVALID_ARGUMENT' });
    }
  }
  refused(sampleAssertion(), (b) => b.subarray(0, 60), 'truncated');
  refused(sampleAssertion(), (b) => b.subarray(0, 130), 'truncated');
  refused(signed, (b) => b.subarray(0, b.length - 104), 'truncated');
  refused(sampleVote(), (b) => b.subarray(0, 87), 'truncated');
});

test('trailing bytes after any record are refused', () => {
  const extend = (extra: number[]) => (b: Uint8Array) => Uint8Array.from([...b, ...extra]);
  refused(sampleAssertion(), extend([0, 0, 0]), 'trailing-bytes');
  refused(sampleAssertion(), extend([0, 0, 0, 0, 0, 0, 0, 0]), 'bad-length');
  refused(signed, extend([0]), 'trailing-bytes');
  refused(signed, extend(Array.from({ length: 104 }, () => 0)), 'trailing-bytes');
  refused(sampleEpoch(), extend([0, 0, 0, 0, 0, 0, 0, 0]), 'trailing-bytes');
  refused(sampleVote(), extend([0]), 'bad-length');
  refused(sampleVote({ signature: filled(1, 64) }), extend([0]), 'trailing-bytes');
});

test('regions that do not start at their canonical offset are refused', () => {
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(SUBJECT), 112), 'bad-offset');
  // Overlapping: the predicate pointing at the subject.
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(PREDICATE), 104), 'bad-offset');
  // Out of order: subject and predicate swap places.
  refused(
    sampleAssertion({ subject: 'abcdefgh', predicate: 'ijklmnop' }),
    (b) => {
      const [subject, predicate] = [b.slice(104, 112), b.slice(112, 120)];
      b.set(predicate, 104);
      b.set(subject, 112);
      writeU32(b, slotAt(SUBJECT), 112);
      writeU32(b, slotAt(PREDICATE), 104);
    },
    'bad-offset',
  );
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(VISUAL), 0), 'bad-offset');
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(VECTOR), 0xffff_ffff), 'bad-offset');
  refused(sampleEpoch(), (b) => writeU32(b, 24, 40), 'bad-offset');
});

test('region lengths outside what the field allows are refused', () => {
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(SUBJECT) + 4, 0), 'bad-length');
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(SUBJECT) + 4, 0xffff_ffff), 'bad-length');
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(PREDICATE) + 4, 513), 'bad-length');
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(SOURCE) + 4, 31), 'bad-length');
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(PARENT) + 4, 8), 'bad-length');
  refused(withVector, (b) => writeU32(b, slotAt(VECTOR) + 4, 10), 'bad-length');
  const objectLength = (length: number) => (b: Uint8Array) =>
    writeU32(b, slotAt(OBJECT) + 4, length);
  refused(sampleAssertion({ object: { type: 'number', value: 1 } }), objectLength(8), 'bad-length');
  refused(sampleAssertion({ object: reference('x') }), objectLength(0), 'bad-length');
  // A length that lies past the end of the bytes.
  refused(sampleAssertion(), (b) => writeU32(b, slotAt(VECTOR) + 4, 400), 'truncated');
  refused(sampleEpoch(), (b) => writeU32(b, 40 + 4, 400), 'truncated');
});

test('signature trailers with a bad count, padding or order are refused', () => {
  refused(signed, (b) => writeU32(b, signatureStart(b), 0), 'bad-length');
  refused(signed, (b) => writeU32(b, signatureStart(b), SIGNATURES_MAX_COUNT + 1), 'bad-length');
  refused(signed, (b) => writeU32(b, signatureStart(b), 4), 'truncated');
  refused(signed, (b) => writeU32(b, signatureStart(b), 2), 'trailing-bytes');
  refused(signed, (b) => void (b[signatureStart(b) + 5] = 1), 'nonzero-padding');
  refused(signed, (b) => {
    const first = signatureStart(b) + 8;
    const entry = b.slice(first, first + 104);
    b.copyWithin(first, first + 104, first + 208);
    b.set(entry, first + 104);
  }, 'unsorted-signatures');
  refused(signed, (b) => {
    const first = signatureStart(b) + 8;
    b.copyWithin(first + 104, first, first + 32);
  }, 'unsorted-signatures');
  refused(signed, (b) => writeU32(b, signatureStart(b) + 8 + 96 + 4, 0x20_0000), 'out-of-range');
});

test('strings that are not UTF-8, or identifiers holding NUL, are refused', () => {
  const subjectAt = (b: Uint8Array): number => regionStart(b, SUBJECT);
  refused(sampleAssertion(), (b) => void (b[subjectAt(b)] = 0xff), 'invalid-utf8');
  refused(sampleAssertion(), (b) => b.set([0xc0, 0x80], subjectAt(b)), 'invalid-utf8');
  refused(sampleAssertion(), (b) => b.set([0xed, 0xa0, 0x80], subjectAt(b)), 'invalid-utf8');
  refused(sampleAssertion(), (b) => b.set([0xf4, 0x90, 0x80, 0x80], subjectAt(b)), 'invalid-utf8');
  refused(sampleAssertion(), (b) => void (b[subjectAt(b) + 9] = 0xe2), 'invalid-utf8');
  refused(sampleAssertion(), (b) => void (b[regionStart(b, OBJECT)] = 0x80), 'invalid-utf8');
  refused(sampleAssertion(), (b) => void (b[subjectAt(b) + 3] = 0), 'nul-character');
  refused(sampleAssertion(), (b) => void (b[regionStart(b, PREDICATE)] = 0), 'nul-character');
  const nulInObject = (b: Uint8Array): void => void (b[regionStart(b, OBJECT)] = 0);
  refused(sampleAssertion({ object: reference('ab') }), nulInObject, 'nul-character');
  refused(sampleEpoch(), (b) => void (b[48] = 0), 'nul-character');
  refused(sampleEpoch(), (b) => void (b[readU32(b, 40)] = 0xfe), 'invalid-utf8');
  const textWithNul = encodeRecord(sampleAssertion({ object: { type: 'text', value: 'a\0b' } }));
  assert.equal((decodeRecord(textWithNul) as Assertion).object.value, 'a\0b');
});

test('NaN, infinities and -0 are refused wherever a float is stored', () => {
  const number = sampleAssertion({ object: { type: 'number', value: 1 } });
  for (const [value, reason] of [
    [Number.NaN, 'non-finite'],
    [Infinity, 'non-finite'],
    [-Infinity, 'non-finite'],
    [-0, 'negative-zero'],
  ] as const) {
    refused(number, (b) => writeFloat64(b, 32, value), reason);
    refused(number, (b) => writeFloat64(b, 16, value), reason);
    refused(sampleVote(), (b) => writeFloat64(b, 72, value), reason);
    refused(withVector, (b) => writeFloat32(b, regionStart(b, VECTOR) + 4, value), reason);
  }
  refused(number, (b) => b.set([1, 0, 0, 0, 0, 0, 0xf8, 0x7f], 32), 'non-finite');
});

test('numbers outside their range are refused', () => {
  refused(sampleAssertion(), (b) => writeFloat64(b, 16, 1.0000001), 'out-of-range');
  refused(sampleAssertion(), (b) => writeFloat64(b, 16, -1e-300), 'out-of-range');
  refused(sampleVote(), (b) => writeFloat64(b, 72, 1.5), 'out-of-range');
  refused(sampleVote(), (b) => writeFloat64(b, 72, -2), 'out-of-range');
  refused(sampleAssertion(), (b) => writeU32(b, 28, 0x20_0000), 'out-of-range');
  refused(sampleVote(), (b) => writeU32(b, 84, 0xffff_ffff), 'out-of-range');
  refused(sampleEpoch(), (b) => writeU32(b, 20, 0x20_0000), 'out-of-range');
  const boolean = sampleAssertion({ object: { type: 'boolean', value: true } });
  refused(boolean, (b) => void (b[32] = 2), 'out-of-range');
});

test('non-zero reserved and padding bytes are refused', () => {
  for (let i = 9; i < 16; i++) {
    refused(sampleAssertion(), (b) => void (b[i] = 1), 'nonzero-padding');
  }
  refused(sampleAssertion(), (b) => void (b[32] = 1), 'nonzero-padding');
  const boolean = sampleAssertion({ object: { type: 'boolean', value: true } });
  refused(boolean, (b) => void (b[39] = 1), 'nonzero-padding');
  refused(sampleAssertion(), (b) => void (b[regionStart(b, SUBJECT) + 10] = 1), 'nonzero-padding');
  const afterPredicate = (b: Uint8Array): void => void (b[regionStart(b, PREDICATE) + 4] = 0x20);
  refused(sampleAssertion(), afterPredicate, 'nonzero-padding');
  const padded = sampleAssertion({ vector: new Float32Array([1]) });
  refused(padded, (b) => void (b[b.length - 1] = 1), 'nonzero-padding');
  refused(sampleEpoch(), (b) => void (b[12] = 1), 'nonzero-padding');
});

test('unknown codes and contradictory epoch fields are refused', () => {
  refused(sampleAssertion(), (b) => void (b[8] = 4), 'unknown-code');
  refused(sampleEpoch(), (b) => void (b[8] = 4), 'unknown-code');
  refused(sampleEpoch(), (b) => void (b[8] = 1), 'field-mismatch');
  const superseding = sampleEpoch({ supersedes: filled(1), kind: 'refines' });
  refused(superseding, (b) => void (b[8] = 0), 'field-mismatch');
  // Switching a text object to a number object leaves a text region the number may not have.
  refused(sampleAssertion(), (b) => void (b[8] = 1), 'bad-length');
});

test('bytes over RECORD_ENCODED_MAX_BYTES are refused before anything else is read', () => {
  const huge = new Uint8Array(RECORD_ENCODED_MAX_BYTES + 8);
  assertFormatError(() => decodeRecord(huge), 'too-large');
});

test('views read every field as the full decode does, in place', () => {
  const assertion = sampleAssertion({
    parentHash: filled(1),
    visualHash: filled(2, 8),
    epoch: filled(3),
    vector: new Float32Array([1.5, -2]),
    signatures: [fakeSignature(9), fakeSignature(4)],
  });
  const bytes = encodeRecord(assertion);
  const view = viewRecord(bytes);
  assert.ok(view instanceof AssertionView);
  assert.equal(view.subject, assertion.subject);
  assert.equal(Buffer.from(view.subjectUtf8).toString(), assertion.subject);
  assert.equal(Buffer.from(view.predicateUtf8).toString(), assertion.predicate);
  assert.equal(view.subjectUtf8.buffer, bytes.buffer, 'the subject is read in place');
  assert.equal(view.objectType, 'text');
  assert.deepStrictEqual(view.object, assertion.object);
  assert.equal(view.confidence, assertion.confidence);
  assert.equal(view.timestamp, assertion.timestamp);
  assert.equal(hex(view.parentHash ?? new Uint8Array()), hex(filled(1)));
  assert.equal(view.sourceHash === undefined, false);
  assert.equal(hex(view.visualHash ?? new Uint8Array()), hex(filled(2, 8)));
  assert.deepStrictEqual(view.vector, assertion.vector);
  assert.equal(view.signatureCount, 2);
  assert.equal(hex(view.signatureAt(0).agentId), hex(filled(4)));
  assert.equal(hex(view.hash), hex(contentAddress(assertion)));
  assert.equal(hex(view.unsignedBytes), hex(encodeRecord({ ...assertion, signatures: [] })));
  assert.deepStrictEqual(view.toRecord(), decodeRecord(bytes));
  const minimal = new AssertionView(encodeRecord(sampleAssertion()));
  assert.equal(minimal.parentHash, undefined);
  assert.equal(minimal.vector, undefined);
  assert.deepStrictEqual(minimal.signatures, []);
});

test('vote and epoch views read every field, and their hashes are content addresses', () => {
  const vote = sampleVote({ signature: filled(5, 64) });
  const voteView = viewRecord(encodeRecord(vote));
  assert.ok(voteView instanceof VoteView);
  assert.equal(hex(voteView.assertionHash), hex(vote.assertionHash));
  assert.equal(hex(voteView.agentId), hex(vote.agentId));
  assert.equal(voteView.weight, vote.weight);
  assert.equal(voteView.timestamp, vote.timestamp);
  assert.equal(hex(voteView.signature ?? new Uint8Array()), hex(filled(5, 64)));
  assert.equal(hex(voteView.hash), hex(contentAddress(vote)));
  assert.equal(voteView.unsignedBytes.length, 88);
  const epoch = sampleEpoch({ supersedes: filled(6), kind: 'retracts' });
  const epochView = viewRecord(encodeRecord(epoch));
  assert.ok(epochView instanceof EpochView);
  assert.equal(epochView.name, epoch.name);
  assert.equal(epochView.kind, 'retracts');
  assert.equal(hex(epochView.supersedes ?? new Uint8Array()), hex(filled(6)));
  assert.equal(epochView.description, epoch.description);
  assert.equal(epochView.timestamp, epoch.timestamp);
  assert.equal(hex(epochView.hash), hex(contentAddress(epoch)));
});

test('a full decode owns its bytes: changing the input afterwards changes nothing', () => {
  const bytes = copyOf(encodeRecord(sampleAssertion({ signatures: [fakeSignature(1)] })));
  const decoded = decodeRecord(bytes) as Assertion;
  const before = hex(encodeRecord(decoded));
  bytes.fill(0);
  assert.equal(hex(encodeRecord(decoded)), before);
  assert.equal(regionLength(encodeRecord(decoded), SUBJECT), 10);
});

test('records in unaligned memory read the same as aligned ones, and are as strict', () => {
  const record = sampleAssertion({
    object: { type: 'number', value: -12.5 },
    vector: new Float32Array([1.5, -2, 3e-39]),
    signatures: [fakeSignature(8)],
  });
  const bytes = encodeRecord(record);
  for (const shift of [1, 2, 3, 5]) {
    const memory = new Uint8Array(bytes.length + shift);
    memory.set(bytes, shift);
    const unaligned = memory.subarray(shift);
    assert.deepStrictEqual(decodeRecord(unaligned), record);
    writeFloat32(unaligned, regionStart(unaligned, VECTOR) + 4, -0);
    assertFormatError(() => decodeRecord(unaligned), 'negative-zero');
  }
});
