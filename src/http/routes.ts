/**
 * The `/v1` routes. Every handler passes its body to the database unchanged: the schemas checked
 * the shape already, and the database's input layer checks the rest and refuses with typed errors
 * that the server's error handler turns into `{ error: { code, message } }`.
 *
 * Reads see every write acknowledged before them: `get` does by itself, and the scans first wait
 * for the ingestor (`processPending`) to apply what the journal holds.
 */
import type { FastifyInstance } from 'fastify';
import type { StemeDB } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import { HTTP_QUERY_DEFAULT_LIMIT } from '../limits.js';
import type { AssertionInput, EpochInput, VoteInput } from '../records/index.js';
import {
  AssertionBatchSchema,
  AssertionSchema,
  BatchResultSchema,
  EpochSchema,
  ErrorSchema,
  HashParamsSchema,
  HealthSchema,
  LimitQuerySchema,
  QuerySchema,
  VoteSchema,
  WriteResultSchema,
} from './schemas.js';
import type { HashParams, LimitQuery, QueryParams } from './schemas.js';

const errors = { '4xx': ErrorSchema, '5xx': ErrorSchema };
const writeResponse = { 200: WriteResultSchema, ...errors };

interface WriteResult {
  readonly hash: string;
  readonly offset: number;
  readonly type: 'assertion' | 'vote' | 'epoch';
}

export function registerRoutes(app: FastifyInstance, db: StemeDB): void {
  registerWriteRoutes(app, db);
  registerReadRoutes(app, db);
}

function registerWriteRoutes(app: FastifyInstance, db: StemeDB): void {
  const write = (
    url: string,
    summary: string,
    body: typeof AssertionSchema | typeof VoteSchema | typeof EpochSchema,
    run: (input: unknown) => Promise<WriteResult>,
  ): void => {
    const schema = { summary, tags: ['write'], body, response: writeResponse };
    app.post(url, { schema }, (request) => run(request.body).then(writeResultOf));
  };
  // The schemas checked each body's kind; the casts only restate it.
  write('/v1/assert', 'Write one assertion', AssertionSchema, (input) =>
    db.assert(input as AssertionInput),
  );
  write('/v1/vote', 'Write one vote', VoteSchema, (input) => db.vote(input as VoteInput));
  write('/v1/epoch', 'Write one epoch', EpochSchema, (input) => db.epoch(input as EpochInput));
  app.post(
    '/v1/assert/batch',
    {
      schema: {
        summary: 'Write many assertions, all or none, with one durable sync',
        tags: ['write'],
        body: AssertionBatchSchema,
        response: { 200: BatchResultSchema, ...errors },
      },
    },
    async (request) => {
      // A refusal names the item, as in `[3].subject: must not contain NUL`.
      const results = await db.putMany(request.body as readonly unknown[]);
      return { results: results.map(writeResultOf) };
    },
  );
}

function registerReadRoutes(app: FastifyInstance, db: StemeDB): void {
  const read = { tags: ['read'], response: errors };
  app.get<{ Params: HashParams }>(
    '/v1/assertions/:hash',
    {
      schema: { ...read, summary: 'The record with this content address', params: HashParamsSchema },
    },
    async (request) => {
      const record = await db.get(request.params.hash);
      if (record === undefined) throw new NotFoundError(`record ${request.params.hash}`);
      return record;
    },
  );
  app.get<{ Querystring: QueryParams }>(
    '/v1/query',
    {
      schema: {
        ...read,
        summary: "A subject's assertions (with a predicate: those only), in index order",
        querystring: QuerySchema,
      },
    },
    async (request) => {
      const { subject, predicate } = request.query;
      const limit = request.query.limit ?? HTTP_QUERY_DEFAULT_LIMIT;
      await db.processPending();
      const found =
        predicate === undefined
          ? db.bySubject(subject, { limit })
          : db.bySubjectPredicate(subject, predicate, { limit });
      return { assertions: await collect(found, limit) };
    },
  );
  app.get<{ Params: HashParams; Querystring: LimitQuery }>(
    '/v1/votes/:hash',
    {
      schema: {
        ...read,
        summary: 'The votes on an assertion',
        params: HashParamsSchema,
        querystring: LimitQuerySchema,
      },
    },
    async (request) => {
      const limit = request.query.limit ?? HTTP_QUERY_DEFAULT_LIMIT;
      await db.processPending();
      return { votes: await collect(db.votesFor(request.params.hash), limit) };
    },
  );
  app.get('/v1/stats', { schema: { ...read, summary: 'Counts and sizes' } }, () => db.stats());
  app.get(
    '/v1/health',
    { schema: { tags: ['read'], summary: 'Liveness', response: { 200: HealthSchema, ...errors } } },
    () => ({ status: 'ok' as const }),
  );
}

async function collect<T>(source: AsyncIterable<T>, limit: number): Promise<T[]> {
  const items: T[] = [];
  if (limit <= 0) return items;
  for await (const item of source) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

function writeResultOf(result: WriteResult): WriteResult {
  return { hash: result.hash, offset: result.offset, type: result.type };
}
