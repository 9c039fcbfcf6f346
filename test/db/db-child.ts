/**
 * Child process of the database kill tests. It loads, prints `loaded`, then waits for one line on
 * stdin: `go <dir> <durability> <first> <seed> <mode> <maxClaims>`. It opens the database and
 * asserts claims `first`, `first+1`, ... (see `claimOf`) with several writers in flight, printing
 * `ack <id>` as each is acknowledged (`ack <from> <to>` for a range). After `maxClaims` claims
 * (and, in `between` mode, once the ingestor has paused) it stops writing, so that checking a run
 * stays cheap, and idles until killed.
 *
 * Modes, using the ingestor's test-only hooks:
 * - `random`: no pause; the parent kills at a random moment.
 * - `between`: after a few committed ingest batches the ingestor stops, prints `paused`, and
 *   never writes again, so the kill lands between two batches.
 * - `during`: it first writes one large `putMany`, and prints `writing` just before the store
 *   write of the ingest batch that holds it, so a kill shortly after lands inside that write,
 *   and `written` once that write has returned.
 */
import fs from 'node:fs';
import { StemeDB } from '../../src/db/index.js';
import { DEFAULT_STORE_ENGINE } from '../../src/store/index.js';
import { setIngestHooksForTesting } from '../../src/db/test-hooks.js';
import type { DurabilityKind, StoreEngine } from '../../src/index.js';
import { createRandom } from '../support/random.js';
import { claimOf } from './claims.js';

const LARGE_BATCH_RECORDS = 400;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes a line to stdout synchronously, so a line is never printed for a write that was not
 * acknowledged. stdout is a non-blocking pipe: when it is full, wait a little and try again.
 */
function say(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

let paused = false;

function installHooks(mode: string, pauseAfter: number): void {
  if (mode === 'between') {
    setIngestHooksForTesting({
      afterWrite: (info) => {
        if (info.sequence < pauseAfter) return undefined;
        paused = true;
        say('paused');
        return new Promise<void>(() => undefined);
      },
    });
  } else if (mode === 'during') {
    setIngestHooksForTesting({
      beforeWrite: (info) => {
        if (info.records >= LARGE_BATCH_RECORDS / 2) say('writing');
      },
      afterWrite: (info) => {
        if (info.records >= LARGE_BATCH_RECORDS / 2) say('written');
      },
    });
  }
}

async function run(args: string[]): Promise<void> {
  const [dir, durability, firstText, seedText, mode, maxText, engine] = args;
  const random = createRandom(Number(seedText));
  installHooks(mode ?? 'random', 1 + random.nextInt(3));
  const db = await StemeDB.open(dir as string, {
    durability: durability as DurabilityKind,
    store: (engine ?? DEFAULT_STORE_ENGINE) as StoreEngine,
  });
  let next = Number(firstText);
  const last = next + Number(maxText);
  say('ready');
  if (mode === 'during') {
    const ids = Array.from({ length: LARGE_BATCH_RECORDS }, () => next++);
    await db.putMany(ids.map(claimOf));
    say(`ack ${ids[0]} ${ids.at(-1)}`);
  }
  const writer = async (): Promise<void> => {
    // In `between` mode the claims go on until the ingestor has paused, or it might never reach
    // its pause point; once it has, more claims would only make the checks longer.
    while (!paused && (next < last || mode === 'between')) {
      const id = next++;
      await db.assert(claimOf(id));
      say(`ack ${id}`);
    }
  };
  await Promise.all(Array.from({ length: 1 + random.nextInt(8) }, writer));
  say('idle');
}

// Keeps the process alive while it idles or is paused, until the parent kills it.
setInterval(() => undefined, 60_000);
say('loaded');
process.stdin.once('data', (chunk: Buffer) => {
  const [word, ...args] = chunk.toString().trim().split(' ');
  if (word !== 'go') throw new Error(`unexpected command ${word}`);
  run(args).catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
});
