/**
 * Raw append baselines: what the disk and the syscalls cost with no journal at all. Each writes the
 * same payload with `fs.writeSync` to an `'a'` (O_APPEND) descriptor, synchronously, from one
 * caller, in one of three sync patterns. They are the floor a journal cell is divided by.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CellBudget } from './context.js';
import type { Sample } from './suite.js';
import { sampleOf } from './suite.js';

export const RAW_SYNC_PATTERNS = ['sync-each', 'sync-per-100', 'no-sync'] as const;
export type RawSyncPattern = (typeof RAW_SYNC_PATTERNS)[number];

export const RAW_PATTERN_LABELS: Record<RawSyncPattern, string> = {
  'sync-each': 'raw append + fdatasync each',
  'sync-per-100': 'raw append, fdatasync per 100',
  'no-sync': 'raw append, no sync',
};

/** Records per fdatasync of the `sync-per-100` pattern. */
export const RAW_GROUP_RECORDS = 100;

/** Patterns without a per-record sync read the clock only this often, keeping it off the path. */
const CLOCK_CHECK_EVERY_OPS = 16;

/**
 * Measures one pattern in a new file in `directory`: a warm-up, then the timed run. The timed run
 * ends on a sync boundary (a group under `sync-per-100`). The file is synced after the timed run,
 * untimed, so its dirty pages do not slow the cell measured next.
 */
export function measureRawAppend(
  directory: string,
  pattern: RawSyncPattern,
  payloadBytes: number,
  budget: CellBudget,
): Sample {
  const payload = crypto.randomBytes(payloadBytes);
  const file = path.join(directory, `${pattern}-${payloadBytes}.log`);
  const fd = fs.openSync(file, 'a', 0o644);
  try {
    const maxOps = Math.min(budget.maxOps, Math.floor(budget.maxBytes / payloadBytes));
    appendFor(fd, payload, pattern, budget.warmupMs, maxOps);
    const sample = appendFor(fd, payload, pattern, budget.measureMs, maxOps);
    fs.fdatasyncSync(fd);
    return sample;
  } finally {
    fs.closeSync(fd);
  }
}

function appendFor(
  fd: number,
  payload: Buffer,
  pattern: RawSyncPattern,
  durationMs: number,
  maxOps: number,
): Sample {
  const syncEach = pattern === 'sync-each';
  const syncGroup = pattern === 'sync-per-100';
  const groupOps = syncGroup ? RAW_GROUP_RECORDS : CLOCK_CHECK_EVERY_OPS;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let ops = 0;
  let now = start;
  do {
    for (let i = 0; i < groupOps; i++) {
      if (fs.writeSync(fd, payload) !== payload.length) throw new Error('short write in baseline');
      if (syncEach) fs.fdatasyncSync(fd);
    }
    if (syncGroup) fs.fdatasyncSync(fd);
    ops += groupOps;
    now = process.hrtime.bigint();
  } while (ops < maxOps && now < deadline);
  return sampleOf(ops, Number(now - start) / 1e9);
}
