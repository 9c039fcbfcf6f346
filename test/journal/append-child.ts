/**
 * Child process of the kill tests: appends payloads `first`, `first+1`, ... to a journal, keeping
 * `inFlight` appends outstanding and issuing them in order, and prints `ack <n>` on stdout as each
 * is acknowledged. It runs until killed.
 * Usage: append-child.ts <dir> <durability> <first> <seed>
 */
import { Journal } from '../../src/index.js';
import type { DurabilityKind } from '../../src/index.js';
import { payloadOf } from '../support/journal-files.js';
import { createRandom } from '../support/random.js';

const [dir, durability, firstText, seedText] = process.argv.slice(2);
const random = createRandom(Number(seedText));
const journal = await Journal.open(dir as string, {
  durability: durability as DurabilityKind,
  maxSegmentBytes: 256 * 1024,
});
const inFlight = 1 + random.nextInt(16);
let next = Number(firstText);

function sizeOf(): number {
  const roll = random.nextInt(100);
  if (roll < 2) return 1024 * 1024 + random.nextInt(2 * 1024 * 1024);
  if (roll < 20) return random.nextInt(16 * 1024);
  return random.nextInt(300);
}

async function appender(): Promise<never> {
  for (;;) {
    const id = next++;
    await journal.append(payloadOf(id, sizeOf()));
    process.stdout.write(`ack ${id}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: inFlight }, appender));
