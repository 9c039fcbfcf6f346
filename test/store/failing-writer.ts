/**
 * Child process of the commit-failure test: `failing-writer.ts <engine> <directory>`, run under a
 * file-size limit so that the engine's writes fail once one of its files reaches it. Writes 64 KiB values until a
 * write rejects, printing `committed <n>` after each acknowledged one, then prints one JSON line
 * describing the failure and how every later call behaved, closes the store and exits 0.
 */
import fs from 'node:fs';
import { engineArgument, openEngineStore } from './engines.js';

const [engineText, directory] = process.argv.slice(2);
if (directory === undefined) throw new Error('usage: <engine> <directory>');
const MAX_WRITES = 10_000;

interface ErrorReport {
  code: unknown;
  path: unknown;
  errno: unknown;
  message: string;
}

function describe(error: unknown): ErrorReport {
  const fields = error as { code?: unknown; path?: unknown; errno?: unknown };
  return {
    code: fields.code,
    path: fields.path,
    errno: fields.errno,
    message: error instanceof Error ? error.message : String(error),
  };
}

async function outcome(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return 'resolved';
  } catch (error) {
    return error;
  }
}

const store = await openEngineStore(engineArgument(engineText), directory);
let failure: unknown;
for (let n = 1; n <= MAX_WRITES && failure === undefined; n++) {
  const key = new TextEncoder().encode(`k/${String(n).padStart(6, '0')}`);
  try {
    await store.write([{ type: 'put', key, value: new Uint8Array(64 * 1024).fill(n & 0xff) }]);
    fs.writeSync(1, `committed ${n}\n`);
  } catch (error) {
    failure = error;
  }
}
const later = [
  await outcome(() => store.getSync(new TextEncoder().encode('k/000001'))),
  await outcome(() => store.get(new TextEncoder().encode('k/000001'))),
  await outcome(() => store.write([{ type: 'delete', key: new TextEncoder().encode('x') }])),
  await outcome(async () => {
    for await (const entry of store.iterate()) return entry;
    return undefined;
  }),
];
await store.close();
fs.writeSync(
  1,
  `${JSON.stringify({
    failure: describe(failure),
    laterAreTheFirstError: later.map((error) => error === failure),
  })}\n`,
);
