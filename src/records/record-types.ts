/**
 * The typed values of the three record types (SPEC §4). These are what the codec encodes and what a
 * full decode returns; `docs/FORMAT.md` ("Record bodies") fixes their bytes.
 *
 * Conventions every value follows:
 * - Hashes, agent ids and signatures are raw bytes (`Uint8Array`), never hex; hex lives at the
 *   edges (`input.ts`). A decoded record owns its byte arrays (copies, not views of the input).
 * - An optional field that is absent is a missing property, never a property set to `undefined`.
 * - Timestamps are milliseconds since the Unix epoch: safe integers ≥ 0.
 * - Floats are finite; the codec stores -0 as +0, so they decode as +0.
 */

/** Bytes of a content address (BLAKE3-256), and so of every hash field and epoch id. */
export const HASH_BYTES = 32;
/** Bytes of an agent id: a raw Ed25519 public key. */
export const AGENT_ID_BYTES = 32;
/** Bytes of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** Bytes of an assertion's visual (perceptual) hash. */
export const VISUAL_HASH_BYTES = 8;

/** Record types; a type's index is its envelope type byte. */
export const RECORD_TYPES = ['assertion', 'vote', 'epoch'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === 'string' && (RECORD_TYPES as readonly string[]).includes(value);
}

/** Kinds of an assertion's object; a kind's index is its code in the body. */
export const OBJECT_TYPES = ['text', 'number', 'boolean', 'reference'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export function isObjectType(value: unknown): value is ObjectType {
  return typeof value === 'string' && (OBJECT_TYPES as readonly string[]).includes(value);
}

/**
 * How an epoch relates to the epoch it supersedes; a kind's index plus one is its code in the body
 * (code 0 means "supersedes nothing").
 * - `replaces`: the new epoch takes the old one's place; readers prefer claims made in the new one.
 * - `refines`: the new epoch corrects or narrows the old one; claims of both stay in force, and
 *   where they disagree the new one wins.
 * - `retracts`: the old epoch is withdrawn; its claims should no longer be relied on.
 * The store records the relation; weighing claims by it is the readers' business.
 */
export const SUPERSESSION_KINDS = ['replaces', 'refines', 'retracts'] as const;
export type SupersessionKind = (typeof SUPERSESSION_KINDS)[number];

export function isSupersessionKind(value: unknown): value is SupersessionKind {
  return typeof value === 'string' && (SUPERSESSION_KINDS as readonly string[]).includes(value);
}

/**
 * An assertion's object. `text` is any well-formed string (it may be empty or hold NUL);
 * `reference` is an entity id under the same rules as a subject; `number` is a finite float64.
 */
export type AssertionObject =
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'reference'; readonly value: string };

/** One agent's signature over a record's content address. `timestamp` is not itself signed. */
export interface Signature {
  readonly agentId: Uint8Array;
  readonly signature: Uint8Array;
  readonly timestamp: number;
}

/**
 * A claim: subject – predicate – object, with its evidence, confidence and time.
 * `subject` and `predicate` are non-empty, hold no NUL and are at most `SUBJECT_MAX_BYTES` and
 * `PREDICATE_MAX_BYTES` UTF-8 bytes. `confidence` is in [0, 1]. `vector` has 1 to
 * `VECTOR_MAX_DIMENSIONS` finite elements. Signatures may be given in any order but each agent at
 * most once; encoding sorts them by agent id, so decoding returns them sorted.
 */
export interface Assertion {
  readonly type: 'assertion';
  readonly subject: string;
  readonly predicate: string;
  readonly object: AssertionObject;
  readonly parentHash?: Uint8Array;
  readonly sourceHash?: Uint8Array;
  readonly visualHash?: Uint8Array;
  readonly confidence: number;
  readonly timestamp: number;
  readonly epoch?: Uint8Array;
  readonly vector?: Float32Array;
  readonly signatures: readonly Signature[];
}

/**
 * An agent's weight for or against an assertion, in [-1, 1]: 1 endorses, -1 disputes, 0 abstains.
 * `signature`, when present, is `agentId`'s signature over the vote's content address.
 */
export interface Vote {
  readonly type: 'vote';
  readonly assertionHash: Uint8Array;
  readonly agentId: Uint8Array;
  readonly weight: number;
  readonly timestamp: number;
  readonly signature?: Uint8Array;
}

/**
 * A named period or context that assertions can point at by its content address (the epoch id).
 * `supersedes` and `kind` are both present or both absent. `name` follows the subject rules.
 */
export interface Epoch {
  readonly type: 'epoch';
  readonly name: string;
  readonly supersedes?: Uint8Array;
  readonly kind?: SupersessionKind;
  readonly timestamp: number;
  readonly description: string;
}

export type StemeRecord = Assertion | Vote | Epoch;
