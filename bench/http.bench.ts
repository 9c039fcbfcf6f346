/**
 * The HTTP suite: acknowledged assertions/s through `POST /v1/assert` and `POST /v1/assert/batch`
 * with `HTTP_CLIENTS` keep-alive clients, each divided by a bare `node:http` handler that reads the
 * body and answers with a fixed JSON reply and does no storage work: the ceiling of the HTTP stack
 * on this machine.
 *
 * Method: the server runs in this process (fastify around a fresh `StemeDB` under `immediate`
 * durability, request logs off), the clients are `node:http` requests through one keep-alive
 * Agent. Each cell runs right beside a run of the bare handler, in every round; odd rounds swap the
 * pair's order. A cell counts assertions acknowledged with 200 inside the timed window.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StemeDB } from '../src/db/index.js';
import { startServer } from '../src/http/index.js';
import type { BenchContext, CellBudget } from './context.js';
import type { BenchRow, BenchSuite, Sample, SuiteResult } from './suite.js';
import { compareWithBaseline, rowOf, sampleOf } from './suite.js';

export const HTTP_CLIENTS = 64;
/** Assertions per `POST /v1/assert/batch` request. */
export const HTTP_BATCH_RECORDS = 64;
export const HTTP_CELLS = ['single', 'batch'] as const;
export type HttpCell = (typeof HTTP_CELLS)[number];

const BARE_ID = 'http/bare';
const BARE_REPLY = JSON.stringify({ hash: '0'.repeat(64), offset: 0, type: 'assertion' });
const BENCH_EPOCH_MS = Date.UTC(2025, 0, 1);
/** Clients read the clock once per this many completed requests (all clients share the count). */
const CLOCK_CHECK_EVERY_REQUESTS = 16;

export function httpRowId(cell: HttpCell): string {
  return `http/${cell}`;
}

/** A server under test: where it listens and how to stop it. */
interface Target {
  port: number;
  stop(): Promise<void>;
}

let sequence = 0;

/** A distinct assertion each call, so no write is an idempotent repeat. */
function nextAssertion(): string {
  const n = sequence++;
  return JSON.stringify({
    subject: `bench/city-${n % 1000}`,
    predicate: 'population',
    object: { type: 'number', value: n },
    confidence: 0.5,
    timestamp: BENCH_EPOCH_MS + n,
  });
}

const ASSERTION_BYTES = Buffer.byteLength(nextAssertion());

export const httpSuite: BenchSuite = {
  name: 'http',
  description: 'HTTP writes (single and batch) with 64 keep-alive clients, against a bare handler',
  async run(context: BenchContext): Promise<SuiteResult> {
    const bareSamples: Sample[] = [];
    const cellRuns = new Map<HttpCell, Array<readonly [Sample, Sample]>>();
    for (let round = 0; round < context.rounds; round++) {
      const forward = round % 2 === 0;
      for (const cell of forward ? HTTP_CELLS : [...HTTP_CELLS].reverse()) {
        const runBare = (): Promise<Sample> => measure(context, 'bare', round, startBare);
        const runCell = (): Promise<Sample> =>
          measure(context, cell, round, () => startStemeDB(context));
        const bare = forward ? await runBare() : undefined;
        const sample = await runCell();
        const baseline = bare ?? (await runBare());
        bareSamples.push(baseline);
        const runs = cellRuns.get(cell) ?? [];
        runs.push([sample, baseline]);
        cellRuns.set(cell, runs);
      }
    }
    const params = { clients: HTTP_CLIENTS };
    const bare = rowOf({
      id: BARE_ID,
      group: 'ceiling',
      label: `bare node:http handler ×${HTTP_CLIENTS}`,
      payloadBytes: ASSERTION_BYTES,
      params,
      samples: bareSamples,
    });
    const rows: BenchRow[] = [bare];
    for (const cell of HTTP_CELLS) {
      const runs = cellRuns.get(cell) ?? [];
      const row = rowOf({
        id: httpRowId(cell),
        group: 'http',
        label: cellLabel(cell),
        payloadBytes: ASSERTION_BYTES,
        params: { ...params, cell, recordsPerRequest: recordsPerRequest(cell) },
        samples: runs.map(([sample]) => sample),
      });
      compareWithBaseline(row, bare, runs);
      rows.push(row);
    }
    return { suite: 'http', opsName: 'assertions', rows, targets: [], notes: suiteNotes(context) };
  },
};

function cellLabel(cell: HttpCell): string {
  return cell === 'single'
    ? `POST /v1/assert ×${HTTP_CLIENTS} (immediate)`
    : `POST /v1/assert/batch of ${HTTP_BATCH_RECORDS} ×${HTTP_CLIENTS} (immediate)`;
}

function recordsPerRequest(cell: HttpCell | 'bare'): number {
  return cell === 'batch' ? HTTP_BATCH_RECORDS : 1;
}

async function measure(
  context: BenchContext,
  cell: HttpCell | 'bare',
  round: number,
  start: () => Promise<Target>,
): Promise<Sample> {
  const target = await start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CLIENTS });
  try {
    const drive = (ms: number): Promise<Sample> =>
      driveClients(agent, target.port, cell, ms, context.budget);
    await drive(context.budget.warmupMs);
    const sample = await drive(context.budget.measureMs);
    context.progress(
      `http round ${round + 1}/${context.rounds}  ${cell.padEnd(8)} ` +
        `${Math.round(sample.opsPerSecond)} assertions/s`,
    );
    return sample;
  } finally {
    agent.destroy();
    await target.stop();
  }
}

async function startStemeDB(context: BenchContext): Promise<Target> {
  const directory = context.makeCellDirectory('http');
  const db = await StemeDB.open(directory, { durability: 'immediate' });
  const server = await startServer(db, { port: 0, logRequests: false });
  return {
    port: server.port,
    stop: async () => {
      await server.close();
      await db.close();
      context.removeCellDirectory(directory);
    },
  };
}

/** The ceiling: reads the whole body, answers 200 with a fixed write result. */
async function startBare(): Promise<Target> {
  const server = http.createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(BARE_REPLY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `HTTP_CLIENTS` loops, each posting and awaiting one request at a time, until the window or the
 * budget's `maxOps` (in assertions) is used up; requests in flight then complete and count.
 */
async function driveClients(
  agent: http.Agent,
  port: number,
  cell: HttpCell | 'bare',
  durationMs: number,
  budget: CellBudget,
): Promise<Sample> {
  const perRequest = recordsPerRequest(cell);
  const path = cell === 'batch' ? '/v1/assert/batch' : '/v1/assert';
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  const state = { running: true, requests: 0 };
  const client = async (): Promise<void> => {
    while (state.running) {
      const body =
        perRequest === 1
          ? nextAssertion()
          : `[${Array.from({ length: perRequest }, nextAssertion).join(',')}]`;
      await post(agent, port, path, body);
      state.requests++;
      if (state.requests % CLOCK_CHECK_EVERY_REQUESTS !== 0) continue;
      const done = state.requests * perRequest >= budget.maxOps;
      if (done || process.hrtime.bigint() >= deadline) state.running = false;
    }
  };
  await Promise.all(Array.from({ length: HTTP_CLIENTS }, client));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return sampleOf(state.requests * perRequest, seconds);
}

function post(agent: http.Agent, port: number, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const length = Buffer.byteLength(body);
    const headers = { 'content-type': 'application/json', 'content-length': length };
    const request = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode === 200) resolve();
          else reject(new Error(`POST ${path}: ${response.statusCode} ${Buffer.concat(chunks)}`));
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function suiteNotes(context: BenchContext): string[] {
  const { budget, rounds } = context;
  return [
    `Server and ${HTTP_CLIENTS} keep-alive clients share this process (and its core); a fresh ` +
      `database per run under immediate durability, request logs off.`,
    `Each cell runs right beside the bare handler (order flips every round): ${budget.warmupMs} ` +
      `ms warm-up, then ${budget.measureMs} ms or ${budget.maxOps} assertions; ` +
      `median of ${rounds} rounds.`,
    'ratio = cell assertions/s over the bare handler requests/s run beside it: the share of the ' +
      'HTTP ceiling left after validation, the journal fsync and the reply. A batch carries ' +
      `${HTTP_BATCH_RECORDS} assertions per request, so it can pass 1.`,
    `MB/s counts JSON body bytes of one assertion (${ASSERTION_BYTES} B).`,
  ];
}
