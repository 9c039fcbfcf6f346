/** The suite registry: every suite `npm run bench` knows, in the order a full run takes them. */
import { journalSuite } from './journal.bench.js';
import type { BenchSuite } from './suite.js';

/** Add new suites here. */
export const SUITES: readonly BenchSuite[] = [journalSuite];

/** The suites `names` pick, in registry order (all when `names` is empty); unknown names throw. */
export function selectSuites(names: readonly string[]): BenchSuite[] {
  const unknown = names.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    const known = SUITES.map((suite) => `  ${suite.name.padEnd(10)} ${suite.description}`);
    throw new Error(`unknown suite ${unknown.join(', ')}; the suites are:\n${known.join('\n')}`);
  }
  return names.length === 0 ? [...SUITES] : SUITES.filter((suite) => names.includes(suite.name));
}
