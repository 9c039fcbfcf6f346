/**
 * Child process of the system-call audit, run under `strace -f`: `audit-child.ts <dir> <records>`.
 * Opens a journal in `<dir>/journal` under `immediate` with small segments, appends payloads
 * 0..records-1 with a few appends outstanding, and prints `ack <id> <offset> <end>` as each is
 * acknowledged: the global offsets where the record starts and ends, so the trace shows which
 * bytes each acknowledgement promises. Then it closes the journal,
 * prints `closed`, replaces `<dir>/state.json` with `atomicWrite` and prints `replaced`.
 */
import path from 'node:path';
import { Journal, atomicWrite } from '../../src/index.js';
import { frameBytes } from '../../src/journal/index.js';
import { enableDeliberateBugFromEnv, payloadFor, say } from './fault-workload.js';

const SEGMENT_BYTES = 4096;
const IN_FLIGHT = 3;
const SIZE_SEED = 7;

const [dir, recordsText] = process.argv.slice(2);
if (dir === undefined || recordsText === undefined) {
  throw new Error('usage: audit-child.ts <dir> <records>');
}
const records = Number(recordsText);
enableDeliberateBugFromEnv();
const journal = await Journal.open(path.join(dir, 'journal'), {
  durability: 'immediate',
  maxSegmentBytes: SEGMENT_BYTES,
});
let next = 0;

async function appender(): Promise<void> {
  while (next < records) {
    const id = next++;
    const payload = payloadFor(SIZE_SEED, id);
    const { offset } = await journal.append(payload);
    say(`ack ${id} ${offset} ${offset + frameBytes(payload.length)}`);
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, appender));
await journal.close();
say('closed');
atomicWrite(path.join(dir, 'state.json'), new TextEncoder().encode(JSON.stringify({ records })));
say('replaced');
