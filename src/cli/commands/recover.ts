/**
 * `stemedb recover [--repair]`: opens the database, running recovery over the whole journal (not
 * only past its checkpoint, as other opens do), and prints what recovery found. Without
 * `--repair` damage in the synced part of the journal fails with exit code 2; with it, the
 * damaged region and everything after it are quarantined and the rest is kept.
 */
import type { Command } from 'commander';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';
import { describeObject } from './stats.js';

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('open the database, recovering the journal, and print the recovery report')
    .option('--repair', 'quarantine damaged data instead of refusing to open')
    .action(async (options: { repair?: boolean }, command: Command) => {
      const globals = globalOptions(command);
      const repair = options.repair === true;
      const opened = { repair, fullScan: true };
      const report = await withDatabase(globals, opened, async (db) => db.recoveryReport);
      if (globals.json) {
        printJson(report);
        return;
      }
      const damaged = report.quarantined.length > 0;
      printLine(
        damaged
          ? `recovered with ${report.quarantined.length} region(s) quarantined ` +
              `(${report.bytesQuarantined} bytes)`
          : `recovered cleanly${report.cleanShutdown ? '' : ' (the last shutdown was not clean)'}`,
      );
      for (const line of describeObject(report)) printLine(`  ${line}`);
    });
}
