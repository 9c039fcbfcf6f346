/**
 * What every command shares: the global options (`--dir`, `--durability`, `--json`), opening the
 * database with them, and writing results on stdout.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { StemeDB } from '../db/index.js';
import type { StemeDBOptions } from '../db/index.js';
import type { DurabilityKind } from '../durability/index.js';
import type { StoreEngine } from '../store/index.js';
import { CliError } from './cli-errors.js';

export const DEFAULT_DIRECTORY = './stemedb-data';

export interface GlobalOptions {
  readonly dir: string;
  readonly durability: DurabilityKind | undefined;
  readonly store: StoreEngine | undefined;
  readonly json: boolean;
}

export interface OpenOptions {
  /** Create a missing directory (init, put, serve); otherwise a missing one is an error. */
  readonly create?: boolean;
  readonly repair?: boolean;
  /** Validate the whole journal at open (`StemeDBOptions.fullScan`). */
  readonly fullScan?: boolean;
}

/** The global options as `command` sees them, wherever they were given on the command line. */
export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{
    dir?: string;
    durability?: DurabilityKind;
    store?: StoreEngine;
    json?: boolean;
  }>();
  return {
    dir: options.dir ?? DEFAULT_DIRECTORY,
    durability: options.durability,
    store: options.store,
    json: options.json === true,
  };
}

export async function openDatabase(
  globals: GlobalOptions,
  options: OpenOptions = {},
): Promise<StemeDB> {
  const { dir } = globals;
  if (options.create === true) {
    fs.mkdirSync(dir, { recursive: true });
  } else if (!isDirectory(dir)) {
    throw new CliError(
      'NOT_FOUND',
      `no database directory at ${dir} ` +
        `(create one with \`stemedb init ${dir}\`, or name one with --dir)`,
    );
  }
  const dbOptions: StemeDBOptions = {
    ...(globals.durability === undefined ? {} : { durability: globals.durability }),
    ...(globals.store === undefined ? {} : { store: globals.store }),
    ...(options.repair === true ? { repair: true } : {}),
    ...(options.fullScan === true ? { fullScan: true } : {}),
  };
  return StemeDB.open(dir, dbOptions);
}

/** Runs `body` on the open database and closes it after, whatever happens. */
export async function withDatabase<T>(
  globals: GlobalOptions,
  options: OpenOptions,
  body: (db: StemeDB) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(globals, options);
  try {
    return await body(db);
  } finally {
    await db.close();
  }
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** One line on stdout. */
export function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `value` as one line of JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
