// Proves that a store write is atomic and its cursor never runs ahead of its data across real
// process kills: a child writes batches (data keys, a pending marker, the cursor) in one write()
// each and reports every acknowledged batch; we SIGKILL it at random moments, reopen, and check
// that every acknowledged batch is whole, no batch is partial, and the cursor names the last one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareBytes } from '../../src/store/index.js';
import type { KVStore, StoreEngine } from '../../src/store/index.js';
import { seedFromEnv } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';
import {
  CURSOR_KEY,
  DATA_PREFIX,
  PENDING_PREFIX,
  batchShape,
  dataKey,
  dataValue,
  decodeCursor,
  pendingKey,
  randomSource,
} from './crash-plan.js';
import { TESTED_ENGINES, openEngineStore } from './engines.js';

const soak = process.env['STEMEDB_SOAK'] === '1';
const KILLS = soak ? 200 : 20;
const seed = seedFromEnv();
const writerScript = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

interface CycleResult {
  /** The highest batch the child reported as committed, or 0. */
  reported: number;
  /** The cursor the child resumed from. */
  resumedFrom: number;
}

/** Runs the writer until it has reported `commits` batches, waits `delayMs`, then SIGKILLs it. */
async function runAndKill(
  engine: StoreEngine,
  directory: string,
  commits: number,
  delayMs: number,
): Promise<CycleResult> {
  const args = ['--import', 'tsx', writerScript, engine, directory, String(seed)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let reported = 0;
  let resumedFrom = -1;
  let killScheduled = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      const [word, number] = line.split(' ');
      if (word === 'ready') resumedFrom = Number(number);
      if (word === 'committed') reported = Number(number);
      const progress = resumedFrom < 0 ? -1 : reported === 0 ? 0 : reported - resumedFrom;
      if (!killScheduled && progress >= commits) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    }
  });
  const { code, signal } = await exited;
  assert.equal(signal, 'SIGKILL', `writer exited on its own (code ${code}): ${stderr}`);
  assert.ok(resumedFrom >= 0, `writer was killed before it opened the store: ${stderr}`);
  return { reported, resumedFrom };
}

/**
 * Checks the store after a kill and returns the last whole batch. Batches below `checkFrom` were
 * checked by earlier cycles and are only counted, so the cost of a cycle stays flat.
 */
async function checkStore(
  engine: StoreEngine,
  directory: string,
  checkFrom: number,
  context: string,
): Promise<number> {
  const store = await openEngineStore(engine, directory);
  try {
    const cursor = decodeCursor(store.getSync(CURSOR_KEY));
    const found = await dataBatchesFrom(store, checkFrom, context);
    const present = [...found.keys()].sort((a, b) => a - b);
    const last = present.at(-1) ?? checkFrom - 1;
    assert.deepEqual(present, range(checkFrom, last), `${context}: batches are not a prefix`);
    for (const batch of present) {
      const expected = plannedSizes(batch).length;
      assert.equal(found.get(batch), expected, `${context}: batch ${batch} is partial`);
    }
    assert.equal(cursor, Math.max(last, checkFrom - 1), `${context}: cursor is not the last batch`);
    const pending: string[] = [];
    for await (const [key] of store.iterate({ prefix: PENDING_PREFIX })) {
      pending.push(Buffer.from(key).toString());
    }
    const expectedPending = cursor === 0 ? [] : [Buffer.from(pendingKey(cursor)).toString()];
    assert.deepEqual(pending, expectedPending, `${context}: pending markers disagree with cursor`);
    return cursor;
  } finally {
    await store.close();
  }
}

/** Batch number → how many of its data keys are present with exactly the planned value. */
async function dataBatchesFrom(
  store: KVStore,
  firstBatch: number,
  context: string,
): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  const gte = dataKey(firstBatch, 0);
  for await (const [key, value] of store.iterate({ prefix: DATA_PREFIX, gte })) {
    const [, batchHex, indexHex] = Buffer.from(key).toString().split('/');
    const batch = parseInt(batchHex ?? '', 16);
    const index = parseInt(indexHex ?? '', 16);
    const size = plannedSizes(batch)[index];
    assert.ok(size !== undefined, `${context}: unplanned key ${Buffer.from(key).toString()}`);
    assert.equal(compareBytes(value, dataValue(batch, index, size)), 0, `${context}: wrong value`);
    found.set(batch, (found.get(batch) ?? 0) + 1);
  }
  return found;
}

const sizesByBatch = new Map<number, number[]>();

function plannedSizes(batch: number): number[] {
  let sizes = sizesByBatch.get(batch);
  if (sizes === undefined) {
    sizes = batchShape(seed, batch).valueSizes;
    sizesByBatch.set(batch, sizes);
  }
  return sizes;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

for (const engine of TESTED_ENGINES) {
  test(`${engine}: acknowledged batches survive ${KILLS} SIGKILLs whole; the cursor never leads`, (t) =>
    killLoop(engine, t));
}

async function killLoop(engine: StoreEngine, t: TestContext): Promise<void> {
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const directory = path.join(makeTempDir(t), 'store');
  const random = randomSource(seed);
  let lastWhole = 0;
  let checkedUpTo = 0;
  let wholeButUnreported = 0;
  for (let kill = 1; kill <= KILLS; kill++) {
    const context = `${engine}, seed ${seed}, kill ${kill}`;
    // Mostly mid-run kills at sub-commit offsets; sometimes before the first commit lands.
    const commits = random() < 0.15 ? 0 : 1 + Math.floor(random() * 12);
    const delayMs = random() * 4;
    const { reported, resumedFrom } = await runAndKill(engine, directory, commits, delayMs);
    assert.equal(resumedFrom, lastWhole, `${context}: writer resumed from a different cursor`);
    lastWhole = await checkStore(engine, directory, Math.max(1, checkedUpTo - 1), context);
    // The writer awaits each write before the next: at most one batch is whole but unreported.
    const acknowledged = Math.max(reported, resumedFrom);
    assert.ok(lastWhole >= acknowledged, `${context}: acknowledged batch ${acknowledged} was lost`);
    assert.ok(lastWhole <= acknowledged + 1, `${context}: two unacknowledged batches applied`);
    if (lastWhole === acknowledged + 1) wholeButUnreported++;
    checkedUpTo = lastWhole;
  }
  t.diagnostic(`${lastWhole} batches; ${wholeButUnreported} kills fell between commit and report`);
  const final = `${engine}, seed ${seed}, final full check`;
  assert.equal(await checkStore(engine, directory, 1, final), lastWhole);
}
