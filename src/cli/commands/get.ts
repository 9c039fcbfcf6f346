/** `stemedb get <hash>`: prints the record with this content address as JSON. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { HASH_BYTES, fromHex } from '../../records/index.js';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';
import { CliError } from '../cli-errors.js';

export function registerGet(program: Command): void {
  program
    .command('get')
    .description('print the record with this hash')
    .argument('<hash>', 'content address, 64 hex digits')
    .action(async (hash: string, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      if (fromHex(hash, HASH_BYTES) === undefined) {
        const message = `must be ${HASH_BYTES * 2} hex digits, got "${hash}"`;
        throw new InvalidArgumentError(message, 'hash');
      }
      const record = await withDatabase(globals, {}, (db) => db.get(hash));
      if (record === undefined) throw new CliError('NOT_FOUND', `no record with hash ${hash}`);
      if (globals.json) printJson(record);
      else printLine(JSON.stringify(record, null, 2));
    });
}
