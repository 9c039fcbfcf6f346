/**
 * The `stemedb` command line: the program with every command, and `runCli`, which parses, runs and
 * turns any failure into a one-line message and an exit code (see `cli-errors.ts`).
 */
import { Command, Option } from 'commander';
import { DURABILITY_KINDS } from '../durability/index.js';
import { STORE_ENGINES } from '../store/index.js';
import { DEFAULT_DIRECTORY } from './cli-context.js';
import { reportError } from './cli-errors.js';
import { registerBench } from './commands/bench.js';
import { registerGet } from './commands/get.js';
import { registerInit } from './commands/init.js';
import { registerKeygen } from './commands/keygen.js';
import { registerPut } from './commands/put.js';
import { registerRecover } from './commands/recover.js';
import { registerScan } from './commands/scan.js';
import { registerServe } from './commands/serve.js';
import { registerStats } from './commands/stats.js';
import { registerVerify } from './commands/verify.js';

export const CLI_VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('stemedb')
    .description('A durable, content-addressed claim store.')
    .version(CLI_VERSION)
    .option('-d, --dir <path>', 'database directory', DEFAULT_DIRECTORY)
    .addOption(
      new Option('--durability <level>', 'when a write counts as done (default immediate)').choices(
        DURABILITY_KINDS,
      ),
    )
    .addOption(
      new Option(
        '--store <engine>',
        "store engine (default: the existing store's, else leveldb); " +
          'switching rebuilds it from the journal',
      ).choices(STORE_ENGINES),
    )
    .option('--json', 'machine-readable output (JSON, or JSON Lines for lists)')
    .showHelpAfterError('(run `stemedb --help` for usage)');
  for (const register of [
    registerInit,
    registerPut,
    registerGet,
    registerScan,
    registerVerify,
    registerRecover,
    registerStats,
    registerServe,
    registerBench,
    registerKeygen,
  ]) {
    register(program);
  }
  return program;
}

/** Runs the command line `argv` (as `process.argv`) and sets `process.exitCode`. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = reportError(error, argv.includes('--json'));
  }
}
