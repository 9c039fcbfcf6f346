/**
 * `stemedb put [file]`: writes records from a file or stdin (JSON Lines, or one JSON value or
 * array). All or nothing for bad input: every record is checked before the first is written, so a
 * file with one bad line writes nothing and the message names the line. Records are then written
 * with `putMany` in chunks of `CLI_PUT_CHUNK_RECORDS`, each one group commit; should a write fail
 * (the disk, not the input), the message says how many records were written before it.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { StemeDB } from '../../db/index.js';
import { StemeError } from '../../errors.js';
import { CLI_PUT_CHUNK_RECORDS } from '../../limits.js';
import {
  fromHex,
  parseRecordInput,
  signRecord,
  signingKeyFromSeed,
  toHex,
  toOutput,
} from '../../records/index.js';
import type { SigningKey, StemeRecord } from '../../records/index.js';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';
import { CliError, locatedError } from '../cli-errors.js';
import type { InputItem, InputSource } from '../input-source.js';
import { openInputSource } from '../input-source.js';
import { progressBarOnTerminal } from '../progress-bar.js';

interface PutOptions {
  readonly quiet?: boolean;
  readonly signWith?: string;
}

type Counts = Record<StemeRecord['type'], number>;

/** What `put` prints per acknowledged record: its hash, its write result as JSON, or nothing. */
type Output = 'hashes' | 'json' | 'none';

interface WritePlan {
  readonly key: SigningKey | undefined;
  readonly total: number;
  readonly output: Output;
}

export function registerPut(program: Command): void {
  program
    .command('put')
    .description('write records from a JSON / JSON Lines file, or stdin; prints each hash')
    .argument('[file]', 'input file; stdin when omitted or "-"')
    .option('-q, --quiet', 'print one summary instead of each hash')
    .option('--sign-with <keyfile>', 'sign every assertion with this key (see `stemedb keygen`)')
    .action(async (file: string | undefined, options: PutOptions, command: Command) => {
      const globals = globalOptions(command);
      const key = options.signWith === undefined ? undefined : readSigningKey(options.signWith);
      const source = await openInputSource(file);
      try {
        const startMs = performance.now();
        const counts = await validateAll(source, key);
        const total = counts.assertion + counts.vote + counts.epoch;
        const output: Output = options.quiet === true ? 'none' : globals.json ? 'json' : 'hashes';
        await withDatabase(globals, { create: true }, (db) =>
          writeAll(db, source, { key, total, output }),
        );
        if (options.quiet === true) {
          const seconds = (performance.now() - startMs) / 1000;
          printSummary(globals.json, globals.dir, counts, seconds);
        }
      } finally {
        await source.dispose();
      }
    });
}

/** Reads the whole input once, checking every record; throws for the first bad one. */
async function validateAll(source: InputSource, key: SigningKey | undefined): Promise<Counts> {
  // The schemas (typebox) load only for `put`, which keeps the other commands quick to start.
  checkRecordShape ??= (await import('../../http/index.js')).checkRecordShape;
  const counts: Counts = { assertion: 0, vote: 0, epoch: 0 };
  for await (const item of source.items()) counts[prepare(item, key).record.type]++;
  return counts;
}

interface Prepared {
  readonly record: StemeRecord;
  /** What goes to `putMany`: the input itself, or the signed record as JSON. */
  readonly input: unknown;
}

let checkRecordShape: ((value: unknown) => void) | undefined;

function prepare(item: InputItem, key: SigningKey | undefined): Prepared {
  try {
    checkRecordShape?.(item.value);
    const record = parseRecordInput(item.value);
    if (key === undefined || record.type !== 'assertion') return { record, input: item.value };
    const signed = signRecord(record, key, record.timestamp);
    return { record: signed, input: toOutput(signed) };
  } catch (error) {
    throw locatedError(item.location, error);
  }
}

async function writeAll(
  db: StemeDB,
  source: InputSource,
  { key, total, output }: WritePlan,
): Promise<void> {
  const bar = progressBarOnTerminal('put', total);
  let written = 0;
  let chunk: InputItem[] = [];
  const flushChunk = async (): Promise<void> => {
    const results = await writeChunk(db, chunk, key, written);
    written += results.length;
    chunk = [];
    bar?.update(written);
    for (const result of results) {
      if (output === 'hashes') printLine(result.hash);
      else if (output === 'json') printJson(result);
    }
  };
  try {
    for await (const item of source.items()) {
      chunk.push(item);
      if (chunk.length >= CLI_PUT_CHUNK_RECORDS) await flushChunk();
    }
    if (chunk.length > 0) await flushChunk();
    await db.flush();
  } finally {
    bar?.finish();
  }
}

async function writeChunk(
  db: StemeDB,
  chunk: readonly InputItem[],
  key: SigningKey | undefined,
  writtenBefore: number,
): Promise<Array<{ hash: string; offset: number; type: string }>> {
  const inputs = chunk.map((item) => prepare(item, key).input);
  try {
    return await db.putMany(inputs);
  } catch (error) {
    const index = (error as { index?: unknown }).index;
    const item = typeof index === 'number' ? chunk[index] : undefined;
    const located = item === undefined ? error : locatedError(item.location, withoutIndex(error));
    if (!(located instanceof StemeError) || writtenBefore === 0) throw located;
    throw new CliError(
      located.code,
      `${located.message} (${writtenBefore} records before it were written)`,
      { cause: located },
    );
  }
}

/** The error without the `[3].` that `putMany` puts in front; the location replaces it. */
function withoutIndex(error: unknown): unknown {
  if (!(error instanceof StemeError)) return error;
  const message = error.message.replace(/^\[\d+\](\.|: )?/, '');
  return new CliError(error.code, message, { cause: error });
}

function printSummary(json: boolean, dir: string, counts: Counts, seconds: number): void {
  const written = counts.assertion + counts.vote + counts.epoch;
  if (json) {
    printJson({ written, ...counts, directory: dir, seconds: Math.round(seconds * 1000) / 1000 });
    return;
  }
  const { assertion, vote, epoch } = counts;
  const parts = [`${assertion} assertions`, `${vote} votes`, `${epoch} epochs`];
  printLine(`wrote ${written} records (${parts.join(', ')}) to ${dir} in ${seconds.toFixed(2)} s`);
}

/** A key file written by `stemedb keygen`: `{ "agentId": hex, "seed": hex }`. */
export function readSigningKey(file: string): SigningKey {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('INVALID_ARGUMENT', `cannot read key file ${file}: ${reason}`);
  }
  const fields = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const seed = typeof fields['seed'] === 'string' ? fromHex(fields['seed'], 32) : undefined;
  if (seed === undefined) {
    throw new CliError('INVALID_ARGUMENT', `key file ${file}: seed must be 64 hex digits`);
  }
  const key = signingKeyFromSeed(seed);
  if (fields['agentId'] !== undefined && fields['agentId'] !== toHex(key.agentId)) {
    const message = `key file ${file}: agentId is not the public key of seed`;
    throw new CliError('INVALID_ARGUMENT', message);
  }
  return key;
}
