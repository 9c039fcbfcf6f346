/**
 * The JSON edge of the records layer, shared by the library, the CLI and the HTTP server: plain
 * JSON-shaped input in, typed records out, and back.
 *
 * Input rules:
 * - A record is a JSON object. `type` ("assertion", "vote" or "epoch") picks its kind; when absent
 *   it is an assertion, so JSON Lines of assertions need no tag and mixed streams tag the others.
 * - Unknown fields are refused, and so is `null` for an optional field (leave the field out).
 * - Hashes, agent ids and signatures are hex, upper or lower case (64, 64 and 128 digits; a visual
 *   hash 16); they become raw bytes.
 * - Defaults: `confidence` 1, `timestamp` now (ms), `signatures` none, `description` "", and an
 *   epoch's `kind` "replaces" when it names `supersedes`.
 * - `hash` may be given (as `toOutput` writes it); it must then equal the content address.
 * - -0 reads as 0; signatures come out in canonical order (ascending agent id).
 *
 * Every refusal is an `InvalidArgumentError` whose `field` is the path of the bad value
 * (`object.value`, `signatures[2].signature`), or a `TooLargeError` for a record over
 * `RECORD_ENCODED_MAX_BYTES`.
 */
import { InvalidArgumentError } from '../errors.js';
import { SIGNATURES_MAX_COUNT, VECTOR_MAX_DIMENSIONS } from '../limits.js';
import { AssertionView } from './assertion-view.js';
import { bytesEqual, fromHex, toHex } from './bytes.js';
import { contentAddress } from './encode-record.js';
import { EpochView } from './epoch-view.js';
import { sortSignatures } from './merge-signatures.js';
import {
  AGENT_ID_BYTES,
  HASH_BYTES,
  SIGNATURE_BYTES,
  VISUAL_HASH_BYTES,
  isObjectType,
  isRecordType,
  isSupersessionKind,
} from './record-types.js';
import type {
  Assertion,
  AssertionObject,
  Epoch,
  ObjectType,
  RecordType,
  Signature,
  StemeRecord,
  SupersessionKind,
  Vote,
} from './record-types.js';
import { validateRecord } from './validate-record.js';
import type { RecordView } from './view-record.js';
import { VoteView } from './vote-view.js';

/** `T` with its properties writable, for building a record before handing it out. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ObjectJson {
  readonly type: ObjectType;
  readonly value: string | number | boolean;
}

export interface SignatureJson {
  readonly agentId: string;
  readonly signature: string;
  readonly timestamp: number;
}

/** An assertion as JSON input. */
export interface AssertionInput {
  readonly type?: 'assertion';
  readonly hash?: string;
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectJson;
  readonly confidence?: number;
  readonly timestamp?: number;
  readonly sourceHash?: string;
  readonly parentHash?: string;
  readonly visualHash?: string;
  readonly epoch?: string;
  readonly vector?: readonly number[];
  readonly signatures?: readonly SignatureJson[];
}

export interface VoteInput {
  readonly type?: 'vote';
  readonly hash?: string;
  readonly assertionHash: string;
  readonly agentId: string;
  readonly weight: number;
  readonly timestamp?: number;
  readonly signature?: string;
}

export interface EpochInput {
  readonly type?: 'epoch';
  readonly hash?: string;
  readonly name: string;
  readonly supersedes?: string;
  readonly kind?: SupersessionKind;
  readonly timestamp?: number;
  readonly description?: string;
}

/** What `toOutput` returns: the input shape with every default filled in, plus the hash. */
export type AssertionOutput = Required<
  Pick<AssertionInput, 'hash' | 'subject' | 'predicate' | 'object' | 'confidence' | 'timestamp'>
> &
  Pick<AssertionInput, 'sourceHash' | 'parentHash' | 'visualHash' | 'epoch' | 'vector'> & {
    readonly type: 'assertion';
    readonly signatures: readonly SignatureJson[];
  };
export type VoteOutput = Required<Omit<VoteInput, 'signature'>> & Pick<VoteInput, 'signature'>;
export type EpochOutput = Required<Omit<EpochInput, 'supersedes' | 'kind'>> &
  Pick<EpochInput, 'supersedes' | 'kind'>;
export type RecordOutput = AssertionOutput | VoteOutput | EpochOutput;

export interface InputOptions {
  /** The clock for default timestamps, in ms. Default `Date.now`. */
  readonly now?: () => number;
}

type Json = Readonly<Record<string, unknown>>;

const ASSERTION_FIELDS = [
  'type', 'hash', 'subject', 'predicate', 'object', 'confidence', 'timestamp', 'sourceHash',
  'parentHash', 'visualHash', 'epoch', 'vector', 'signatures',
] as const;
const VOTE_FIELDS = [
  'type', 'hash', 'assertionHash', 'agentId', 'weight', 'timestamp', 'signature',
] as const;
const EPOCH_FIELDS = [
  'type', 'hash', 'name', 'supersedes', 'kind', 'timestamp', 'description',
] as const;
const OBJECT_FIELDS = ['type', 'value'] as const;
const SIGNATURE_FIELDS = ['agentId', 'signature', 'timestamp'] as const;

/** Any record; `type` picks the kind and defaults to "assertion". */
export function parseRecordInput(input: unknown, options: InputOptions = {}): StemeRecord {
  const json = asObject(input, undefined);
  const type: unknown = json['type'] ?? 'assertion';
  if (!isRecordType(type)) {
    throw new InvalidArgumentError('must be "assertion", "vote" or "epoch"', 'type');
  }
  switch (type) {
    case 'assertion':
      return parseAssertionInput(json, options);
    case 'vote':
      return parseVoteInput(json, options);
    case 'epoch':
      return parseEpochInput(json, options);
  }
}

export function parseAssertionInput(input: unknown, options: InputOptions = {}): Assertion {
  const required = ['subject', 'predicate', 'object'];
  const json = checkFields(input, ASSERTION_FIELDS, required, 'assertion');
  const parentHash = optionalHex(json, 'parentHash', HASH_BYTES);
  const sourceHash = optionalHex(json, 'sourceHash', HASH_BYTES);
  const visualHash = optionalHex(json, 'visualHash', VISUAL_HASH_BYTES);
  const epoch = optionalHex(json, 'epoch', HASH_BYTES);
  const vector = parseVector(json['vector']);
  // Built field by field rather than by spreading: this runs once per claim written.
  const assertion: Mutable<Assertion> = {
    type: 'assertion',
    subject: json['subject'] as string,
    predicate: json['predicate'] as string,
    object: parseObject(json['object']),
    confidence: plainNumber(json['confidence'] ?? 1),
    timestamp: timestampOf(json, options),
    signatures: parseSignatures(json['signatures'] ?? []),
  };
  if (parentHash !== undefined) assertion.parentHash = parentHash;
  if (sourceHash !== undefined) assertion.sourceHash = sourceHash;
  if (visualHash !== undefined) assertion.visualHash = visualHash;
  if (epoch !== undefined) assertion.epoch = epoch;
  if (vector !== undefined) assertion.vector = vector;
  checked(assertion, json);
  // Sorted only now, so that errors above name signatures by their position in the input.
  if (assertion.signatures.length > 1) assertion.signatures = sortSignatures(assertion.signatures);
  return assertion;
}

export function parseVoteInput(input: unknown, options: InputOptions = {}): Vote {
  const json = checkFields(input, VOTE_FIELDS, ['assertionHash', 'agentId', 'weight'], 'vote');
  const signature = optionalHex(json, 'signature', SIGNATURE_BYTES);
  const vote: Vote = {
    type: 'vote',
    assertionHash: requiredHex(json, 'assertionHash', HASH_BYTES),
    agentId: requiredHex(json, 'agentId', AGENT_ID_BYTES),
    weight: plainNumber(json['weight']),
    timestamp: timestampOf(json, options),
    ...(signature === undefined ? {} : { signature }),
  };
  return checked(vote, json);
}

export function parseEpochInput(input: unknown, options: InputOptions = {}): Epoch {
  const json = checkFields(input, EPOCH_FIELDS, ['name'], 'epoch');
  const supersedes = optionalHex(json, 'supersedes', HASH_BYTES);
  const kind = json['kind'] ?? (supersedes === undefined ? undefined : 'replaces');
  if (kind !== undefined && !isSupersessionKind(kind)) {
    throw new InvalidArgumentError('must be "replaces", "refines" or "retracts"', 'kind');
  }
  if (kind !== undefined && supersedes === undefined) {
    throw new InvalidArgumentError('is given without supersedes', 'kind');
  }
  const epoch: Epoch = {
    type: 'epoch',
    name: json['name'] as string,
    ...(supersedes === undefined ? {} : { supersedes }),
    ...(kind === undefined ? {} : { kind }),
    timestamp: timestampOf(json, options),
    description: (json['description'] ?? '') as string,
  };
  return checked(epoch, json);
}

/**
 * The JSON shape of a record (or of a view of one): the input shape with defaults filled in,
 * hashes as lower-case hex, and `hash`, the content address. `parse*Input` accepts it back.
 */
export function toOutput(record: StemeRecord | RecordView): RecordOutput {
  const isView =
    record instanceof AssertionView || record instanceof VoteView || record instanceof EpochView;
  const hash = toHex(isView ? record.hash : contentAddress(record));
  const value = isView ? record.toRecord() : record;
  switch (value.type) {
    case 'assertion':
      return assertionOutput(value, hash);
    case 'vote':
      return {
        type: 'vote',
        hash,
        assertionHash: toHex(value.assertionHash),
        agentId: toHex(value.agentId),
        weight: value.weight,
        timestamp: value.timestamp,
        ...(value.signature === undefined ? {} : { signature: toHex(value.signature) }),
      };
    case 'epoch':
      return {
        type: 'epoch',
        hash,
        name: value.name,
        ...(value.supersedes === undefined ? {} : { supersedes: toHex(value.supersedes) }),
        ...(value.kind === undefined ? {} : { kind: value.kind }),
        timestamp: value.timestamp,
        description: value.description,
      };
  }
}

function assertionOutput(assertion: Assertion, hash: string): AssertionOutput {
  const hex = (bytes: Uint8Array | undefined): string | undefined =>
    bytes === undefined ? undefined : toHex(bytes);
  const [sourceHash, parentHash] = [hex(assertion.sourceHash), hex(assertion.parentHash)];
  const [visualHash, epoch] = [hex(assertion.visualHash), hex(assertion.epoch)];
  const vector = assertion.vector === undefined ? undefined : Array.from(assertion.vector);
  return {
    type: 'assertion',
    hash,
    subject: assertion.subject,
    predicate: assertion.predicate,
    object: { type: assertion.object.type, value: assertion.object.value },
    confidence: assertion.confidence,
    timestamp: assertion.timestamp,
    ...(sourceHash === undefined ? {} : { sourceHash }),
    ...(parentHash === undefined ? {} : { parentHash }),
    ...(visualHash === undefined ? {} : { visualHash }),
    ...(epoch === undefined ? {} : { epoch }),
    ...(vector === undefined ? {} : { vector }),
    signatures: assertion.signatures.map((entry) => ({
      agentId: toHex(entry.agentId),
      signature: toHex(entry.signature),
      timestamp: entry.timestamp,
    })),
  };
}

/** Validates the finished record and checks a given `hash` against its content address. */
function checked<R extends StemeRecord>(record: R, json: Json): R {
  validateRecord(record);
  const hash = optionalHex(json, 'hash', HASH_BYTES);
  if (hash !== undefined) {
    const address = contentAddress(record);
    if (!bytesEqual(hash, address)) {
      const message = `does not match the content address ${toHex(address)}`;
      throw new InvalidArgumentError(message, 'hash');
    }
  }
  return record;
}

function checkFields(
  input: unknown,
  allowed: readonly string[],
  required: readonly string[],
  type: RecordType,
): Json {
  const json = asObject(input, undefined);
  if (json['type'] !== undefined && json['type'] !== type) {
    throw new InvalidArgumentError(`must be "${type}" here`, 'type');
  }
  checkKeys(json, allowed, required, '');
  return json;
}

function checkKeys(
  json: Json,
  allowed: readonly string[],
  required: readonly string[],
  prefix: string,
): void {
  // `for...in` walks the keys without copying them into a new array, as `Object.keys` does.
  for (const key in json) {
    if (!Object.hasOwn(json, key)) continue;
    if (!allowed.includes(key)) throw new InvalidArgumentError('unknown field', `${prefix}${key}`);
    if (json[key] === null) {
      throw new InvalidArgumentError('must not be null (leave it out instead)', `${prefix}${key}`);
    }
  }
  for (const key of required) {
    if (json[key] === undefined) throw new InvalidArgumentError('is required', `${prefix}${key}`);
  }
}

function asObject(value: unknown, field: string | undefined): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('must be a JSON object', field);
  }
  return value as Json;
}

function parseObject(value: unknown): AssertionObject {
  const json = asObject(value, 'object');
  checkKeys(json, OBJECT_FIELDS, OBJECT_FIELDS, 'object.');
  const type = json['type'];
  if (!isObjectType(type)) {
    throw new InvalidArgumentError(
      'must be "text", "number", "boolean" or "reference"',
      'object.type',
    );
  }
  const objectValue = json['value'];
  // The value's type is checked against the object's type by `validateRecord`.
  if (type === 'number') return { type, value: plainNumber(objectValue) };
  return { type, value: objectValue } as AssertionObject;
}

function parseSignatures(value: unknown): Signature[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError('must be an array', 'signatures');
  if (value.length > SIGNATURES_MAX_COUNT) {
    throw new InvalidArgumentError(`more than ${SIGNATURES_MAX_COUNT} signatures`, 'signatures');
  }
  return value.map((entry: unknown, index) => {
    const field = `signatures[${index}]`;
    const json = asObject(entry, field);
    checkKeys(json, SIGNATURE_FIELDS, SIGNATURE_FIELDS, `${field}.`);
    return {
      agentId: requiredHex(json, 'agentId', AGENT_ID_BYTES, `${field}.`),
      signature: requiredHex(json, 'signature', SIGNATURE_BYTES, `${field}.`),
      timestamp: plainNumber(json['timestamp']),
    };
  });
}

/** An array of numbers as float32; each must stay finite once rounded to float32. */
function parseVector(value: unknown): Float32Array | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError('must be an array of numbers', 'vector');
  }
  if (value.length === 0 || value.length > VECTOR_MAX_DIMENSIONS) {
    throw new InvalidArgumentError(`must have 1 to ${VECTOR_MAX_DIMENSIONS} elements`, 'vector');
  }
  const vector = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    if (typeof element !== 'number' || !Number.isFinite(Math.fround(element))) {
      throw new InvalidArgumentError('must be a finite number in float32 range', `vector[${i}]`);
    }
    vector[i] = element;
  }
  return vector;
}

function optionalHex(json: Json, key: string, bytes: number, prefix = ''): Uint8Array | undefined {
  return json[key] === undefined ? undefined : requiredHex(json, key, bytes, prefix);
}

function requiredHex(json: Json, key: string, bytes: number, prefix = ''): Uint8Array {
  const value = json[key];
  const parsed = typeof value === 'string' ? fromHex(value, bytes) : undefined;
  if (parsed === undefined) {
    throw new InvalidArgumentError(`must be ${bytes * 2} hex digits`, `${prefix}${key}`);
  }
  return parsed;
}

function timestampOf(json: Json, options: InputOptions): number {
  const value = json['timestamp'];
  return value === undefined ? (options.now ?? Date.now)() : plainNumber(value);
}

/** Numbers pass through with -0 read as 0; anything else passes unchanged for the validator. */
function plainNumber(value: unknown): number {
  return (value === 0 ? 0 : value) as number;
}
