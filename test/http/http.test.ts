// Proves the HTTP API over a real server on 127.0.0.1: every endpoint, every kind of refusal with
// its status and `{ error: { code, message } }`, the body limit, the write token, many concurrent
// writers, and that a SIGTERM mid-stream loses no acknowledged write.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StemeDB } from '../../src/db/index.js';
import { startServer } from '../../src/http/index.js';
import type { RunningServer } from '../../src/http/index.js';
import { HTTP_BODY_MAX_BYTES } from '../../src/limits.js';
import { EXAMPLES_PATH, linesOf, spawnCli } from '../cli/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const EXAMPLES = linesOf(fs.readFileSync(EXAMPLES_PATH, 'utf8')).map(
  (line) => JSON.parse(line) as Record<string, unknown>,
);
const CONCURRENT_WRITERS = 64;
const WRITES_PER_WRITER = 4;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${url}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function claim(subject: string, value: number, extra: Record<string, unknown> = {}): unknown {
  return {
    subject,
    predicate: 'measure',
    object: { type: 'number', value },
    timestamp: 1_700_000_000_000 + value,
    ...extra,
  };
}

function errorOf(reply: Reply): { code: string; message: string } {
  return reply.body['error'] as { code: string; message: string };
}

describe('the HTTP API', () => {
  let db: StemeDB;
  let server: RunningServer;
  let base: string;

  before(async () => {
    db = await StemeDB.open(path.join(makeTempDir(undefined, 'stemedb-http-'), 'db'));
    server = await startServer(db, { port: 0, logRequests: false });
    base = server.url;
  });
  after(async () => {
    await server.close();
    await db.close();
    fs.rmSync(path.dirname(db.directory), { recursive: true, force: true });
  });

  test('writes of each kind are acknowledged and read back by hash, query and votes', async () => {
    const epoch = await call(base, 'POST', '/v1/epoch', { ...EXAMPLES[0], type: undefined });
    assert.equal(epoch.status, 200, JSON.stringify(epoch.body));
    assert.equal(epoch.body['type'], 'epoch');
    const assertion = EXAMPLES[2] as Record<string, unknown>;
    const written = await call(base, 'POST', '/v1/assert', assertion);
    assert.equal(written.status, 200, JSON.stringify(written.body));
    assert.match(String(written.body['hash']), /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(written.body).sort(), ['hash', 'offset', 'type']);
    const hash = String(written.body['hash']);
    const got = await call(base, 'GET', `/v1/assertions/${hash}`);
    assert.equal(got.status, 200);
    assert.equal(got.body['subject'], assertion['subject']);
    assert.deepEqual(got.body['object'], assertion['object']);

    const vote = EXAMPLES.find((r) => r['type'] === 'vote' && r['assertionHash'] === hash);
    assert.ok(vote !== undefined);
    const voted = await call(base, 'POST', '/v1/vote', vote);
    assert.equal(voted.status, 200, JSON.stringify(voted.body));
    const votes = await call(base, 'GET', `/v1/votes/${hash}`);
    assert.deepEqual((votes.body['votes'] as Array<{ hash: string }>).map((v) => v.hash), [voted.body['hash']]);

    const query = await call(base, 'GET', `/v1/query?subject=${assertion['subject']}`);
    assert.equal(query.status, 200);
    assert.deepEqual((query.body['assertions'] as Array<{ hash: string }>).map((a) => a.hash), [hash]);
  });

  test('a batch is acknowledged as a whole and its claims disagree in one query', async () => {
    const batch = [10, 20, 30].map((value) => claim('batch-city', value));
    const reply = await call(base, 'POST', '/v1/assert/batch', batch);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const results = reply.body['results'] as Array<{ hash: string; type: string }>;
    assert.equal(results.length, 3);
    const query = await call(base, 'GET', '/v1/query?subject=batch-city&predicate=measure&limit=2');
    assert.equal((query.body['assertions'] as unknown[]).length, 2);
    const all = await call(base, 'GET', '/v1/query?subject=batch-city&predicate=measure');
    const values = (all.body['assertions'] as Array<{ object: { value: number } }>).map(
      (a) => a.object.value,
    );
    assert.deepEqual(values.sort((a, b) => a - b), [10, 20, 30]);
  });

  test('stats, health and the OpenAPI document answer', async () => {
    const stats = await call(base, 'GET', '/v1/stats');
    assert.equal(stats.status, 200);
    assert.equal(typeof stats.body['assertions'], 'number');
    assert.deepEqual((await call(base, 'GET', '/v1/health')).body, { status: 'ok' });
    const openapi = await call(base, 'GET', '/openapi.json');
    assert.equal(openapi.body['openapi'], '3.0.3');
    const paths = Object.keys(openapi.body['paths'] as object);
    for (const url of ['/v1/assert', '/v1/assert/batch', '/v1/vote', '/v1/epoch', '/v1/query']) {
      assert.ok(paths.includes(url), `${url} in ${paths.join(', ')}`);
    }
    assert.ok(paths.includes('/v1/assertions/{hash}'));
  });

  test('every kind of bad request is refused with its status, code and a message naming it', async () => {
    const good = claim('s', 1) as Record<string, unknown>;
    const hex = 'ab'.repeat(32);
    const cases: Array<[string, string, unknown, number, string, RegExp]> = [
      ['POST', '/v1/assert', { ...good, colour: 'red' }, 400, 'INVALID_ARGUMENT', /^colour: unknown field$/],
      ['POST', '/v1/assert', { ...good, subject: 5 }, 400, 'INVALID_ARGUMENT', /^subject: must be a string$/],
      ['POST', '/v1/assert', { predicate: 'p', object: good['object'] }, 400, 'INVALID_ARGUMENT', /^subject: is required$/],
      ['POST', '/v1/assert', { ...good, confidence: 2 }, 400, 'INVALID_ARGUMENT', /^confidence: must be <= 1$/],
      ['POST', '/v1/assert', { ...good, subject: 'a\u0000b' }, 400, 'INVALID_ARGUMENT', /^subject: must not contain NUL$/],
      ['POST', '/v1/assert', { ...good, sourceHash: 'xyz' }, 400, 'INVALID_ARGUMENT', /^sourceHash: must be 64 hex digits$/],
      ['POST', '/v1/assert', { ...good, object: { type: 'colour', value: 1 } }, 400, 'INVALID_ARGUMENT', /^object\.type: must be one of "text"/],
      ['POST', '/v1/assert', { ...good, object: { type: 'boolean', value: 1 } }, 400, 'INVALID_ARGUMENT', /^object\.value: must be a boolean/],
      ['POST', '/v1/assert', { ...good, type: 'vote' }, 400, 'INVALID_ARGUMENT', /^type: must be "assertion" here$/],
      ['POST', '/v1/assert', { ...good, hash: hex }, 400, 'INVALID_ARGUMENT', /^hash: does not match the content address/],
      ['POST', '/v1/assert', '{"subject": ', 400, 'INVALID_ARGUMENT', /JSON/],
      ['POST', '/v1/assert', [good], 400, 'INVALID_ARGUMENT', /must be an object/],
      ['POST', '/v1/assert/batch', [good, { ...good, subject: '' }], 400, 'INVALID_ARGUMENT', /^\[1\]\.subject: must not be empty$/],
      ['POST', '/v1/assert/batch', [good, { ...good, subject: 'x\u0000' }], 400, 'INVALID_ARGUMENT', /^\[1\]\.subject: must not contain NUL$/],
      ['POST', '/v1/assert/batch', [], 400, 'INVALID_ARGUMENT', /must have at least 1 items/],
      ['POST', '/v1/vote', { assertionHash: hex, agentId: hex, weight: 2 }, 400, 'INVALID_ARGUMENT', /^weight: must be <= 1$/],
      ['POST', '/v1/epoch', { name: 'e', kind: 'replaces' }, 400, 'INVALID_ARGUMENT', /^kind: is given without supersedes$/],
      ['GET', '/v1/query', undefined, 400, 'INVALID_ARGUMENT', /^subject: is required$/],
      ['GET', '/v1/query?subject=s&limit=0', undefined, 400, 'INVALID_ARGUMENT', /^limit: must be >= 1$/],
      ['GET', '/v1/query?subject=s&limit=ten', undefined, 400, 'INVALID_ARGUMENT', /^limit: must be a whole number$/],
      ['GET', '/v1/query?subject=s&colour=red', undefined, 400, 'INVALID_ARGUMENT', /^colour: unknown field$/],
      ['GET', '/v1/assertions/123', undefined, 400, 'INVALID_ARGUMENT', /^hash: must be 64 hex digits$/],
      ['GET', `/v1/assertions/${hex}`, undefined, 404, 'NOT_FOUND', /not found: record ab/],
      ['GET', '/v1/nothing-here', undefined, 404, 'NOT_FOUND', /no route GET \/v1\/nothing-here/],
    ];
    for (const [method, url, body, status, code, pattern] of cases) {
      const reply = await call(base, method, url, body);
      const label = `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}`;
      assert.equal(reply.status, status, `${label}: ${JSON.stringify(reply.body)}`);
      assert.equal(errorOf(reply).code, code, label);
      assert.match(errorOf(reply).message, pattern, label);
    }
    const media = await call(base, 'POST', '/v1/assert', '<s/>', { 'content-type': 'application/xml' });
    assert.equal(media.status, 415);
    assert.equal(errorOf(media).code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a body over the limit is refused with 413, and a record over the record limit with 400', async () => {
    const huge = JSON.stringify(claim('s', 1, { vector: new Array(HTTP_BODY_MAX_BYTES / 2).fill(1) }));
    const tooBig = await call(base, 'POST', '/v1/assert', huge);
    assert.equal(tooBig.status, 413);
    assert.equal(errorOf(tooBig).code, 'TOO_LARGE');
    const record = claim('s', 1) as Record<string, unknown>;
    const text = { type: 'text', value: 'x'.repeat(1_100_000) };
    const oversize = await call(base, 'POST', '/v1/assert', { ...record, object: text });
    assert.equal(oversize.status, 400);
    assert.match(errorOf(oversize).message, /^record: is \d+ bytes encoded, over the limit/);
  });

  test(`${CONCURRENT_WRITERS} concurrent writers are all acknowledged and all readable`, async () => {
    const writer = async (id: number): Promise<string[]> => {
      const hashes: string[] = [];
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const reply = await call(base, 'POST', '/v1/assert', claim(`writer-${id}`, i));
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        hashes.push(String(reply.body['hash']));
      }
      return hashes;
    };
    const ids = Array.from({ length: CONCURRENT_WRITERS }, (_, id) => id);
    const hashes = (await Promise.all(ids.map(writer))).flat();
    assert.equal(new Set(hashes).size, CONCURRENT_WRITERS * WRITES_PER_WRITER);
    for (const hash of hashes) {
      assert.equal((await call(base, 'GET', `/v1/assertions/${hash}`)).status, 200);
    }
    const one = await call(base, 'GET', '/v1/query?subject=writer-7');
    assert.equal((one.body['assertions'] as unknown[]).length, WRITES_PER_WRITER);
  });
});

test('with a token, every write needs it and reads do not', async (t) => {
  const db = await StemeDB.open(path.join(makeTempDir(t), 'db'));
  const server = await startServer(db, { port: 0, logRequests: false, token: 's3cret' });
  t.after(async () => {
    await server.close();
    await db.close();
  });
  const body = claim('guarded', 1);
  for (const headers of [{}, { authorization: 'Bearer wrong!' }, { authorization: 's3cret' }]) {
    const refused = await call(server.url, 'POST', '/v1/assert', body, headers);
    assert.equal(refused.status, 401);
    assert.equal(errorOf(refused).code, 'UNAUTHORIZED');
  }
  const accepted = await call(server.url, 'POST', '/v1/assert', body, { authorization: 'Bearer s3cret' });
  assert.equal(accepted.status, 200);
  assert.equal((await call(server.url, 'GET', '/v1/query?subject=guarded')).status, 200);
  assert.equal((await db.stats()).assertions, 1);
});

test('SIGTERM mid-stream drains, closes the database, exits 0, and loses no acknowledged write', async (t) => {
  const dir = path.join(makeTempDir(t), 'db');
  const child = spawnCli(['serve', '--dir', dir, '--port', '0', '--json']);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const acknowledged: string[] = [];
  let signalled = false;
  const writer = async (id: number): Promise<void> => {
    for (let i = 0; ; i++) {
      let reply: Reply;
      try {
        reply = await call(url, 'POST', '/v1/assert', claim(`stream-${id}`, i));
      } catch {
        return; // The server stopped accepting connections.
      }
      if (reply.status !== 200) {
        assert.equal(reply.status, 503, JSON.stringify(reply.body));
        return;
      }
      acknowledged.push(String(reply.body['hash']));
      if (!signalled && acknowledged.length >= 100) {
        signalled = true;
        child.kill('SIGTERM');
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, id) => writer(id)));
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /closed cleanly/);
  assert.ok(acknowledged.length >= 100);
  const db = await StemeDB.open(dir);
  try {
    assert.equal(db.recoveryReport.cleanShutdown, true);
    for (const hash of acknowledged) assert.ok((await db.get(hash)) !== undefined, hash);
    assert.equal((await db.stats()).assertions, acknowledged.length);
  } finally {
    await db.close();
  }
  // One JSON log line per request on stderr.
  const logs = linesOf(stderr)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; method?: string; statusCode?: number });
  const requests = logs.filter((log) => log.msg === 'request');
  assert.ok(requests.length >= acknowledged.length);
  assert.equal(requests.filter((log) => log.statusCode === 200).length, acknowledged.length);
});
