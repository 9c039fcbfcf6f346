/**
 * `stemedb bench`: a short end-to-end measurement on a fresh temporary database: assertions
 * written by `CLI_BENCH_WRITERS` concurrent writers, then each read back by hash. For the full
 * suites with baselines, see `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { StemeDB } from '../../db/index.js';
import { CLI_BENCH_DEFAULT_RECORDS, CLI_BENCH_WRITERS } from '../../limits.js';
import { DEFAULT_STORE_ENGINE } from '../../store/index.js';
import { globalOptions, printJson, printLine } from '../cli-context.js';
import { positiveInteger } from './scan.js';

/** Fixed so that every run writes the same records (and so the same hashes). */
const BENCH_EPOCH_MS = Date.UTC(2025, 0, 1);

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure writes and reads on a temporary database (ignores --dir)')
    .option('--records <count>', 'assertions to write', String(CLI_BENCH_DEFAULT_RECORDS))
    .action(async (options: { records: string }, command: Command) => {
      const globals = globalOptions(command);
      const records = positiveInteger(options.records, 'records');
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'stemedb-bench-'));
      try {
        const durability = globals.durability ?? 'immediate';
        const store = globals.store ?? DEFAULT_STORE_ENGINE;
        const db = await StemeDB.open(directory, { durability, store });
        let result;
        try {
          result = await measure(db, records);
        } finally {
          await db.close();
        }
        const report = { records, writers: CLI_BENCH_WRITERS, durability, store, ...result };
        if (globals.json) {
          printJson(report);
          return;
        }
        printLine(
          `writes: ${Math.round(result.writesPerSecond)} assertions/s ` +
            `(${records} assertions, ${CLI_BENCH_WRITERS} writers, durability ${durability}, ` +
              `store ${store})`,
        );
        printLine(`reads:  ${Math.round(result.readsPerSecond)} gets/s (each assertion by hash)`);
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    });
}

async function measure(
  db: StemeDB,
  records: number,
): Promise<{ writesPerSecond: number; readsPerSecond: number }> {
  const hashes: string[] = new Array<string>(records);
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < records; i = next++) {
      const result = await db.assert({
        subject: `bench/entity-${i % 1000}`,
        predicate: `measure-${i % 7}`,
        object: { type: 'number', value: i },
        confidence: 0.5,
        timestamp: BENCH_EPOCH_MS + i,
      });
      hashes[i] = result.hash;
    }
  };
  const writeStart = performance.now();
  await Promise.all(Array.from({ length: CLI_BENCH_WRITERS }, writer));
  await db.flush();
  const writeSeconds = (performance.now() - writeStart) / 1000;
  next = 0;
  const reader = async (): Promise<void> => {
    for (let i = next++; i < records; i = next++) {
      const hash = hashes[i];
      if (hash === undefined || (await db.get(hash)) === undefined) {
        throw new Error(`bench: assertion ${i} was acknowledged but cannot be read back`);
      }
    }
  };
  const readStart = performance.now();
  await Promise.all(Array.from({ length: CLI_BENCH_WRITERS }, reader));
  const readSeconds = (performance.now() - readStart) / 1000;
  return { writesPerSecond: records / writeSeconds, readsPerSecond: records / readSeconds };
}
