// Proves the JSON input layer turns valid input into typed records with its defaults, refuses each
// kind of bad input with a typed error naming the field, and reads its own output back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECORD_ENCODED_MAX_BYTES, SUBJECT_MAX_BYTES, VECTOR_MAX_DIMENSIONS } from '../limits.js';
import { TooLargeError } from '../errors.js';
import { contentAddress } from './encode-record.js';
import {
  parseAssertionInput,
  parseEpochInput,
  parseRecordInput,
  parseVoteInput,
  toOutput,
} from './input.js';
import type { Assertion, Epoch, Vote } from './record-types.js';
import { signRecord, signingKeyFromSeed, verifySignatures } from './signing.js';
import {
  assertCode,
  assertInvalidArgument,
  filled,
  hex,
} from './test-support/record-fixtures.js';

const HASH = 'ab'.repeat(32);
const SIGNATURE = 'ef'.repeat(64);
const now = (): number => 1_234;
const base = {
  subject: 'entity:Q42',
  predicate: 'name',
  object: { type: 'text', value: 'Douglas Adams' },
  sourceHash: HASH,
};
const parse = (input: unknown): unknown => parseRecordInput(input, { now });
const refusedAt = (field: string | undefined, input: unknown): void =>
  assertInvalidArgument(() => parse(input), field);

test('a minimal assertion gets confidence 1, the current time and no signatures', () => {
  const assertion = parse(base) as Assertion;
  assert.equal(assertion.type, 'assertion');
  assert.equal(assertion.confidence, 1);
  assert.equal(assertion.timestamp, 1_234);
  assert.deepStrictEqual(assertion.signatures, []);
  assert.equal(hex(assertion.sourceHash ?? new Uint8Array()), HASH);
  assert.ok(parseRecordInput(base).timestamp >= Date.now() - 60_000);
});

test('hashes are read in either case and written back in lower case', () => {
  const upper = parse({ ...base, sourceHash: HASH.toUpperCase(), visualHash: 'ABCDEF0123456789' });
  const output = toOutput(upper as Assertion);
  assert.equal(output.type === 'assertion' && output.sourceHash, HASH);
  assert.equal(output.type === 'assertion' && output.visualHash, 'abcdef0123456789');
});

test('missing, unknown and null fields are refused, naming the field', () => {
  refusedAt('subject', { predicate: 'p', object: { type: 'boolean', value: true } });
  refusedAt('object', { subject: 's', predicate: 'p' });
  refusedAt('subjct', { ...base, subjct: 'typo' });
  refusedAt('parentHash', { ...base, parentHash: null });
  refusedAt('object.extra', { ...base, object: { type: 'text', value: 'x', extra: 1 } });
  refusedAt('object.value', { ...base, object: { type: 'text' } });
  refusedAt(undefined, 'not an object');
  refusedAt(undefined, [base]);
  refusedAt('object', { ...base, object: 'text' });
});

test('fields of the wrong type are refused, naming the field', () => {
  refusedAt('subject', { ...base, subject: 42 });
  refusedAt('predicate', { ...base, predicate: ['name'] });
  refusedAt('confidence', { ...base, confidence: '0.5' });
  refusedAt('timestamp', { ...base, timestamp: '2024-01-01' });
  refusedAt('object.type', { ...base, object: { type: 'date', value: '2024' } });
  refusedAt('object.value', { ...base, object: { type: 'text', value: 5 } });
  refusedAt('object.value', { ...base, object: { type: 'number', value: '5' } });
  refusedAt('object.value', { ...base, object: { type: 'boolean', value: 'true' } });
  refusedAt('object.value', { ...base, object: { type: 'reference', value: 7 } });
  refusedAt('signatures', { ...base, signatures: {} });
  refusedAt('vector', { ...base, vector: 'dense' });
  refusedAt('type', { ...base, type: 'claim' });
});

test('values out of range are refused, naming the field', () => {
  refusedAt('confidence', { ...base, confidence: Number.NaN });
  refusedAt('confidence', { ...base, confidence: 1.5 });
  refusedAt('confidence', { ...base, confidence: -0.1 });
  refusedAt('object.value', { ...base, object: { type: 'number', value: Infinity } });
  refusedAt('timestamp', { ...base, timestamp: -1 });
  refusedAt('timestamp', { ...base, timestamp: 1.5 });
  refusedAt('timestamp', { ...base, timestamp: 2 ** 53 });
});

test('empty identifiers, NUL, lone surrogates and over-long subjects are refused', () => {
  refusedAt('subject', { ...base, subject: '' });
  refusedAt('subject', { ...base, subject: 'a\u0000b' });
  refusedAt('subject', { ...base, subject: 'half \ud83d' });
  refusedAt('subject', { ...base, subject: 'x'.repeat(SUBJECT_MAX_BYTES + 1) });
  refusedAt('subject', { ...base, subject: 'é'.repeat(SUBJECT_MAX_BYTES / 2 + 1) });
  refusedAt('predicate', { ...base, predicate: '' });
  refusedAt('object.value', { ...base, object: { type: 'reference', value: '' } });
  refusedAt('object.value', { ...base, object: { type: 'reference', value: 'a\0' } });
  const empty = parse({ ...base, object: { type: 'text', value: '' } }) as Assertion;
  assert.equal(empty.object.value, '');
});

test('malformed hashes are refused, naming the field', () => {
  refusedAt('sourceHash', { ...base, sourceHash: HASH.slice(1) });
  refusedAt('sourceHash', { ...base, sourceHash: `${HASH}0` });
  refusedAt('sourceHash', { ...base, sourceHash: `zz${HASH.slice(2)}` });
  refusedAt('sourceHash', { ...base, sourceHash: ` ${HASH.slice(1)}` });
  refusedAt('sourceHash', { ...base, sourceHash: 12 });
  refusedAt('parentHash', { ...base, parentHash: 'abc' });
  refusedAt('epoch', { ...base, epoch: HASH.slice(0, 62) });
  refusedAt('visualHash', { ...base, visualHash: HASH });
  refusedAt('visualHash', { ...base, visualHash: '0123456789abcdeg' });
});

test('vectors must be 1 to VECTOR_MAX_DIMENSIONS finite float32 numbers', () => {
  const assertion = parse({ ...base, vector: [0.1, -2, 3e38] }) as Assertion;
  const expected = [Math.fround(0.1), -2, Math.fround(3e38)];
  assert.deepStrictEqual(Array.from(assertion.vector ?? []), expected);
  refusedAt('vector', { ...base, vector: [] });
  refusedAt('vector', { ...base, vector: new Array(VECTOR_MAX_DIMENSIONS + 1).fill(0) });
  refusedAt('vector[1]', { ...base, vector: [1, Number.NaN] });
  refusedAt('vector[0]', { ...base, vector: [1e39] });
  refusedAt('vector[2]', { ...base, vector: [1, 2, '3'] });
});

test('malformed signatures are refused, naming the entry and its field', () => {
  const good = { agentId: 'aa'.repeat(32), signature: 'bb'.repeat(64), timestamp: 5 };
  const other = { ...good, agentId: 'cc'.repeat(32) };
  refusedAt('signatures[2].signature', {
    ...base,
    signatures: [good, other, { ...good, agentId: 'dd'.repeat(32), signature: 'bb'.repeat(63) }],
  });
  refusedAt('signatures[1].agentId', { ...base, signatures: [good, { ...good, agentId: 'x' }] });
  const { timestamp: _omitted, ...untimed } = good;
  refusedAt('signatures[0].timestamp', { ...base, signatures: [untimed] });
  refusedAt('signatures[0].timestamp', { ...base, signatures: [{ ...good, timestamp: -5 }] });
  refusedAt('signatures[0].note', { ...base, signatures: [{ ...good, note: 'x' }] });
  refusedAt('signatures[0]', { ...base, signatures: ['signed'] });
  refusedAt('signatures[1].agentId', { ...base, signatures: [good, { ...good, timestamp: 9 }] });
  const parsed = parse({ ...base, signatures: [other, good] }) as Assertion;
  const agents = parsed.signatures.map((entry) => hex(entry.agentId));
  assert.deepStrictEqual(agents, [good.agentId, other.agentId]);
});

test('a forged signature in the input is caught by verifySignatures, naming the agent', () => {
  const key = signingKeyFromSeed(filled(9));
  const signed = toOutput(signRecord(parse(base) as Assertion, key, 77));
  assert.equal(signed.type, 'assertion');
  const input = JSON.parse(JSON.stringify(signed));
  verifySignatures(parse(input) as Assertion);
  const signature: string = input.signatures[0].signature;
  input.signatures[0].signature = `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`;
  const error = assertCode(() => verifySignatures(parse(input) as Assertion), 'INVALID_SIGNATURE');
  assert.match(error.message, new RegExp(hex(key.agentId)));
});

test('an oversize record is refused with TOO_LARGE and the record limit', () => {
  const huge = { ...base, object: { type: 'text', value: 'x'.repeat(RECORD_ENCODED_MAX_BYTES) } };
  const error = assertCode(() => parse(huge), 'TOO_LARGE');
  assert.ok(error instanceof TooLargeError);
  assert.equal(error.limitBytes, RECORD_ENCODED_MAX_BYTES);
  const text = 'é'.repeat(RECORD_ENCODED_MAX_BYTES / 2 - 50);
  assertCode(() => parse({ ...base, object: { type: 'text', value: text } }), 'TOO_LARGE');
});

test('votes parse with their defaults and refuse bad fields', () => {
  const input = { type: 'vote', assertionHash: HASH, agentId: 'cd'.repeat(32), weight: -0 };
  const vote = parse(input) as Vote;
  assert.equal(vote.type, 'vote');
  assert.ok(Object.is(vote.weight, 0));
  assert.equal(vote.timestamp, 1_234);
  assert.equal(vote.signature, undefined);
  refusedAt('weight', { ...input, weight: undefined });
  refusedAt('weight', { ...input, weight: 1.01 });
  refusedAt('agentId', { ...input, agentId: HASH.slice(2) });
  refusedAt('signature', { ...input, signature: HASH });
  refusedAt('subject', { ...input, subject: 's' });
  assertInvalidArgument(() => parseVoteInput({ ...input, type: 'assertion' }), 'type');
});

test('epochs default their kind to replaces when they supersede, and refuse a lone kind', () => {
  const epoch = parse({ type: 'epoch', name: 'v2', supersedes: HASH }) as Epoch;
  assert.equal(epoch.kind, 'replaces');
  assert.equal(epoch.description, '');
  const plain = parseEpochInput({ name: 'v1' }, { now });
  assert.equal(plain.kind, undefined);
  assert.equal(plain.supersedes, undefined);
  refusedAt('kind', { type: 'epoch', name: 'v2', kind: 'refines' });
  refusedAt('kind', { type: 'epoch', name: 'v2', supersedes: HASH, kind: 'forks' });
  refusedAt('name', { type: 'epoch', name: '' });
  refusedAt('description', { type: 'epoch', name: 'v2', description: 3 });
  assertInvalidArgument(() => parseAssertionInput({ ...base, type: 'epoch' }), 'type');
});

test('toOutput gives the input shape with the hash, and parsing it gives the record back', () => {
  const key = signingKeyFromSeed(filled(4));
  const records = [
    signRecord(
      parse({ ...base, vector: [1, 2], visualHash: '00'.repeat(8), epoch: HASH }) as Assertion,
      key,
      3,
    ),
    parse({ type: 'vote', assertionHash: HASH, agentId: HASH, weight: 0.5, signature: SIGNATURE }),
    parse({ type: 'epoch', name: 'v2', supersedes: HASH, kind: 'retracts', description: 'why' }),
  ];
  for (const record of records) {
    const output = JSON.parse(JSON.stringify(toOutput(record as Assertion)));
    assert.equal(output.hash, hex(contentAddress(record as Assertion)));
    assert.deepStrictEqual(parseRecordInput(output), record);
  }
});

test('a given hash must match the content address', () => {
  const output = toOutput(parse(base) as Assertion);
  refusedAt('hash', { ...output, hash: '00'.repeat(32) });
  refusedAt('hash', { ...output, hash: 'not hex' });
});
