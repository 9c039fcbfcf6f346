/**
 * The one source of the JSON shapes that cross StemeDB's edges: the HTTP server validates request
 * bodies with these schemas, `@fastify/swagger` turns them into the OpenAPI document, and the CLI
 * checks `put` input with them before anything is written.
 *
 * They check shape only (fields, types, hex lengths, closed sets). The records layer's `parse*`
 * functions still run on every record for the rules a schema cannot state (UTF-8 byte lengths,
 * NUL, the size of the encoded record, a given `hash` against the content address), and they
 * agree with these schemas: a record the schema refuses, `parseRecordInput` refuses too.
 */
import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import {
  HTTP_BATCH_MAX_RECORDS,
  HTTP_QUERY_MAX_LIMIT,
  SIGNATURES_MAX_COUNT,
  VECTOR_MAX_DIMENSIONS,
} from '../limits.js';
import {
  AGENT_ID_BYTES,
  HASH_BYTES,
  OBJECT_TYPES,
  SIGNATURE_BYTES,
  SUPERSESSION_KINDS,
  VISUAL_HASH_BYTES,
} from '../records/index.js';

const closed = { additionalProperties: false } as const;

function hex(bytes: number, description: string): ReturnType<typeof Type.String> {
  return Type.String({ pattern: `^[0-9a-fA-F]{${bytes * 2}}$`, description });
}

const Hash = hex(HASH_BYTES, 'A content address: 64 hex digits (BLAKE3 of the canonical record).');
const AgentId = hex(AGENT_ID_BYTES, "An agent's Ed25519 public key: 64 hex digits.");
const Timestamp = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Milliseconds since the Unix epoch. Default: now.',
});
const Entity = Type.String({ minLength: 1, description: 'Non-empty UTF-8 text without NUL.' });

export const ObjectSchema = Type.Object(
  {
    type: Type.Enum([...OBJECT_TYPES]),
    value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
  },
  { ...closed, description: 'What is claimed: a typed value.' },
);

export const SignatureSchema = Type.Object(
  {
    agentId: AgentId,
    signature: hex(SIGNATURE_BYTES, 'Ed25519 signature over the content address: 128 hex digits.'),
    timestamp: Timestamp,
  },
  closed,
);

export const AssertionSchema = Type.Object(
  {
    type: Type.Optional(Type.Literal('assertion')),
    hash: Type.Optional(Hash),
    subject: Entity,
    predicate: Entity,
    object: ObjectSchema,
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Default 1.' })),
    timestamp: Type.Optional(Timestamp),
    sourceHash: Type.Optional(Hash),
    parentHash: Type.Optional(Hash),
    visualHash: Type.Optional(hex(VISUAL_HASH_BYTES, 'A perceptual hash: 16 hex digits.')),
    epoch: Type.Optional(Hash),
    vector: Type.Optional(
      Type.Array(Type.Number(), { minItems: 1, maxItems: VECTOR_MAX_DIMENSIONS }),
    ),
    signatures: Type.Optional(Type.Array(SignatureSchema, { maxItems: SIGNATURES_MAX_COUNT })),
  },
  { ...closed, title: 'Assertion', description: 'A claim: subject, predicate, object.' },
);

export const VoteSchema = Type.Object(
  {
    type: Type.Optional(Type.Literal('vote')),
    hash: Type.Optional(Hash),
    assertionHash: Hash,
    agentId: AgentId,
    weight: Type.Number({ minimum: -1, maximum: 1 }),
    timestamp: Type.Optional(Timestamp),
    signature: Type.Optional(hex(SIGNATURE_BYTES, 'Ed25519 signature: 128 hex digits.')),
  },
  { ...closed, title: 'Vote', description: "An agent's weighted vote on an assertion." },
);

export const EpochSchema = Type.Object(
  {
    type: Type.Optional(Type.Literal('epoch')),
    hash: Type.Optional(Hash),
    name: Entity,
    supersedes: Type.Optional(Hash),
    kind: Type.Optional(Type.Enum([...SUPERSESSION_KINDS])),
    timestamp: Type.Optional(Timestamp),
    description: Type.Optional(Type.String()),
  },
  { ...closed, title: 'Epoch', description: 'A named era of claims, optionally superseding one.' },
);

export const AssertionBatchSchema = Type.Array(AssertionSchema, {
  minItems: 1,
  maxItems: HTTP_BATCH_MAX_RECORDS,
  description: `1 to ${HTTP_BATCH_MAX_RECORDS} assertions, written as one group commit.`,
});

export const HashParamsSchema = Type.Object({ hash: Hash }, closed);

const Limit = Type.Integer({ minimum: 1, maximum: HTTP_QUERY_MAX_LIMIT });

export const QuerySchema = Type.Object(
  { subject: Entity, predicate: Type.Optional(Entity), limit: Type.Optional(Limit) },
  closed,
);

export const LimitQuerySchema = Type.Object({ limit: Type.Optional(Limit) }, closed);

export const WriteResultSchema = Type.Object({
  hash: Hash,
  offset: Type.Integer({ minimum: 0, description: 'Journal offset of the record.' }),
  type: Type.Enum(['assertion', 'vote', 'epoch']),
});

export const BatchResultSchema = Type.Object({ results: Type.Array(WriteResultSchema) });

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable machine-readable code, e.g. INVALID_ARGUMENT.' }),
    message: Type.String(),
  }),
});

export const HealthSchema = Type.Object({ status: Type.Literal('ok') });

export type AssertionBody = Static<typeof AssertionSchema>;
export type VoteBody = Static<typeof VoteSchema>;
export type EpochBody = Static<typeof EpochSchema>;
export type HashParams = Static<typeof HashParamsSchema>;
export type QueryParams = Static<typeof QuerySchema>;
export type LimitQuery = Static<typeof LimitQuerySchema>;

/** The schema for a record of the kind its `type` names (assertion when absent). */
export function recordSchemaFor(type: unknown): TSchema | undefined {
  switch (type ?? 'assertion') {
    case 'assertion':
      return AssertionSchema;
    case 'vote':
      return VoteSchema;
    case 'epoch':
      return EpochSchema;
    default:
      return undefined;
  }
}
