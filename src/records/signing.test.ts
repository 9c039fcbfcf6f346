// Proves Ed25519 signing and verification of records: keys restore from their seed, signatures
// cover the content address, forgeries and tampering are refused naming the agent, and merging
// signature sets is a commutative, idempotent union.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentAddress, encodeRecord } from './encode-record.js';
import { mergeSignatures } from './merge-signatures.js';
import type { Assertion, Vote } from './record-types.js';
import {
  RecordSignatureError,
  generateSigningKey,
  hasValidSignatures,
  signRecord,
  signingKeyFromSeed,
  verifySignature,
  verifySignatures,
} from './signing.js';
import {
  assertCode,
  assertInvalidArgument,
  filled,
  fromHexString,
  hex,
  sampleAssertion,
  sampleEpoch,
  sampleVote,
} from './test-support/record-fixtures.js';
import { viewRecord } from './view-record.js';

const alice = signingKeyFromSeed(filled(1));
const bob = signingKeyFromSeed(filled(2));
const carol = signingKeyFromSeed(filled(3));

function assertRejected(run: () => unknown, failure: 'invalid' | 'missing', agentId?: Uint8Array) {
  const error = assertCode(run, 'INVALID_SIGNATURE');
  assert.ok(error instanceof RecordSignatureError);
  assert.equal(error.failure, failure);
  assert.equal(error.agentId, agentId === undefined ? undefined : hex(agentId));
}

test('a generated key is 32-byte agent id and seed, and restores from its seed as hex', () => {
  const key = generateSigningKey();
  assert.equal(key.agentId.length, 32);
  assert.equal(key.seed.length, 32);
  const stored = JSON.parse(JSON.stringify({ agentId: hex(key.agentId), seed: hex(key.seed) }));
  const restored = signingKeyFromSeed(fromHexString(stored.seed));
  assert.equal(hex(restored.agentId), stored.agentId);
  const assertion = sampleAssertion();
  assert.deepStrictEqual(signRecord(assertion, key, 5), signRecord(assertion, restored, 5));
  assertInvalidArgument(() => signingKeyFromSeed(filled(1, 31)), 'seed');
  assertInvalidArgument(() => signRecord(assertion, key, -1), 'signatures[0].timestamp');
});

test('a plain object of agent id and seed signs; one whose id does not match is refused', () => {
  const plain = { agentId: Uint8Array.from(alice.agentId), seed: Uint8Array.from(alice.seed) };
  const signed = signRecord(sampleAssertion(), plain, 1);
  verifySignatures(signed);
  const mismatched = { agentId: bob.agentId, seed: alice.seed };
  assertInvalidArgument(() => signRecord(sampleAssertion(), mismatched, 1), 'key.agentId');
});

test('a signature signs the content address, which signing leaves unchanged', () => {
  const assertion = sampleAssertion();
  const signed = signRecord(assertion, alice, 1_700_000_000_123);
  assert.equal(hex(contentAddress(signed)), hex(contentAddress(assertion)));
  const [entry] = signed.signatures;
  assert.ok(entry !== undefined);
  assert.equal(hex(entry.agentId), hex(alice.agentId));
  assert.equal(entry.timestamp, 1_700_000_000_123);
  assert.ok(verifySignature(contentAddress(assertion), alice.agentId, entry.signature));
  verifySignatures(signed);
  assert.equal(hasValidSignatures(signed), true);
});

test('several agents sign one record; re-signing replaces an agent\'s earlier signature', () => {
  let assertion: Assertion = sampleAssertion();
  for (const key of [carol, alice, bob]) assertion = signRecord(assertion, key, 10);
  assertion = signRecord(assertion, alice, 20);
  assert.equal(assertion.signatures.length, 3);
  const ids = assertion.signatures.map((entry) => hex(entry.agentId));
  assert.deepStrictEqual(ids, [...ids].sort());
  verifySignatures(assertion);
  verifySignatures(viewRecord(encodeRecord(assertion)));
});

test('a forged signature is refused, naming the agent', () => {
  const signed = signRecord(signRecord(sampleAssertion(), alice, 1), bob, 1);
  const forged: Assertion = {
    ...signed,
    signatures: signed.signatures.map((entry) =>
      hex(entry.agentId) === hex(bob.agentId)
        ? { ...entry, signature: entry.signature.map((byte, i) => (i === 10 ? byte ^ 1 : byte)) }
        : entry,
    ),
  };
  assertRejected(() => verifySignatures(forged), 'invalid', bob.agentId);
  assert.equal(hasValidSignatures(forged), false);
  const bytes = encodeRecord(forged);
  assertRejected(() => verifySignatures(viewRecord(bytes)), 'invalid', bob.agentId);
});

test("a signature by one key under another agent's id is refused, naming the claimed agent", () => {
  const byAlice = signRecord(sampleAssertion(), alice, 1);
  const [entry] = byAlice.signatures;
  assert.ok(entry !== undefined);
  const impostor: Assertion = { ...byAlice, signatures: [{ ...entry, agentId: carol.agentId }] };
  assertRejected(() => verifySignatures(impostor), 'invalid', carol.agentId);
});

test('changing a signed claim invalidates its signatures', () => {
  const signed = signRecord(sampleAssertion(), alice, 1);
  const tampered: Assertion = { ...signed, confidence: 0.5 };
  assertRejected(() => verifySignatures(tampered), 'invalid', alice.agentId);
});

test('agent ids that are not valid public keys fail verification without throwing', () => {
  assert.equal(verifySignature(filled(0), filled(0xff), filled(1, 64)), false);
  assert.equal(verifySignature(filled(0), filled(1, 31), filled(1, 64)), false);
  assert.equal(verifySignature(filled(0), alice.agentId, filled(1, 12)), false);
});

test('unsigned records pass unless signatures are required', () => {
  verifySignatures(sampleAssertion());
  verifySignatures(sampleVote());
  assertRejected(() => verifySignatures(sampleAssertion(), { requireSignatures: true }), 'missing');
  assertRejected(() => verifySignatures(sampleVote(), { requireSignatures: true }), 'missing');
  verifySignatures(sampleEpoch(), { requireSignatures: true });
});

test("a vote is signed by its own agent over the address without the signature", () => {
  const vote: Vote = sampleVote({ agentId: alice.agentId });
  const signed = signRecord(vote, alice);
  assert.equal(hex(contentAddress(signed)), hex(contentAddress(vote)));
  verifySignatures(signed, { requireSignatures: true });
  verifySignatures(viewRecord(encodeRecord(signed)), { requireSignatures: true });
  assertInvalidArgument(() => signRecord(vote, bob), 'agentId');
  const forged: Vote = { ...signed, weight: 1 };
  assertRejected(() => verifySignatures(forged), 'invalid', alice.agentId);
});

test('epochs are not signed', () => {
  assertInvalidArgument(() => signRecord(sampleEpoch() as unknown as Vote, alice), 'type');
});

test('merging signature sets is a union, commutative and idempotent', () => {
  const claim = sampleAssertion();
  const fromAlice = signRecord(claim, alice, 5);
  const fromBobAndCarol = signRecord(signRecord(claim, bob, 6), carol, 7);
  const merged = mergeSignatures(fromAlice, fromBobAndCarol);
  assert.equal(merged.signatures.length, 3);
  verifySignatures(merged);
  const reversed = mergeSignatures(fromBobAndCarol, fromAlice);
  assert.equal(hex(encodeRecord(merged)), hex(encodeRecord(reversed)));
  assert.equal(hex(encodeRecord(mergeSignatures(merged, merged))), hex(encodeRecord(merged)));
  assert.equal(hex(encodeRecord(mergeSignatures(merged, claim))), hex(encodeRecord(merged)));
});

test("merging keeps an agent's earliest signature", () => {
  const early = signRecord(sampleAssertion(), alice, 100);
  const late = signRecord(sampleAssertion(), alice, 200);
  assert.equal(mergeSignatures(late, early).signatures[0]?.timestamp, 100);
  assert.equal(mergeSignatures(early, late).signatures[0]?.timestamp, 100);
});

test('signatures of different claims cannot be merged', () => {
  const a = signRecord(sampleAssertion(), alice, 1);
  const b = signRecord(sampleAssertion({ subject: 'entity:Q1' }), bob, 1);
  assertInvalidArgument(() => mergeSignatures(a, b), undefined);
});
