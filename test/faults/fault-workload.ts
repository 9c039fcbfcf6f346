/**
 * The workload of the real-fault tests, shared by the child processes that run it and the parent
 * that checks it: the scenario description, the deterministic record sizes, the line protocol the
 * children speak on stdout, and how a typed error is summarised on one line.
 *
 * Every line a child prints goes out with `fs.writeSync(1, ...)`, one system call, so its order
 * relative to the lines the preloaded library writes on the same descriptor is exact.
 */
import fs from 'node:fs';
import { DELIBERATE_BUGS, enableDeliberateBug } from '../../src/journal/deliberate-bugs.js';
import type { DeliberateBug } from '../../src/journal/deliberate-bugs.js';
import { payloadOf } from '../support/journal-files.js';
import { createRandom } from '../support/random.js';

/** Environment variable the preloaded library reads its plan from (see fault-inject.c). */
export const FAULT_PLAN_ENV = 'STEMEDB_FAULT_PLAN';
/** Environment variable naming a deliberate bug the child enables before opening the journal. */
export const DELIBERATE_BUG_ENV = 'STEMEDB_DELIBERATE_BUG';
/** Calls on the journal's lock file are neither counted nor failed: the lock is not under test. */
export const IGNORED_FILE = 'LOCK';

export const FAULT_KINDS = ['sync', 'write'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultScenario {
  /** The journal directory; it exists and is empty when the scenario starts. */
  directory: string;
  kind: FaultKind;
  /** The first call of `kind` on the journal's files or directory that fails, counting from 1. */
  nth: number;
  mode: 'once' | 'forever';
  level: 'immediate' | 'batched';
  /** Under `batched`: a sync after this many pending writes, or after `batchMaxDelayMs`. */
  batchMaxWrites: number;
  batchMaxDelayMs: number;
  maxSegmentBytes: number;
  /** Appends kept outstanding at once. */
  concurrency: number;
  /** Appends issued at most; a healthy journal stops the workload at the fault well before. */
  records: number;
  /** Seeds the record sizes; see `payloadFor`. */
  sizeSeed: number;
  /** Leave the failed journal open, as a killed process would, instead of closing it. */
  abandon: boolean;
}

/** The value of `STEMEDB_FAULT_PLAN` that makes the library inject this scenario's fault. */
export function planOf(scenario: FaultScenario): string {
  const { kind, nth, mode, directory } = scenario;
  return `${kind}:${nth}:${mode}:${IGNORED_FILE}:${directory}`;
}

/**
 * Payload `id` of a workload seeded by `sizeSeed`: mostly small records, some of a few KiB so
 * segments of a few KiB rotate often and a record can fill a segment alone.
 */
export function payloadFor(sizeSeed: number, id: number): Uint8Array {
  const random = createRandom((sizeSeed + Math.imul(id, 0x9e3779b1)) >>> 0);
  const roll = random.nextInt(100);
  const sizeBytes = roll < 10 ? 1024 + random.nextInt(4096) : 12 + random.nextInt(400);
  return payloadOf(id, sizeBytes);
}

/** Writes one protocol line on stdout with a single system call. */
export function say(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

/** `code/causeCode/errno` of an error and its causes, `-` where there is none. */
export function describeError(error: unknown): string {
  const code = codeOf(error) ?? 'untyped';
  const cause = error instanceof Error ? error.cause : undefined;
  const causeCode = codeOf(cause) ?? '-';
  return `${code}/${causeCode}/${rootErrno(error) ?? '-'}`;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The deepest `errno` or OS code on the cause chain (`EIO`, `ENOSPC`), if any. */
function rootErrno(error: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const errno = (current as { errno?: unknown }).errno;
    const code = codeOf(current);
    if (typeof errno === 'string') found = errno;
    else if (code !== undefined && /^E[A-Z]+$/.test(code)) found = code;
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/**
 * Enables the deliberate bug named by `STEMEDB_DELIBERATE_BUG`, if any, through the engine's own
 * switch; returns its name. An unknown name is an error, so a typo cannot pass as a healthy run.
 */
export function enableDeliberateBugFromEnv(): DeliberateBug | undefined {
  const name = process.env[DELIBERATE_BUG_ENV];
  if (name === undefined || name === '') return undefined;
  const bug = DELIBERATE_BUGS.find((known) => known === name);
  if (bug === undefined) throw new Error(`unknown deliberate bug ${name}`);
  enableDeliberateBug(bug);
  return bug;
}
