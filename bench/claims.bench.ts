/**
 * The claims suite: end-to-end assertions/s into StemeDB at each durability level, against the
 * same claims written by SQLite (better-sqlite3, WAL) and by LMDB used directly, at equal
 * durability, in the same run.
 *
 * End to end means from the first write until every claim written is queryable: for StemeDB, until
 * `waitForIngest` of the highest acknowledged offset resolves; the baselines are queryable when
 * their commit returns. Two shapes: 256 asserters, each awaiting one `assert` at a time, and one
 * loader awaiting `putMany` batches of 1,000 (one transaction per batch for the baselines).
 *
 * Method, as in the journal suite: every StemeDB cell is measured right beside its two baselines,
 * the order reversed every other round; each run opens a fresh store in a fresh directory, warms
 * it up (then waits until it is queryable), and times one window. Every run writes the same
 * claims (`claim-workload.ts`), generated before the window; parsing, encoding and hashing happen
 * inside it for every engine.
 */
import os from 'node:os';
import type { DurabilityKind } from '../src/index.js';
import type { BaselineEngine, ClaimEngine } from './claim-stores.js';
import {
  BASELINE_DURABILITY_LABELS,
  BASELINE_ENGINES,
  BENCH_STEMEDB_STORE,
  ENGINE_LABELS,
  baselineDurabilityFor,
  openClaimStore,
} from './claim-stores.js';
import type { AssertionInput } from '../src/records/index.js';
import type { BenchClaimStore } from './claim-workload.js';
import { claimInputs, claimWorkload, encodeClaim } from './claim-workload.js';
import type { BenchContext } from './context.js';
import type { BenchRow, BenchSuite, Sample, SuiteResult, TargetCheck } from './suite.js';
import { compareWithBaseline, median, rowOf, sampleOf } from './suite.js';

export const CLAIM_LEVELS: readonly DurabilityKind[] = ['immediate', 'batched', 'eventual'];
export const INGEST_SHAPES = ['asserters', 'putMany'] as const;
export type IngestShape = (typeof INGEST_SHAPES)[number];

/** Asserters in flight in the `asserters` shape. */
export const CONCURRENT_ASSERTERS = 256;
/** Claims per `putMany` call (per transaction for the baselines) in the `putMany` shape. */
export const PUT_MANY_CLAIMS = 1000;
/** End-to-end rate the batched `putMany` cell aims at, in assertions/s. */
export const TARGET_ASSERTIONS_PER_SECOND = 100_000;
/** How many times SQLite's rate each `putMany` cell aims at, at equal durability. */
export const TARGET_SQLITE_MULTIPLE = 3;
/**
 * A timed window lasts this many cell budgets (3 s by default). About a third of the CPU time a
 * LevelDB-backed store spends per claim is LevelDB's compaction, which comes in bursts, and a 1 s
 * window caught a varying share of them: on 2026-12-04 one cell's three rounds ran at
 * 90,561-118,841 claims/s, and four probe windows of 100,000 claims spread by 18% where windows
 * of 300,000 spread by 8%.
 */
const WINDOW_BUDGETS = 3;
/** Most claims a warm-up writes. */
const WARMUP_MAX_CLAIMS = 20_000;
/** Loops read the clock only this often (completed writes, all loops together). */
const CLOCK_CHECK_EVERY_OPS = 16;

export const CODEC_ROW_ID = 'codec';

export function claimRowId(engine: ClaimEngine, level: DurabilityKind, shape: IngestShape): string {
  const mode = engine === 'stemedb' ? level : baselineDurabilityFor(level);
  return `${engine}/${mode}/${shape}`;
}

interface IngestRun {
  sample: Sample;
  /** From the last acknowledgement until everything was queryable. */
  settleMs: number;
  /**
   * CPU time of the whole process (every thread: the engine's own included) per claim over the
   * window, and the cores it kept busy on average. On a machine with few cores a rate is bounded
   * by these, whichever thread does the work.
   */
  cpuMicrosPerClaim: number;
  cores: number;
}

/** One StemeDB cell's runs, each with the baseline runs measured right beside it. */
interface StemeRun extends IngestRun {
  beside: Record<BaselineEngine, Sample>;
}

/** The claims every run writes: `[0, timed)` in the window, the rest in the warm-up. */
interface ClaimPool {
  inputs: AssertionInput[];
  timed: number;
  payloadBytes: number;
}

export const claimsSuite: BenchSuite = {
  name: 'claims',
  description: 'end-to-end assertions/s per durability level, against SQLite and LMDB-direct',
  async run(context: BenchContext): Promise<SuiteResult> {
    const pool = makePool(context);
    const runs = new Map<string, IngestRun[]>();
    const stemeRuns = new Map<string, StemeRun[]>();
    const codec: Sample[] = [];
    for (let round = 0; round < context.rounds; round++) {
      const forward = round % 2 === 0;
      codec.push(measureCodec(pool, windowMs(context)));
      for (const shape of INGEST_SHAPES) {
        for (const level of forward ? CLAIM_LEVELS : [...CLAIM_LEVELS].reverse()) {
          const trio = await measureTrio(context, pool, level, shape, forward, round);
          for (const engine of BASELINE_ENGINES) {
            pushTo(runs, claimRowId(engine, level, shape), trio[engine]);
          }
          const beside = {
            sqlite: trio.sqlite.sample,
            leveldb: trio.leveldb.sample,
            lmdb: trio.lmdb.sample,
          };
          pushTo(stemeRuns, claimRowId('stemedb', level, shape), { ...trio.stemedb, beside });
        }
      }
    }
    const rows = buildRows(pool, codec, runs, stemeRuns);
    return {
      suite: 'claims',
      opsName: 'assertions',
      rows,
      targets: checkTargets(rows),
      notes: suiteNotes(context, pool),
    };
  },
};

function windowMs(context: BenchContext): number {
  return context.budget.measureMs * WINDOW_BUDGETS;
}

function makePool(context: BenchContext): ClaimPool {
  const timed = context.budget.maxOps;
  const warmup = Math.min(WARMUP_MAX_CLAIMS, timed);
  const inputs = claimInputs(claimWorkload(), 0, timed + warmup);
  const probe = inputs.slice(0, Math.min(inputs.length, 10_000));
  const bytes = probe.reduce((sum, input) => sum + encodeClaim(input).bytes.length, 0);
  return { inputs, timed, payloadBytes: Math.round(bytes / probe.length) };
}

/** The floor every engine shares: parse, encode and hash claims on one thread, nothing stored. */
function measureCodec(pool: ClaimPool, durationMs: number): Sample {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let ops = 0;
  let now = start;
  do {
    for (let i = 0; i < CLOCK_CHECK_EVERY_OPS; i++) {
      encodeClaim(pool.inputs[ops % pool.timed] as AssertionInput);
      ops++;
    }
    now = process.hrtime.bigint();
  } while (ops < pool.timed && now < deadline);
  return sampleOf(ops, Number(now - start) / 1e9);
}

async function measureTrio(
  context: BenchContext,
  pool: ClaimPool,
  level: DurabilityKind,
  shape: IngestShape,
  forward: boolean,
  round: number,
): Promise<Record<ClaimEngine, IngestRun>> {
  const order: ClaimEngine[] = forward
    ? [...BASELINE_ENGINES, 'stemedb']
    : ['stemedb', ...[...BASELINE_ENGINES].reverse()];
  const result: Partial<Record<ClaimEngine, IngestRun>> = {};
  for (const engine of order) {
    const run = await measureIngest(context, pool, engine, level, shape);
    context.progress(
      `claims round ${round + 1}/${context.rounds}  ${cellLabel(engine, level, shape).padEnd(56)}` +
        ` ${Math.round(run.sample.opsPerSecond)} assertions/s`,
    );
    result[engine] = run;
  }
  return result as Record<ClaimEngine, IngestRun>;
}

/** One run: a fresh store, a warm-up, then the timed window; opening and closing are untimed. */
async function measureIngest(
  context: BenchContext,
  pool: ClaimPool,
  engine: ClaimEngine,
  level: DurabilityKind,
  shape: IngestShape,
): Promise<IngestRun> {
  const directory = context.makeCellDirectory(engine);
  try {
    const store = await openClaimStore(engine, directory, level);
    try {
      const { budget } = context;
      await drive(store, pool, shape, pool.timed, pool.inputs.length, budget.warmupMs);
      return await drive(store, pool, shape, 0, pool.timed, windowMs(context));
    } finally {
      await store.close();
    }
  } finally {
    context.removeCellDirectory(directory);
  }
}

/**
 * Writes claims `from ..` of the pool in `shape` until `durationMs` has passed or claim `to` is
 * reached, then waits until they are all queryable. The window ends when they are.
 */
async function drive(
  store: BenchClaimStore,
  pool: ClaimPool,
  shape: IngestShape,
  from: number,
  to: number,
  durationMs: number,
): Promise<IngestRun> {
  const cpuAtStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  const ops =
    shape === 'asserters'
      ? await driveAsserters(store, pool.inputs, from, to, deadline)
      : await drivePutMany(store, pool.inputs, from, to, deadline);
  const acknowledged = process.hrtime.bigint();
  await store.settle();
  const end = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMicros = cpu.user + cpu.system;
  const seconds = Number(end - start) / 1e9;
  return {
    sample: sampleOf(ops, seconds),
    settleMs: Number(end - acknowledged) / 1e6,
    cpuMicrosPerClaim: ops === 0 ? 0 : cpuMicros / ops,
    cores: cpuMicros / 1e6 / seconds,
  };
}

async function driveAsserters(
  store: BenchClaimStore,
  inputs: readonly AssertionInput[],
  from: number,
  to: number,
  deadline: bigint,
): Promise<number> {
  const state = { next: from, completed: 0, running: true };
  const loop = async (): Promise<void> => {
    while (state.running && state.next < to) {
      await store.writeOne(inputs[state.next++] as AssertionInput);
      state.completed++;
      if (state.completed % CLOCK_CHECK_EVERY_OPS === 0 && process.hrtime.bigint() >= deadline) {
        state.running = false;
      }
    }
  };
  const loops: Array<Promise<void>> = [];
  for (let i = 0; i < CONCURRENT_ASSERTERS; i++) loops.push(loop());
  await Promise.all(loops);
  return state.completed;
}

async function drivePutMany(
  store: BenchClaimStore,
  inputs: readonly AssertionInput[],
  from: number,
  to: number,
  deadline: bigint,
): Promise<number> {
  let next = from;
  while (next < to) {
    const end = Math.min(to, next + PUT_MANY_CLAIMS);
    await store.writeMany(inputs.slice(next, end));
    next = end;
    if (process.hrtime.bigint() >= deadline) break;
  }
  return next - from;
}

function cellLabel(engine: ClaimEngine, level: DurabilityKind, shape: IngestShape): string {
  const how =
    shape === 'asserters' ? `×${CONCURRENT_ASSERTERS} assert` : `putMany ×${PUT_MANY_CLAIMS}`;
  const mode =
    engine === 'stemedb'
      ? level
      : BASELINE_DURABILITY_LABELS[baselineDurabilityFor(level)][engine];
  return `${ENGINE_LABELS[engine]} ${mode}, ${how}`;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Per shape: the baselines (each pools every run of its mode), then StemeDB per level. */
function buildRows(
  pool: ClaimPool,
  codec: Sample[],
  runs: Map<string, IngestRun[]>,
  stemeRuns: Map<string, StemeRun[]>,
): BenchRow[] {
  const { payloadBytes } = pool;
  const rows: BenchRow[] = [
    rowOf({
      id: CODEC_ROW_ID,
      group: 'codec',
      label: 'parse + encode + hash only (1 thread)',
      payloadBytes,
      params: {},
      samples: codec,
    }),
  ];
  for (const shape of INGEST_SHAPES) {
    const byId = new Map<string, BenchRow>();
    for (const engine of BASELINE_ENGINES) {
      for (const level of ['immediate', 'batched'] as const) {
        const id = claimRowId(engine, level, shape);
        const engineRuns = runs.get(id) ?? [];
        const row = ingestRow(id, engine, level, shape, payloadBytes, engineRuns);
        byId.set(id, row);
        rows.push(row);
      }
    }
    for (const level of CLAIM_LEVELS) {
      const id = claimRowId('stemedb', level, shape);
      const mine = stemeRuns.get(id) ?? [];
      const row = ingestRow(id, 'stemedb', level, shape, payloadBytes, mine);
      const sqlite = byId.get(claimRowId('sqlite', level, shape));
      if (sqlite !== undefined) {
        compareWithBaseline(row, sqlite, mine.map((run) => [run.sample, run.beside.sqlite]));
      }
      const percentOf = (engine: 'leveldb' | 'lmdb'): number =>
        median(mine.map((run) => run.sample.opsPerSecond / run.beside[engine].opsPerSecond)) * 100;
      row.metrics = {
        ...row.metrics,
        '% of LevelDB': percentOf('leveldb'),
        '% of LMDB': percentOf('lmdb'),
      };
      rows.push(row);
    }
  }
  return rows;
}

function ingestRow(
  id: string,
  engine: ClaimEngine,
  level: DurabilityKind,
  shape: IngestShape,
  payloadBytes: number,
  runs: readonly IngestRun[],
): BenchRow {
  const label = cellLabel(engine, level, shape);
  const mode = engine === 'stemedb' ? level : baselineDurabilityFor(level);
  const samples = runs.map((run) => run.sample);
  const params = { engine, mode, shape };
  const row = rowOf({ id, group: engine, label, payloadBytes, params, samples });
  row.metrics = {
    'settle ms': median(runs.map((run) => run.settleMs)),
    'CPU µs/claim': median(runs.map((run) => run.cpuMicrosPerClaim)),
    cores: median(runs.map((run) => run.cores)),
  };
  return row;
}

/** ≥ 3× SQLite for every `putMany` cell, and the absolute rate for batched `putMany`. */
function checkTargets(rows: BenchRow[]): TargetCheck[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const targets: TargetCheck[] = [];
  const batched = byId.get(claimRowId('stemedb', 'batched', 'putMany'));
  if (batched !== undefined) {
    const ratio = batched.opsPerSecond / TARGET_ASSERTIONS_PER_SECOND;
    targets.push({
      description:
        `batched putMany ≥ ${TARGET_ASSERTIONS_PER_SECOND.toLocaleString('en-US')} ` +
        'assertions/s end to end (ratio = measured / target)',
      rowId: batched.id,
      baselineId: batched.id,
      ratio,
      threshold: 1,
      met: ratio >= 1,
      related: [],
    });
  }
  for (const level of CLAIM_LEVELS) {
    const row = byId.get(claimRowId('stemedb', level, 'putMany'));
    if (row?.pairedRatio === undefined || row.baselineId === undefined) continue;
    const asserters = byId.get(claimRowId('stemedb', level, 'asserters'));
    const related =
      asserters?.pairedRatio === undefined
        ? []
        : [{ rowId: asserters.id, ratio: asserters.pairedRatio }];
    targets.push({
      description: `${level} putMany ≥ ${TARGET_SQLITE_MULTIPLE} × SQLite at equal durability`,
      rowId: row.id,
      baselineId: row.baselineId,
      ratio: row.pairedRatio,
      threshold: TARGET_SQLITE_MULTIPLE,
      met: row.pairedRatio >= TARGET_SQLITE_MULTIPLE,
      related,
    });
  }
  return targets;
}

function suiteNotes(context: BenchContext, pool: ClaimPool): string[] {
  const { budget, rounds } = context;
  return [
    `Each run: fresh store and directory, ${budget.warmupMs} ms warm-up (then settled), then ` +
      `${windowMs(context)} ms or ${pool.timed.toLocaleString('en-US')} claims, whichever ` +
      `comes first, plus the wait until every claim is queryable (settle ms); median of ` +
      `${rounds} rounds. Claims average ${pool.payloadBytes} B of canonical bytes.`,
    'ratio = median over rounds of StemeDB / the SQLite run beside it, at equal durability ' +
      '(immediate ↔ synchronous=FULL; batched, eventual ↔ synchronous=NORMAL); med/med = ' +
      'ratio of medians. % of LevelDB / % of LMDB = the same against each store engine used ' +
      'directly (LevelDB: sync: true for immediate, sync: false otherwise; LMDB: synced commits ' +
      'for immediate, overlapping sync otherwise). StemeDB runs on ' +
      `${BENCH_STEMEDB_STORE} (STEMEDB_BENCH_STORE picks the engine).`,
    'A baseline row pools every run of its mode (the NORMAL/overlapping rows ran beside both ' +
      'batched and eventual). Every engine parses, encodes and hashes each claim in its window; ' +
      'the codec row is that work alone on one thread, the ceiling for any engine here.',
    'CPU µs/claim = CPU time of the whole process (every thread, the engine\'s background ' +
      'work included) over the window per claim; cores = that CPU time over the window\'s ' +
      `length (this machine has ${os.availableParallelism()}). A rate is bounded by both.`,
    `Asserters: ${CONCURRENT_ASSERTERS} loops each awaiting one write at a time (SQLite runs ` +
      'them one transaction each, as it would serve concurrent requests; lmdb-js merges the ' +
      `writes of one event-loop turn into one transaction). putMany: one loader, ` +
      `${PUT_MANY_CLAIMS} claims per call, one transaction per call for the baselines.`,
  ];
}
