/**
 * The claims-query suite: reads from a 1,000,000-claim store. Each engine builds its store from
 * the same claims (`putMany` batches of 1,000; StemeDB `eventual`, the baselines at relaxed
 * durability), is flushed, and then answers the same queries: `get` of a spread of content
 * addresses (latency p50/p99 per call), and `bySubject` with and without a predicate (claims
 * read per second). StemeDB's rows are compared with SQLite's, round by round, and with
 * LMDB-direct's as a percentage. Last, each store is closed and reopened once per round, timed
 * until the open resolves (for StemeDB that includes the journal's recovery), the other
 * engines' opens first, so that StemeDB's background work after an open overlaps none of them.
 *
 * Every engine turns each claim it reads into the facade's output JSON (`toOutput` of a record
 * view, hex hashes), as StemeDB's `get` and `bySubject` return it. The stores stay in the
 * page cache after the build (the machine has far more memory than they take), so these are
 * warm-cache figures.
 */
import type { DurabilityKind } from '../src/index.js';
import type { ClaimEngine } from './claim-stores.js';
import {
  BASELINE_ENGINES,
  BENCH_STEMEDB_STORE,
  CLAIM_ENGINES,
  ENGINE_LABELS,
  openClaimStore,
} from './claim-stores.js';
import type { BenchClaimStore, ClaimWorkload } from './claim-workload.js';
import {
  CLAIM_PREDICATES,
  claimInput,
  claimInputs,
  claimWorkload,
  encodeClaim,
  subjectName,
  subjectOf,
} from './claim-workload.js';
import type { BenchContext } from './context.js';
import type { BenchRow, BenchSuite, Sample, SuiteResult } from './suite.js';
import { compareWithBaseline, median, rowOf, sampleOf } from './suite.js';

/** Claims in each query store (a quick run uses `QUICK_STORE_CLAIMS`). */
export const QUERY_STORE_CLAIMS = 1_000_000;
const QUICK_STORE_CLAIMS = 2_000;
/** `get` calls per round per engine. */
const GET_CALLS = 20_000;
const QUICK_GET_CALLS = 100;
/** Subjects scanned per round per engine (each once without and once with a predicate). */
const SCAN_SUBJECTS = 2_000;
const QUICK_SCAN_SUBJECTS = 20;
/** Claims per build call. */
const BUILD_BATCH_CLAIMS = 1000;
/** The build runs at StemeDB's fastest level; the baselines at the matching relaxed durability. */
const BUILD_LEVEL: DurabilityKind = 'eventual';

export const QUERY_KINDS = ['build', 'open', 'get', 'bySubject', 'bySubjectPredicate'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

const KIND_LABELS: Record<QueryKind, string> = {
  build: 'build (putMany ×1000, then flush)',
  open: 'open (close, then open)',
  get: 'get(hash)',
  bySubject: 'bySubject(subject)',
  bySubjectPredicate: 'bySubject(subject, {predicate})',
};

export function queryRowId(kind: QueryKind, engine: ClaimEngine): string {
  return `${kind}/${engine}`;
}

/** What one engine's queries read: the same for every engine. */
interface QueryPlan {
  claims: number;
  hashes: Uint8Array[];
  scans: Array<{ subject: string; predicate: string }>;
  payloadBytes: number;
}

interface QueryRun {
  sample: Sample;
  metrics: Record<string, number>;
}

export const claimsQuerySuite: BenchSuite = {
  name: 'claims-query',
  description: 'get latency and bySubject scans on a 1,000,000-claim store, against baselines',
  async run(context: BenchContext): Promise<SuiteResult> {
    const workload = claimWorkload();
    const plan = makePlan(context, workload);
    const runs = new Map<string, QueryRun[]>();
    const stores = new Map<ClaimEngine, BenchClaimStore>();
    const directories = new Map<ClaimEngine, string>();
    try {
      for (const engine of CLAIM_ENGINES) {
        const directory = context.makeCellDirectory(`query-${engine}`);
        directories.set(engine, directory);
        const store = await openClaimStore(engine, directory, BUILD_LEVEL);
        stores.set(engine, store);
        const build = await buildStore(store, workload, plan.claims);
        runs.set(queryRowId('build', engine), [build]);
        context.progress(`claims-query build ${ENGINE_LABELS[engine].padEnd(12)} ${rate(build)}`);
      }
      for (let round = 0; round < context.rounds; round++) {
        const order = round % 2 === 0 ? CLAIM_ENGINES : [...CLAIM_ENGINES].reverse();
        for (const engine of order) {
          const store = stores.get(engine) as BenchClaimStore;
          for (const [kind, run] of await measureQueries(store, plan)) {
            pushTo(runs, queryRowId(kind, engine), run);
            context.progress(
              `claims-query round ${round + 1}/${context.rounds}  ` +
                `${ENGINE_LABELS[engine].padEnd(12)} ${kind.padEnd(18)} ${rate(run)}`,
            );
          }
        }
      }
      for (const engine of [...BASELINE_ENGINES, 'stemedb'] as const) {
        for (let round = 0; round < context.rounds; round++) {
          await (stores.get(engine) as BenchClaimStore).close();
          stores.delete(engine);
          const { store, run } = await measureOpen(engine, directories.get(engine) as string, plan);
          stores.set(engine, store);
          pushTo(runs, queryRowId('open', engine), run);
          context.progress(
            `claims-query round ${round + 1}/${context.rounds}  ` +
              `${ENGINE_LABELS[engine].padEnd(12)} ${'open'.padEnd(18)} ${Math.round(run.sample.seconds * 1e3)} ms`,
          );
        }
      }
    } finally {
      for (const store of stores.values()) await store.close();
    }
    const rows = buildRows(runs, plan.payloadBytes);
    return { suite: 'claims-query', opsName: 'claims', rows, targets: [], notes: notes(plan) };
  },
};

function makePlan(context: BenchContext, workload: ClaimWorkload): QueryPlan {
  const claims = context.quick ? QUICK_STORE_CLAIMS : QUERY_STORE_CLAIMS;
  const gets = context.quick ? QUICK_GET_CALLS : GET_CALLS;
  const subjects = context.quick ? QUICK_SCAN_SUBJECTS : SCAN_SUBJECTS;
  // The k-th of `count` claim numbers spread evenly over the whole store.
  const pick = (k: number, count: number): number => Math.floor(((k + 0.5) * claims) / count);
  const hashes: Uint8Array[] = [];
  let bytes = 0;
  for (let k = 0; k < gets; k++) {
    const encoded = encodeClaim(claimInput(workload, pick(k, gets)));
    hashes.push(encoded.hash);
    bytes += encoded.bytes.length;
  }
  const scans = [];
  for (let k = 0; k < subjects; k++) {
    const index = pick(k, subjects);
    const predicate = claimInput(workload, index).predicate;
    scans.push({ subject: subjectName(subjectOf(workload, index)), predicate });
  }
  return { claims, hashes, scans, payloadBytes: Math.round(bytes / gets) };
}

/** Writes claims `[0, claims)`; timed are the write calls and the final settle, not generation. */
async function buildStore(
  store: BenchClaimStore,
  workload: ClaimWorkload,
  claims: number,
): Promise<QueryRun> {
  let writingNs = 0n;
  for (let next = 0; next < claims; next += BUILD_BATCH_CLAIMS) {
    const inputs = claimInputs(workload, next, Math.min(BUILD_BATCH_CLAIMS, claims - next));
    const start = process.hrtime.bigint();
    await store.writeMany(inputs);
    writingNs += process.hrtime.bigint() - start;
  }
  const start = process.hrtime.bigint();
  await store.quiesce();
  const settleNs = process.hrtime.bigint() - start;
  const seconds = Number(writingNs + settleNs) / 1e9;
  return { sample: sampleOf(claims, seconds), metrics: { 'settle ms': Number(settleNs) / 1e6 } };
}

/** Opens the store built in `directory`; the rate is the store's claims over the open's seconds. */
async function measureOpen(
  engine: ClaimEngine,
  directory: string,
  plan: QueryPlan,
): Promise<{ store: BenchClaimStore; run: QueryRun }> {
  const start = process.hrtime.bigint();
  const store = await openClaimStore(engine, directory, BUILD_LEVEL);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const run = { sample: sampleOf(plan.claims, seconds), metrics: { 'open ms': seconds * 1e3 } };
  return { store, run };
}

async function measureQueries(
  store: BenchClaimStore,
  plan: QueryPlan,
): Promise<Array<[QueryKind, QueryRun]>> {
  const latenciesUs: number[] = [];
  const getsStart = process.hrtime.bigint();
  for (const hash of plan.hashes) {
    const start = process.hrtime.bigint();
    const found = await store.get(hash);
    latenciesUs.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (!found) throw new Error('a claim written to the query store was not found');
  }
  const getsSeconds = Number(process.hrtime.bigint() - getsStart) / 1e9;
  latenciesUs.sort((a, b) => a - b);
  const get: QueryRun = {
    sample: sampleOf(plan.hashes.length, getsSeconds),
    metrics: { 'p50 µs': percentile(latenciesUs, 0.5), 'p99 µs': percentile(latenciesUs, 0.99) },
  };
  return [
    ['get', get],
    ['bySubject', await measureScans(store, plan, false)],
    ['bySubjectPredicate', await measureScans(store, plan, true)],
  ];
}

async function measureScans(
  store: BenchClaimStore,
  plan: QueryPlan,
  withPredicate: boolean,
): Promise<QueryRun> {
  let entries = 0;
  const start = process.hrtime.bigint();
  for (const { subject, predicate } of plan.scans) {
    entries += await store.scanSubject(subject, withPredicate ? predicate : undefined);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (entries < plan.scans.length) throw new Error('a scanned subject returned no claims');
  return {
    sample: sampleOf(entries, seconds),
    metrics: {
      'claims/query': entries / plan.scans.length,
      'queries/s': plan.scans.length / seconds,
    },
  };
}

/** The value at quantile `q` of ascending `sorted` (nearest rank). */
function percentile(sorted: readonly number[], q: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at] ?? Number.NaN;
}

function buildRows(runs: Map<string, QueryRun[]>, payloadBytes: number): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const kind of QUERY_KINDS) {
    const byEngine = new Map<ClaimEngine, BenchRow>();
    for (const engine of [...BASELINE_ENGINES, 'stemedb'] as const) {
      const engineRuns = runs.get(queryRowId(kind, engine)) ?? [];
      const row = rowOf({
        id: queryRowId(kind, engine),
        group: kind,
        label: `${ENGINE_LABELS[engine]} ${KIND_LABELS[kind]}`,
        payloadBytes,
        params: { kind, engine },
        samples: engineRuns.map((run) => run.sample),
      });
      row.metrics = medianMetrics(engineRuns);
      byEngine.set(engine, row);
      rows.push(row);
    }
    const mine = byEngine.get('stemedb');
    const sqlite = byEngine.get('sqlite');
    if (mine === undefined || sqlite === undefined) continue;
    compareWithBaseline(mine, sqlite);
    const percentOf = (engine: 'leveldb' | 'lmdb'): number => {
      const baseline = byEngine.get(engine);
      const ratios = mine.samples.map(
        (sample, i) => sample.opsPerSecond / (baseline?.samples[i]?.opsPerSecond ?? Number.NaN),
      );
      return median(ratios) * 100;
    };
    mine.metrics = {
      ...mine.metrics,
      '% of LevelDB': percentOf('leveldb'),
      '% of LMDB': percentOf('lmdb'),
    };
  }
  return rows;
}

function medianMetrics(runs: readonly QueryRun[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.metrics)))];
  return Object.fromEntries(
    names.map((name) => [name, median(runs.map((run) => run.metrics[name] ?? Number.NaN))]),
  );
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function rate(run: QueryRun): string {
  return `${Math.round(run.sample.opsPerSecond).toLocaleString('en-US')} claims/s`;
}

function notes(plan: QueryPlan): string[] {
  const claims = plan.claims.toLocaleString('en-US');
  return [
    `Each engine holds the same ${claims} claims (about ${plan.payloadBytes} B each), built with ` +
      `putMany ×${BUILD_BATCH_CLAIMS} (StemeDB ${BUILD_LEVEL} on ${BENCH_STEMEDB_STORE}, SQLite ` +
      'synchronous=NORMAL, LevelDB-direct sync: false, LMDB-direct overlapping sync), then flushed; the build row counts write calls and the ' +
      'final wait until queryable, one run. Every query row: median over rounds.',
    `get: ${plan.hashes.length.toLocaleString('en-US')} calls per round for claims spread over ` +
      'the store, one at a time, each timed (p50/p99 are medians over rounds); StemeDB takes ' +
      'the hash as hex (its API), the baselines as raw bytes.',
    `bySubject: ${plan.scans.length.toLocaleString('en-US')} subjects per round, each read to ` +
      `the end; claims/s counts claims read. Subjects and predicates: ` +
      `${CLAIM_PREDICATES.length} predicates spread evenly over every subject.`,
    'open: the store closed, then opened again and timed until the open resolves, once per ' +
      'round; claims/s = the claims it holds over that time. StemeDB validates the journal ' +
      'records written since its checkpoint (none after a clean close); the baselines replay ' +
      'what their own logs hold.',
    'ratio = StemeDB / SQLite round by round (median); % of LevelDB / % of LMDB = the same ' +
      'against each engine used directly.',
  ];
}
