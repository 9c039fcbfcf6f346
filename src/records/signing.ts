/**
 * Ed25519 signing and verification through `node:crypto` (OpenSSL). A signature signs the record's
 * 32-byte content address and nothing else: for an assertion, the address without signatures; for
 * a vote, the address without its own signature. A signature's timestamp is not signed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { InvalidArgumentError, InvalidSignatureError } from '../errors.js';
import { AGENT_KEY_CACHE_MAX_ENTRIES } from '../limits.js';
import { AssertionView } from './assertion-view.js';
import { bytesEqual, copyBytes, toHex } from './bytes.js';
import { contentAddress } from './encode-record.js';
import type { EpochView } from './epoch-view.js';
import { sortSignatures } from './merge-signatures.js';
import { AGENT_ID_BYTES } from './record-types.js';
import type { Assertion, Signature, StemeRecord, Vote } from './record-types.js';
import { validateRecord } from './validate-record.js';
import { VoteView } from './vote-view.js';

/** DER prefixes that wrap a raw 32-byte Ed25519 key as PKCS#8 (private) or SPKI (public). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SEED_BYTES = 32;

/**
 * An agent's signing key, as plain bytes so it can be stored and sent: `agentId` is the raw 32-byte
 * Ed25519 public key (the agent's identity in records) and `seed` the 32-byte private key of
 * RFC 8032 §5.1.5, which is secret. `signingKeyFromSeed(seed)` restores a key.
 */
export interface SigningKey {
  readonly agentId: Uint8Array;
  readonly seed: Uint8Array;
}

/** Why verification refused a record: a signature that does not verify, or none where required. */
export const SIGNATURE_FAILURES = ['invalid', 'missing'] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

/** A record's signature did not verify, or a required signature is missing. */
export class RecordSignatureError extends InvalidSignatureError {
  readonly failure: SignatureFailure;
  /** Lower-case hex of the agent whose signature failed; undefined when none was there. */
  readonly agentId: string | undefined;

  constructor(failure: SignatureFailure, agentId: Uint8Array | undefined, what: string) {
    const agent = agentId === undefined ? undefined : toHex(agentId);
    super(
      failure === 'missing'
        ? `${what} is unsigned, and signatures are required`
        : `the signature of agent ${agent ?? '?'} on ${what} does not verify`,
    );
    this.failure = failure;
    this.agentId = agent;
  }
}

export interface VerifyOptions {
  /** Refuse assertions without signatures and votes without a signature. Epochs carry none. */
  readonly requireSignatures?: boolean;
  /**
   * The record's content address when the caller has it already (the write path computed it
   * while encoding); otherwise it is computed, and only if there is a signature to check.
   */
  readonly address?: Uint8Array;
}

/** A record or a view of one: verification uses a view's cached hash instead of re-encoding. */
export type VerifiableRecord = StemeRecord | AssertionView | VoteView | EpochView;

const privateKeys = new WeakMap<SigningKey, KeyObject>();
const publicKeys = new Map<string, KeyObject | null>();

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return signingKeyFromSeed(copyBytes(der, PKCS8_PREFIX.length, PKCS8_PREFIX.length + SEED_BYTES));
}

/** The signing key whose private seed is `seed`; throws `InvalidArgumentError` unless 32 bytes. */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new InvalidArgumentError(`must be ${SEED_BYTES} bytes`, 'seed');
  }
  const privateKey = privateKeyOf(seed);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const key: SigningKey = Object.freeze({
    agentId: copyBytes(spki, SPKI_PREFIX.length, SPKI_PREFIX.length + AGENT_ID_BYTES),
    seed: copyBytes(seed, 0, SEED_BYTES),
  });
  privateKeys.set(key, privateKey);
  return key;
}

/**
 * `record` with `key`'s signature added (an earlier signature by the same agent is replaced).
 * An assertion's signature carries `timestamp` (default now); a vote must name `key`'s agent as its
 * `agentId`. Epochs are not signed. Throws `InvalidArgumentError` for an invalid record or key.
 */
export function signRecord(record: Assertion, key: SigningKey, timestamp?: number): Assertion;
export function signRecord(record: Vote, key: SigningKey): Vote;
export function signRecord(
  record: Assertion | Vote,
  key: SigningKey,
  timestamp: number = Date.now(),
): Assertion | Vote {
  const privateKey = checkedPrivateKey(key);
  if (record.type === 'vote') {
    if (!bytesEqual(record.agentId, key.agentId)) {
      throw new InvalidArgumentError("is not the signing key's agent", 'agentId');
    }
    const signature = new Uint8Array(sign(null, contentAddress(record), privateKey));
    return { ...record, signature };
  }
  if (record.type !== 'assertion') {
    throw new InvalidArgumentError('only assertions and votes are signed', 'type');
  }
  const address = contentAddress(record);
  const entry: Signature = {
    agentId: copyBytes(key.agentId, 0, AGENT_ID_BYTES),
    signature: new Uint8Array(sign(null, address, privateKey)),
    timestamp,
  };
  const others = record.signatures.filter((other) => !bytesEqual(other.agentId, key.agentId));
  const signed: Assertion = { ...record, signatures: sortSignatures([...others, entry]) };
  validateRecord(signed);
  return signed;
}

/**
 * Throws `RecordSignatureError` (code `INVALID_SIGNATURE`) naming the first agent whose signature
 * does not verify, or, with `requireSignatures`, when an assertion or vote carries none.
 */
export function verifySignatures(record: VerifiableRecord, options: VerifyOptions = {}): void {
  const failure = findSignatureFailure(record, options);
  if (failure !== undefined) throw failure;
}

/** `verifySignatures` as a boolean: true when it would not throw. */
export function hasValidSignatures(record: VerifiableRecord, options: VerifyOptions = {}): boolean {
  return findSignatureFailure(record, options) === undefined;
}

/** True if `signature` is `agentId`'s Ed25519 signature over `address`. Never throws for bytes. */
export function verifySignature(
  address: Uint8Array,
  agentId: Uint8Array,
  signature: Uint8Array,
): boolean {
  const publicKey = publicKeyOf(agentId);
  if (publicKey === null) return false;
  try {
    return verify(null, address, publicKey, signature);
  } catch {
    return false;
  }
}

function findSignatureFailure(
  record: VerifiableRecord,
  options: VerifyOptions,
): RecordSignatureError | undefined {
  if (record.type === 'epoch') return undefined;
  if (record.type === 'vote') {
    const signature = record.signature;
    if (signature === undefined) {
      return options.requireSignatures === true
        ? new RecordSignatureError('missing', undefined, 'the vote')
        : undefined;
    }
    if (verifySignature(addressOf(record, options), record.agentId, signature)) return undefined;
    return new RecordSignatureError('invalid', record.agentId, 'the vote');
  }
  const signatures = record.signatures;
  if (signatures.length === 0) {
    return options.requireSignatures === true
      ? new RecordSignatureError('missing', undefined, 'the assertion')
      : undefined;
  }
  const address = addressOf(record, options);
  for (const entry of signatures) {
    if (!verifySignature(address, entry.agentId, entry.signature)) {
      return new RecordSignatureError('invalid', entry.agentId, 'the assertion');
    }
  }
  return undefined;
}

/**
 * The address signatures are checked against: the caller's, else a view's cached hash, else an
 * encoding and a hash. Called once per record, and only when there is a signature to check.
 */
function addressOf(
  record: StemeRecord | AssertionView | VoteView,
  options: VerifyOptions,
): Uint8Array {
  if (options.address !== undefined) return options.address;
  return record instanceof AssertionView || record instanceof VoteView
    ? record.hash
    : contentAddress(record);
}

/** The cached private key of `key`, checking that its seed yields its agent id. */
function checkedPrivateKey(key: SigningKey): KeyObject {
  const cached = privateKeys.get(key);
  if (cached !== undefined) return cached;
  const derived = signingKeyFromSeed(key.seed);
  if (!(key.agentId instanceof Uint8Array) || !bytesEqual(derived.agentId, key.agentId)) {
    throw new InvalidArgumentError('is not the public key of this seed', 'key.agentId');
  }
  const privateKey = privateKeys.get(derived) ?? privateKeyOf(key.seed);
  privateKeys.set(key, privateKey);
  return privateKey;
}

function privateKeyOf(seed: Uint8Array): KeyObject {
  const der = Buffer.concat([PKCS8_PREFIX, seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/**
 * The parsed public key of `agentId`, or null if OpenSSL refuses it as a key. Parsed keys are
 * cached (at most `AGENT_KEY_CACHE_MAX_ENTRIES`, oldest dropped first) because parsing costs about
 * as much as verifying, and a store sees the same agents again and again.
 */
function publicKeyOf(agentId: Uint8Array): KeyObject | null {
  if (!(agentId instanceof Uint8Array) || agentId.length !== AGENT_ID_BYTES) return null;
  const cacheKey = toHex(agentId);
  const cached = publicKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  let publicKey: KeyObject | null;
  try {
    const der = Buffer.concat([SPKI_PREFIX, agentId]);
    publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    publicKey = null;
  }
  if (publicKeys.size >= AGENT_KEY_CACHE_MAX_ENTRIES) {
    const oldest = publicKeys.keys().next();
    if (oldest.done !== true) publicKeys.delete(oldest.value);
  }
  publicKeys.set(cacheKey, publicKey);
  return publicKey;
}
