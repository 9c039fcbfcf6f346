/**
 * `stemedb verify`: re-hashes every stored record and checks every index entry. Exit code 2 when
 * anything does not match.
 */
import type { Command } from 'commander';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';
import { EXIT_DATA_ERROR } from '../cli-errors.js';
import { ProgressBar } from '../progress-bar.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check every stored record against its hash; exit 2 on any mismatch')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const report = await withDatabase(globals, {}, async (db) => {
        const stats = await db.stats();
        // Records and their two index entries each; the bar's total is an estimate.
        const total = stats.assertions * 3 + stats.votes + stats.epochs;
        const bar = process.stderr.isTTY
          ? new ProgressBar(process.stderr, 'verify', total)
          : undefined;
        try {
          return await db.verify({ onProgress: (checked: number) => bar?.update(checked) });
        } finally {
          bar?.finish();
        }
      });
      if (globals.json) {
        printJson(report);
      } else {
        const outcome = report.ok ? 'ok' : `${report.mismatchCount} mismatches`;
        printLine(`checked ${report.checked} entries: ${outcome}`);
        for (const mismatch of report.mismatches) {
          printLine(`  ${mismatch.problem} at key ${mismatch.key}: ${mismatch.detail}`);
        }
      }
      if (!report.ok) process.exitCode = EXIT_DATA_ERROR;
    });
}
