/**
 * Child process of the sync audit: `audit-writer.ts <engine> <directory> <writes>`. Awaits each store write
 * and then prints `ACK <n>` on stdout, so a syscall trace shows every acknowledgement in order with
 * the disk writes and syncs around it.
 */
import fs from 'node:fs';
import { engineArgument, openEngineStore } from './engines.js';

const [engineText, directory, writesText] = process.argv.slice(2);
if (directory === undefined || writesText === undefined) {
  throw new Error('usage: <engine> <dir> <writes>');
}
const store = await openEngineStore(engineArgument(engineText), directory);
const utf8 = new TextEncoder();
for (let n = 1; n <= Number(writesText); n++) {
  await store.write([
    { type: 'put', key: utf8.encode(`data/${n}`), value: new Uint8Array(3000).fill(n) },
    { type: 'put', key: utf8.encode('META:cursor'), value: utf8.encode(String(n)) },
  ]);
  fs.writeSync(1, `ACK ${n}\n`);
}
await store.close();
