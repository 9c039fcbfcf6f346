/**
 * Child process of the store crash test: `crash-writer.ts <engine> <directory> <seed>`. Resumes after the
 * cursor, writes batches forever, and after each `write()` resolves prints `committed <n>` on
 * stdout (synchronously, so a line is never printed for a batch that was not acknowledged).
 */
import fs from 'node:fs';
import { CURSOR_KEY, MAX_BATCHES, batchOps, decodeCursor } from './crash-plan.js';
import { engineArgument, openEngineStore } from './engines.js';

const [engineText, directory, seedText] = process.argv.slice(2);
if (directory === undefined || seedText === undefined) {
  throw new Error('usage: <engine> <directory> <seed>');
}
const seed = Number(seedText);

const store = await openEngineStore(engineArgument(engineText), directory);
const start = decodeCursor(store.getSync(CURSOR_KEY)) + 1;
fs.writeSync(1, `ready ${start - 1}\n`);
for (let batch = start; batch < start + MAX_BATCHES; batch++) {
  await store.write(batchOps(seed, batch));
  fs.writeSync(1, `committed ${batch}\n`);
}
await store.close();
