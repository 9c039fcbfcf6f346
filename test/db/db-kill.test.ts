// Proves, with real child processes killed by SIGKILL, that the database keeps every acknowledged
// claim readable by get and bySubject after a restart, that the store never holds an index entry
// without its record, and that the store's cursor never passes the journal's end: at random
// moments, between two ingest batches, and in the middle of an ingest batch's store write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { StemeDB } from '../../src/db/index.js';
import { CURSOR_KEY, decodeU64 } from '../../src/ingest/index.js';
import { Journal } from '../../src/journal/index.js';
import {
  LevelStore,
  LmdbStore,
  hashFromIndexKey,
  hashKey,
  kindPrefix,
} from '../../src/store/index.js';
import type { KVStore, StoreEngine } from '../../src/store/index.js';
import { createRandom, seedFromEnv } from '../support/random.js';
import type { Random } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';
import { childCommand } from './child-bundle.js';
import { SUBJECT_COUNT, hashOf, subjectOf } from './claims.js';

/** Kill counts scale by ten under `STEMEDB_SOAK=1`. */
const KILL_SCALE = process.env['STEMEDB_SOAK'] === '1' ? 10 : 1;
/** Kills per mode on the default engine (LevelDB); LMDB, the alternative, gets half. */
const RANDOM_KILLS = 60 * KILL_SCALE;
const BETWEEN_BATCH_KILLS = 20 * KILL_SCALE;
const DURING_WRITE_KILLS = 20 * KILL_SCALE;
const ENGINE_SHARE: Readonly<Record<StoreEngine, number>> = { leveldb: 1, lmdb: 0.5 };
const LEVELS = ['immediate', 'batched', 'eventual'] as const;
/** Claims one child writes at most before it idles, so checking a run stays cheap. */
const CLAIMS_PER_RUN_MAX = 200;
/** Claims of earlier runs that each cycle reads back with get (all are read at the end). */
const EARLIER_CLAIMS_SAMPLED = 100;
const CHILD = await childCommand(new URL('./db-child.ts', import.meta.url).pathname);
after(() => CHILD.dispose());

type Mode = 'random' | 'between' | 'during';

interface Standby {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: AsyncIterator<string>;
  /** The signal that ended the child. */
  readonly exited: Promise<NodeJS.Signals | null>;
}

/**
 * Children are started one cycle ahead: loading the code takes longer than a cycle's work, so
 * the next child loads while the current one runs and the parent checks its results.
 */
class ChildPool {
  #next: Standby | undefined;

  take(): Standby {
    const current = this.#next ?? startChild();
    this.#next = startChild();
    return current;
  }

  stop(): void {
    this.#next?.child.kill('SIGKILL');
  }
}

function startChild(): Standby {
  const child = spawn(process.execPath, [...CHILD.args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.once('exit', (_code, signal) => resolve(signal));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  async function* lines(): AsyncGenerator<string> {
    let buffered = '';
    for await (const chunk of child.stdout) {
      buffered += (chunk as Buffer).toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      yield* parts;
    }
    if (stderr !== '') yield `stderr ${stderr}`;
  }
  return { child, lines: lines(), exited };
}

interface Cycle {
  readonly acknowledged: number[];
  /** True if the child reached the trigger line, so the kill came after it. */
  readonly triggered: boolean;
  /** True if the child said `written`: the `during` store write returned before the kill. */
  readonly written: boolean;
}

/** Runs one child in `mode` and SIGKILLs it `delayMs` after its trigger line. */
async function runAndKill(
  standby: Standby,
  args: string[],
  mode: Mode,
  delayMs: number,
): Promise<Cycle> {
  const { child, lines, exited } = standby;
  const trigger = mode === 'random' ? 'ready' : mode === 'between' ? 'paused' : 'writing';
  const acknowledged: number[] = [];
  let triggered = false;
  let written = false;
  let started = false;
  for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
    const line = next.value;
    if (line === 'loaded' && !started) {
      started = true;
      child.stdin.write(`go ${args.join(' ')}\n`);
    } else if (line.startsWith('ack ')) {
      const [from, to] = line.slice(4).split(' ').map(Number) as [number, number | undefined];
      for (let id = from; id <= (to ?? from); id++) acknowledged.push(id);
    } else if (line === trigger && !triggered) {
      triggered = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    } else if (line === 'written' && triggered) {
      written = true;
    } else if (line.startsWith('stderr ')) {
      throw new Error(`child failed: ${line}`);
    }
  }
  assert.equal(await exited, 'SIGKILL', 'the child runs until it is killed');
  return { acknowledged, triggered, written };
}

/** The on-disk state right after the kill, before a database opens on it. */
async function checkCrashState(dir: string, engine: StoreEngine, context: string): Promise<void> {
  const journal = await Journal.open(path.join(dir, 'journal'), { lock: false });
  // The engine's own open, not the database's: a store that cannot serve must fail here, not be
  // quietly replaced and rebuilt.
  const storeDirectory = path.join(dir, 'store');
  const store: KVStore =
    engine === 'leveldb'
      ? await LevelStore.open(storeDirectory)
      : await LmdbStore.open(storeDirectory);
  try {
    const cursor = decodeU64(store.getSync(CURSOR_KEY), 'cursor', 0);
    const end = journal.endOffset;
    assert.ok(cursor <= end, `${context}: store cursor ${cursor} > journal end ${end}`);
    for (const kind of ['subject', 'subjectPredicate'] as const) {
      for await (const [key] of store.iterate({ prefix: kindPrefix(kind) })) {
        const record = store.getSync(hashKey(hashFromIndexKey(key)));
        assert.ok(record, `${context}: index entry without its record`);
      }
    }
  } finally {
    await store.close();
    await journal.close();
  }
}

/**
 * Reads claims back after a restart: `viaGet` by get, and every acknowledged claim of `subjects`
 * by bySubject (once the database has caught up, which open does before it resolves).
 */
async function checkAcknowledged(
  dir: string,
  engine: StoreEngine,
  acknowledged: ReadonlySet<number>,
  viaGet: Iterable<number>,
  subjects: readonly number[],
  context: string,
): Promise<void> {
  const db = await StemeDB.open(dir, { store: engine });
  try {
    for (const id of viaGet) {
      const found = await db.get(hashOf(id));
      assert.equal(found?.hash, hashOf(id), `${context}: get lost claim ${id}`);
    }
    for (const s of subjects) {
      const listed = new Set<string>();
      for await (const item of db.bySubject(subjectOf(s))) listed.add(item.hash);
      for (const id of acknowledged) {
        if (id % SUBJECT_COUNT !== s) continue;
        assert.ok(listed.has(hashOf(id)), `${context}: bySubject lost claim ${id}`);
      }
    }
    const stats = await db.stats();
    const end = stats.journal.endOffset;
    assert.ok(stats.ingestedOffset <= end, `${context}: ingested past the journal end`);
    assert.equal(stats.ingestedOffset, end, `${context}: open did not catch up`);
    assert.equal(stats.unapplied, 0, `${context}: records were quarantined`);
    assert.equal(stats.rebuiltAtOpen, undefined, `${context}: the store was rebuilt at open`);
  } finally {
    await db.close();
  }
}

function sample(ids: readonly number[], count: number, random: Random): number[] {
  if (ids.length <= count) return [...ids];
  return Array.from({ length: count }, () => ids[random.nextInt(ids.length)] as number);
}

const DELAY_MAX_MS: Readonly<Record<Mode, number>> = { random: 150, between: 1, during: 10 };

async function killLoop(
  engine: StoreEngine,
  mode: Mode,
  kills: number,
  t: TestContext,
): Promise<void> {
  const seed = seedFromEnv();
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const random = createRandom(seed);
  const dir = makeTempDir(undefined, 'stemedb-kill-');
  const pool = new ChildPool();
  const acknowledged = new Set<number>();
  /** One past the highest acknowledged id (not `Math.max(...set)`: soak sets outgrow the stack). */
  let nextId = 0;
  let triggeredKills = 0;
  let killsInsideWrite = 0;
  try {
    for (let kill = 0; kill < kills; kill++) {
      const level = LEVELS[kill % LEVELS.length] as string;
      const first = nextId;
      const delayMs = random.nextInt(DELAY_MAX_MS[mode]);
      const args = [dir, level, first, random.nextUint32(), mode, CLAIMS_PER_RUN_MAX, engine].map(
        String,
      );
      const earlier = [...acknowledged];
      const cycle = await runAndKill(pool.take(), args, mode, delayMs);
      if (cycle.triggered) triggeredKills++;
      if (cycle.triggered && !cycle.written) killsInsideWrite++;
      for (const id of cycle.acknowledged) {
        acknowledged.add(id);
        if (id >= nextId) nextId = id + 1;
      }
      const context = `seed ${seed}, ${engine} ${mode} kill ${kill} (${level})`;
      await checkCrashState(dir, engine, context);
      const viaGet = [...cycle.acknowledged, ...sample(earlier, EARLIER_CLAIMS_SAMPLED, random)];
      await checkAcknowledged(dir, engine, acknowledged, viaGet, [random.nextInt(SUBJECT_COUNT)], context);
    }
    const everySubject = Array.from({ length: SUBJECT_COUNT }, (_, s) => s);
    const context = `seed ${seed}, ${engine} ${mode}, final`;
    await checkAcknowledged(dir, engine, acknowledged, acknowledged, everySubject, context);
  } finally {
    pool.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${kills} kills, ${triggeredKills} after the trigger, ${acknowledged.size} claims`);
  assert.ok(acknowledged.size > 0, 'the children acknowledged claims before being killed');
  if (mode !== 'random') {
    assert.equal(triggeredKills, kills, `every ${mode} kill came after its trigger`);
  }
  if (mode === 'during') {
    t.diagnostic(`${killsInsideWrite} kills before the store write returned`);
    assert.ok(killsInsideWrite > 0, 'some kills landed before the store write returned');
  }
}

for (const engine of ['lmdb', 'leveldb'] as const) {
  const share = ENGINE_SHARE[engine];
  const random = Math.round(RANDOM_KILLS * share);
  const between = Math.round(BETWEEN_BATCH_KILLS * share);
  const during = Math.round(DURING_WRITE_KILLS * share);

  test(`${engine}: after ${random} kills at random moments, every acknowledged claim is readable`, (t) =>
    killLoop(engine, 'random', random, t));

  test(`${engine}: after ${between} kills between ingest batches, ingestion resumes intact`, (t) =>
    killLoop(engine, 'between', between, t));

  test(`${engine}: after ${during} kills inside an ingest batch's store write, all is kept`, (t) =>
    killLoop(engine, 'during', during, t));
}
