// Proves, with real processes killed by SIGKILL at random moments, that the reopened journal is
// one contiguous prefix of what was issued and holds every acknowledged record, at every level.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Journal } from '../../src/index.js';
import { indexOfPayload } from '../support/journal-files.js';
import { createRandom, seedFromEnv } from '../support/random.js';
import { makeTempDir } from '../support/temp-dir.js';

const KILLS_PER_LEVEL = process.env.STEMEDB_SOAK === '1' ? 200 : 30;
const CHILD = new URL('./append-child.ts', import.meta.url).pathname;

interface ChildRun {
  acknowledged: number[];
}

/** Starts the child, lets it run for `runMs` after it is ready, kills it with SIGKILL. */
function runAndKill(dir: string, durability: string, first: number, seed: number, runMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, durability, String(first), String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: number[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), runMs);
        else if (line.startsWith('ack ')) acknowledged.push(Number(line.slice(4)));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ acknowledged });
    });
  });
}

for (const durability of ['immediate', 'batched', 'eventual'] as const) {
  test(`after ${KILLS_PER_LEVEL} SIGKILLs under ${durability}, the log is a contiguous prefix holding every acknowledged record`, async (t) => {
    const seed = seedFromEnv();
    t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
    const random = createRandom(seed);
    const dir = makeTempDir(t);
    let survivors = 0;
    let acknowledgedTotal = 0;
    for (let kill = 0; kill < KILLS_PER_LEVEL; kill++) {
      const { acknowledged } = await runAndKill(dir, durability, survivors, random.nextUint32(), random.nextInt(120));
      acknowledgedTotal += acknowledged.length;
      const journal = await Journal.open(dir);
      let expected = 0;
      for await (const record of journal.iterate()) {
        const id = indexOfPayload(record.payload);
        assert.equal(id, expected, `seed ${seed}, kill ${kill}: record ${expected} expected at ${record.offset}, found ${id}`);
        expected++;
      }
      const lastAcknowledged = Math.max(survivors - 1, ...acknowledged);
      assert.ok(expected > lastAcknowledged, `seed ${seed}, kill ${kill}: acknowledged ${lastAcknowledged} but only ${expected} records survived`);
      survivors = expected;
      await journal.close();
    }
    t.diagnostic(`${KILLS_PER_LEVEL} kills, ${acknowledgedTotal} acknowledged appends, ${survivors} records in the log`);
    assert.ok(acknowledgedTotal > 0, 'the children acknowledged appends before being killed');
  });
}
