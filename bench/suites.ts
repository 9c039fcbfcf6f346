/** The suite registry: every suite `npm run bench` knows, in the order a full run takes them. */
import { claimsQuerySuite } from './claims-query.bench.js';
import { claimsRssSuite } from './claims-rss.bench.js';
import { claimsSuite } from './claims.bench.js';
import { httpSuite } from './http.bench.js';
import { journalSuite } from './journal.bench.js';
import type { BenchSuite } from './suite.js';

/** Add new suites here. */
export const SUITES: readonly BenchSuite[] = [journalSuite, claimsSuite, claimsQuerySuite, httpSuite];

/** Suites too slow for every run: they run only when named (`npm run bench -- claims-rss`). */
export const NAMED_ONLY_SUITES: readonly BenchSuite[] = [claimsRssSuite];

/** The suites `names` pick, in registry order (`SUITES` when none); unknown names throw. */
export function selectSuites(names: readonly string[]): BenchSuite[] {
  const all = [...SUITES, ...NAMED_ONLY_SUITES];
  const unknown = names.filter((name) => !all.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    const known = all.map((suite) => `  ${suite.name.padEnd(12)} ${suite.description}`);
    throw new Error(`unknown suite ${unknown.join(', ')}; the suites are:\n${known.join('\n')}`);
  }
  return names.length === 0 ? [...SUITES] : all.filter((suite) => names.includes(suite.name));
}
