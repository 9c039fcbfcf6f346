/** The body shared by the crash-explorer test files, one file per group of durability levels. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { seedFromEnv } from '../support/random.js';
import { SOAK, exploreLevels } from './explore.js';
import { LEVELS, standardWorkloads } from './workloads.js';

export async function runCrashSuite(t: TestContext, labels: readonly string[], seedsPerWorkload: number): Promise<void> {
  const baseSeed = seedFromEnv();
  const seeds = SOAK ? seedsPerWorkload * 10 : seedsPerWorkload;
  const levels = LEVELS.filter((level) => labels.includes(level.label));
  const started = performance.now();
  const { stats, failures } = await exploreLevels(levels, standardWorkloads, baseSeed, seeds);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.diagnostic(`levels ${labels.join(', ')}; base seed ${baseSeed}; ${seeds} seed(s) per workload; ${seconds} s`);
  t.diagnostic(`crash images ${stats.images} at ${stats.boundaries} boundaries ${JSON.stringify(stats.imagesByKind)}`);
  t.diagnostic(`recoveries that cut ${stats.recoveriesThatCut}; crash images inside recovery ${stats.recoveryCrashImages}; probe appends ${stats.probes}`);
  assert.equal(failures.length, 0, `\n${failures.map((f) => f.text).join('\n\n')}`);
  assert.ok(stats.images > 0, 'no crash image was explored');
}
