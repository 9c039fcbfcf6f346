/**
 * Entry point of `npm run bench`: runs the suites named on the command line (all when none is),
 * prints the report on stdout and writes it as JSON under `.bench-tmp/results/`. Progress goes to
 * stderr. See `context.ts` for the environment variables (STEMEDB_BENCH_QUICK=1 for a smoke run).
 *
 *   npm run bench                 every suite
 *   npm run bench -- journal      the journal suite only
 */
import { contextOptionsFromEnvironment, createBenchContext } from './context.js';
import { buildReport, renderReport, writeJsonReport } from './report.js';
import type { SuiteResult } from './suite.js';
import { selectSuites } from './suites.js';

async function main(argv: readonly string[]): Promise<void> {
  let suites;
  try {
    suites = selectSuites(argv.filter((arg) => arg !== '--'));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const context = createBenchContext(contextOptionsFromEnvironment());
  const cleanUp = (): void => {
    context.dispose();
    process.exit(130);
  };
  process.once('SIGINT', cleanUp);
  try {
    context.progress(`scratch directory: ${context.fileSystem.path} (${context.fileSystem.type})`);
    const results: SuiteResult[] = [];
    for (const suite of suites) results.push(await suite.run(context));
    const report = buildReport(context, results);
    process.stdout.write(`${renderReport(report)}\n`);
    for (const file of writeJsonReport(report)) process.stdout.write(`JSON report: ${file}\n`);
  } finally {
    process.off('SIGINT', cleanUp);
    context.dispose();
  }
}

await main(process.argv.slice(2));
