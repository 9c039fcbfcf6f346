/**
 * `stemedb serve`: the HTTP API over the database in `--dir`. Prints where it listens on stdout,
 * one JSON line per request on stderr. On SIGTERM or SIGINT it stops accepting connections,
 * finishes the requests in flight, flushes and closes the database, and exits 0; a second signal
 * exits at once with 130.
 */
import type { Command } from 'commander';
import type { RunningServer } from '../../http/index.js';
import type { StemeDB } from '../../db/index.js';
import { globalOptions, openDatabase, printJson, printLine } from '../cli-context.js';
import { CliError } from '../cli-errors.js';

interface ServeOptions {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly quiet?: boolean;
}

const EXIT_INTERRUPTED = 130;
/** Repeated from the HTTP layer, which is loaded only when `serve` runs (it loads fastify). */
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 7070;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (loopback only unless --host says otherwise)')
    .option('--host <host>', 'address to bind', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--token <token>', 'bearer token required on writes (default: $STEMEDB_TOKEN)')
    .option('--quiet', 'no request logs')
    .action(async (options: ServeOptions, command: Command) => {
      const globals = globalOptions(command);
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535) {
        throw new CliError('INVALID_ARGUMENT', `port: must be 0 to 65535, got "${options.port}"`);
      }
      const token = options.token ?? (process.env['STEMEDB_TOKEN'] || undefined);
      const db = await openDatabase(globals, { create: true });
      const running = await listen(db, { host: options.host, port, token, quiet: options.quiet });
      const { url, host } = running;
      const where = { url, host, port: running.port, directory: globals.dir };
      if (globals.json) printJson(where);
      else {
        const guarded = token === undefined ? '' : ' (writes need the token)';
        printLine(`StemeDB serving ${globals.dir} at ${url}${guarded}`);
      }
      const signal = await nextSignal();
      process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
      process.once('SIGTERM', () => process.exit(EXIT_INTERRUPTED));
      process.stderr.write(`stemedb: ${signal}: draining requests, then closing the database\n`);
      await running.close();
      await db.close();
      process.stderr.write('stemedb: closed cleanly\n');
    });
}

async function listen(
  db: StemeDB,
  options: { host: string; port: number; token: string | undefined; quiet: boolean | undefined },
): Promise<RunningServer> {
  try {
    const { startServer } = await import('../../http/index.js');
    return await startServer(db, {
      host: options.host,
      port: options.port,
      token: options.token,
      logRequests: options.quiet !== true,
    });
  } catch (error) {
    await db.close();
    const errno = (error as { code?: unknown }).code;
    const reason = typeof errno === 'string' ? errno : (error as Error).message;
    throw new CliError('IO_ERROR', `cannot listen on ${options.host}:${options.port} (${reason})`, {
      cause: error,
    });
  }
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
