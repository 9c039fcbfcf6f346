/**
 * StemeDB's HTTP API on fastify: `createServer` builds it around an open database, `startServer`
 * also listens and returns a handle whose `close` drains it.
 *
 * Contracts:
 * - Request bodies, parameters and query strings are validated with the schemas of `schemas.ts`
 *   (compiled by typebox); the same schemas make `GET /openapi.json`.
 * - Every error is `{ error: { code, message } }` with the status of `error-response.ts`.
 * - With a `token`, every POST needs `Authorization: Bearer <token>` (else 401); reads stay open.
 * - The server never closes the database: its owner does, after `close` (see `stemedb serve`).
 */
import { timingSafeEqual } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { StemeDB } from '../db/index.js';
import { HTTP_BODY_MAX_BYTES, HTTP_SHUTDOWN_MAX_WAIT_MS } from '../limits.js';
import { errorBody, toHttpError } from './error-response.js';
import { registerRoutes } from './routes.js';
import { checkShape, validatorFor } from './shape-check.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7070;

export interface ServerOptions {
  /** Bearer token every POST must carry. Unset: writes are open (the default host is loopback). */
  readonly token?: string | undefined;
  /** One JSON line per request on `logStream`. Default true. */
  readonly logRequests?: boolean;
  /** Where request logs go. Default `process.stderr`. */
  readonly logStream?: NodeJS.WritableStream;
  /** Default `HTTP_BODY_MAX_BYTES`. */
  readonly bodyLimitBytes?: number;
}

export interface ListenOptions extends ServerOptions {
  /** Default `127.0.0.1`: only this machine can connect unless told otherwise. */
  readonly host?: string;
  /** Default 7070; 0 picks a free port. */
  readonly port?: number;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests in flight finish (at most
   * `HTTP_SHUTDOWN_MAX_WAIT_MS`, then cuts them), then flushes the database. Idempotent.
   */
  close(): Promise<void>;
}

/** The fastify app serving `db`, ready to `listen` or `inject`. */
export async function createServer(
  db: StemeDB,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const logRequests = options.logRequests ?? true;
  const app = Fastify({
    logger: logRequests
      ? { level: 'info', stream: options.logStream ?? process.stderr }
      : false,
    // Fastify's own two lines per request are off; `logRequest` writes one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? HTTP_BODY_MAX_BYTES,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validator = validatorFor(schema as TSchema);
    // Query strings and path parameters arrive as text; numbers in them are converted first.
    const convert = httpPart === 'querystring' || httpPart === 'params';
    return (data: unknown) => {
      const value = convert ? validator.Convert(data) : data;
      try {
        checkShape(schema as TSchema, value);
        return { value };
      } catch (error) {
        return { error: error as Error };
      }
    };
  });
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url}`)),
  );
  if (options.token !== undefined) app.addHook('onRequest', requireToken(options.token));
  if (logRequests) app.addHook('onResponse', logRequest);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'StemeDB', version: '1', description: 'A durable, content-addressed store.' },
      ...(options.token === undefined
        ? {}
        : { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } }),
    },
  });
  registerRoutes(app, db);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.ready();
  return app;
}

/** `createServer`, listening. Resolves once the port is bound. */
export async function startServer(
  db: StemeDB,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const app = await createServer(db, options);
  const host = options.host ?? DEFAULT_HOST;
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    app,
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () => (closing ??= drain(app, db)),
  };
}

async function drain(app: FastifyInstance, db: StemeDB): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      app.server.closeAllConnections();
      resolve();
    }, HTTP_SHUTDOWN_MAX_WAIT_MS);
  });
  try {
    await Promise.race([app.close(), cut]);
  } finally {
    clearTimeout(timer);
  }
  await db.flush();
}

function requireToken(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.method !== 'POST') return;
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    reply.header('www-authenticate', 'Bearer');
    await reply.code(401).send(errorBody('UNAUTHORIZED', 'a bearer token is required to write'));
  };
}

async function logRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.log.info(
    {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    },
    'request',
  );
}
