// Proves every record type and object variant round-trips through the canonical encoding, with
// optional fields present and absent, and that the encoder refuses invalid typed values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blake3 } from '../checksum/index.js';
import {
  RECORD_ENCODED_MAX_BYTES,
  SIGNATURES_MAX_COUNT,
  SUBJECT_MAX_BYTES,
  VECTOR_MAX_DIMENSIONS,
} from '../limits.js';
import { contentAddress, encodeRecord, encodeRecordWithHash } from './encode-record.js';
import type { Assertion, StemeRecord } from './record-types.js';
import {
  assertCode,
  assertInvalidArgument,
  fakeSignature,
  filled,
  hex,
  sampleAssertion,
  sampleEpoch,
  sampleVote,
} from './test-support/record-fixtures.js';
import { decodeRecord } from './view-record.js';

function roundTrip(record: StemeRecord): Uint8Array {
  const bytes = encodeRecord(record);
  assert.deepStrictEqual(decodeRecord(bytes), record);
  assert.equal(bytes.length % 8, 0, 'every record is a multiple of 8 bytes');
  return bytes;
}

test('each object variant of an assertion round-trips', () => {
  const objects: Assertion['object'][] = [
    { type: 'text', value: 'Douglas Adams' },
    { type: 'text', value: '' },
    { type: 'text', value: 'NUL \0 is allowed in text, and so is ünïcödé 🐳' },
    { type: 'text', value: '\ufeffa leading byte-order mark is data' },
    { type: 'number', value: 42 },
    { type: 'number', value: -1.5e-300 },
    { type: 'number', value: Number.MAX_VALUE },
    { type: 'number', value: 5e-324 },
    { type: 'boolean', value: true },
    { type: 'boolean', value: false },
    { type: 'reference', value: 'entity:Q5' },
  ];
  for (const object of objects) roundTrip(sampleAssertion({ object }));
});

test('every optional assertion field round-trips both present and absent', () => {
  const minimal: Assertion = {
    type: 'assertion',
    subject: 's',
    predicate: 'p',
    object: { type: 'boolean', value: true },
    confidence: 1,
    timestamp: 0,
    signatures: [],
  };
  const full: Assertion = {
    ...minimal,
    parentHash: filled(1),
    sourceHash: filled(2),
    visualHash: filled(3, 8),
    epoch: filled(4),
    vector: new Float32Array([0.5, -2, 3.25, 1e-40]),
    signatures: [fakeSignature(5)],
  };
  const minimalBytes = roundTrip(minimal);
  roundTrip(full);
  for (const field of ['parentHash', 'sourceHash', 'visualHash', 'epoch', 'vector'] as const) {
    const { [field]: _removed, ...without } = full;
    roundTrip(without as Assertion);
    roundTrip({ ...minimal, [field]: full[field] });
  }
  assert.equal(minimalBytes.length, 120, 'head 104 + padded subject 8 + padded predicate 8');
});

test('an assertion with 50 signatures round-trips with its signatures in agent-id order', () => {
  const signatures = Array.from({ length: 50 }, (_, i) => fakeSignature(i * 5 + 1, 1000 + i));
  const bytes = roundTrip(sampleAssertion({ signatures }));
  const shuffled = [...signatures].reverse();
  assert.equal(hex(encodeRecord(sampleAssertion({ signatures: shuffled }))), hex(bytes));
});

test('votes round-trip signed and unsigned, and epochs with and without supersession', () => {
  roundTrip(sampleVote());
  roundTrip(sampleVote({ signature: filled(9, 64), weight: 1 }));
  roundTrip(sampleVote({ weight: -1 }));
  roundTrip(sampleEpoch());
  roundTrip(sampleEpoch({ description: '' }));
  for (const kind of ['replaces', 'refines', 'retracts'] as const) {
    roundTrip(sampleEpoch({ supersedes: filled(7), kind }));
  }
});

test('the largest timestamps and longest identifiers round-trip', () => {
  roundTrip(sampleAssertion({ timestamp: Number.MAX_SAFE_INTEGER }));
  roundTrip(sampleAssertion({ subject: 'é'.repeat(SUBJECT_MAX_BYTES / 2) }));
  roundTrip(sampleAssertion({ vector: new Float32Array(VECTOR_MAX_DIMENSIONS).fill(0.25) }));
});

test('-0 is stored as +0, so it decodes as +0', () => {
  const bytes = encodeRecord(
    sampleAssertion({
      object: { type: 'number', value: -0 },
      confidence: -0,
      vector: new Float32Array([-0]),
    }),
  );
  const decoded = decodeRecord(bytes) as Assertion;
  assert.ok(Object.is(decoded.confidence, 0));
  assert.ok(Object.is(decoded.object.value, 0));
  assert.ok(Object.is(decoded.vector?.[0], 0));
  assert.equal(hex(encodeRecord(decoded)), hex(bytes));
});

test('the content address is BLAKE3 of the encoding without signatures', () => {
  const unsigned = sampleAssertion();
  const signed = sampleAssertion({ signatures: [fakeSignature(1), fakeSignature(2)] });
  const address = hex(blake3(encodeRecord(unsigned)));
  assert.equal(hex(contentAddress(unsigned)), address);
  assert.equal(hex(contentAddress(signed)), address);
  const { bytes, hash } = encodeRecordWithHash(signed);
  assert.equal(hex(bytes), hex(encodeRecord(signed)));
  assert.equal(hex(hash), address);
  assert.equal(hex(bytes.subarray(0, encodeRecord(unsigned).length)), hex(encodeRecord(unsigned)));
});

test("a vote's content address leaves out its signature; an epoch's covers all of it", () => {
  const unsigned = sampleVote();
  const signed = sampleVote({ signature: filled(3, 64) });
  assert.equal(hex(contentAddress(signed)), hex(blake3(encodeRecord(unsigned))));
  assert.equal(hex(encodeRecordWithHash(signed).hash), hex(contentAddress(unsigned)));
  const epoch = sampleEpoch();
  assert.equal(hex(contentAddress(epoch)), hex(blake3(encodeRecord(epoch))));
});

test('encoded records are plain Uint8Arrays, distinct and not aliasing one another', () => {
  const first = encodeRecord(sampleAssertion());
  const second = encodeRecord(sampleAssertion());
  assert.equal(Object.getPrototypeOf(first), Uint8Array.prototype);
  assert.equal(first.byteOffset % 8, 0);
  first.fill(0xee);
  assert.equal(hex(second), hex(encodeRecord(sampleAssertion())));
});

test('the encoder refuses invalid typed values, naming the field', () => {
  const base = sampleAssertion();
  const cases: [Partial<Assertion> | Record<string, unknown>, string][] = [
    [{ subject: '' }, 'subject'],
    [{ subject: 'a\0b' }, 'subject'],
    [{ subject: 'x'.repeat(SUBJECT_MAX_BYTES + 1) }, 'subject'],
    [{ subject: '\ud800' }, 'subject'],
    [{ predicate: 7 }, 'predicate'],
    [{ object: { type: 'number', value: Number.NaN } }, 'object.value'],
    [{ object: { type: 'number', value: Infinity } }, 'object.value'],
    [{ object: { type: 'boolean', value: 1 } }, 'object.value'],
    [{ object: { type: 'reference', value: '' } }, 'object.value'],
    [{ object: { type: 'date', value: 1 } }, 'object.type'],
    [{ object: { type: 'text', value: 'lone \udc00' } }, 'object.value'],
    [{ confidence: 1.01 }, 'confidence'],
    [{ confidence: Number.NaN }, 'confidence'],
    [{ timestamp: -1 }, 'timestamp'],
    [{ timestamp: 1.5 }, 'timestamp'],
    [{ timestamp: 2 ** 53 }, 'timestamp'],
    [{ sourceHash: filled(1, 31) }, 'sourceHash'],
    [{ visualHash: filled(1, 32) }, 'visualHash'],
    [{ vector: new Float32Array(0) }, 'vector'],
    [{ vector: new Float32Array([1, Number.NaN]) }, 'vector[1]'],
    [{ vector: [1, 2] }, 'vector'],
    [{ signatures: [fakeSignature(1), fakeSignature(1)] }, 'signatures[1].agentId'],
    [
      { signatures: [{ ...fakeSignature(1), signature: filled(1, 63) }] },
      'signatures[0].signature',
    ],
  ];
  for (const [override, field] of cases) {
    assertInvalidArgument(() => encodeRecord({ ...base, ...override } as Assertion), field);
  }
  assertInvalidArgument(() => encodeRecord(sampleVote({ weight: 1.5 })), 'weight');
  assertInvalidArgument(() => encodeRecord(sampleVote({ agentId: filled(1, 33) })), 'agentId');
  assertInvalidArgument(() => encodeRecord(sampleEpoch({ kind: 'refines' })), 'kind');
  assertInvalidArgument(() => encodeRecord(sampleEpoch({ name: '' })), 'name');
  assertInvalidArgument(() => encodeRecord({ type: 'other' } as unknown as StemeRecord), 'type');
});

test('a record over RECORD_ENCODED_MAX_BYTES is refused with TOO_LARGE', () => {
  const text = (value: string): Assertion['object'] => ({ type: 'text', value });
  const huge = sampleAssertion({ object: text('x'.repeat(RECORD_ENCODED_MAX_BYTES)) });
  assertCode(() => encodeRecord(huge), 'TOO_LARGE');
  const nearly = 'x'.repeat(RECORD_ENCODED_MAX_BYTES - 400);
  const signatures = Array.from({ length: 10 }, (_, i) => fakeSignature(i + 1));
  encodeRecord(sampleAssertion({ object: text(nearly) }));
  const signed = sampleAssertion({ object: text(nearly), signatures });
  assertCode(() => encodeRecord(signed), 'TOO_LARGE');
  const tooMany = Array.from({ length: SIGNATURES_MAX_COUNT + 1 }, () => fakeSignature(1));
  assertInvalidArgument(() => encodeRecord(sampleAssertion({ signatures: tooMany })), 'signatures');
});
