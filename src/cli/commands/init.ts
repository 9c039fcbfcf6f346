/** `stemedb init [dir]`: creates an empty database (or opens an existing one and leaves it be). */
import type { Command } from 'commander';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a database directory (default: --dir)')
    .argument('[dir]', 'the directory to create')
    .action(async (dir: string | undefined, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const target = { ...globals, dir: dir ?? globals.dir };
      const stats = await withDatabase(target, { create: true }, (db) => db.stats());
      if (globals.json) printJson({ directory: target.dir, stats });
      else printLine(`initialized StemeDB in ${target.dir}`);
    });
}
