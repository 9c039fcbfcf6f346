// Proves the claim-store benchmarks still run end to end at tiny sizes: every engine ingests,
// settles and answers queries, every cell reports positive finite figures and its ratios, and
// the slow RSS suite runs only when named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASELINE_ENGINES, CLAIM_ENGINES } from '../../bench/claim-stores.js';
import { claimInput, claimWorkload, encodeClaim } from '../../bench/claim-workload.js';
import { QUERY_KINDS, claimsQuerySuite, queryRowId } from '../../bench/claims-query.bench.js';
import { claimsRssSuite, rssRowId } from '../../bench/claims-rss.bench.js';
import {
  CLAIM_LEVELS,
  CODEC_ROW_ID,
  INGEST_SHAPES,
  claimRowId,
  claimsSuite,
} from '../../bench/claims.bench.js';
import { createBenchContext } from '../../bench/context.js';
import { buildReport, renderReport } from '../../bench/report.js';
import type { BenchRow } from '../../bench/suite.js';
import { selectSuites } from '../../bench/suites.js';
import { makeTempDir } from '../support/temp-dir.js';

const isPositiveFinite = (value: number | undefined): boolean =>
  value !== undefined && Number.isFinite(value) && value > 0;

function quickContext(t: Parameters<typeof makeTempDir>[0]) {
  const context = createBenchContext({
    quick: true,
    rounds: 1,
    directory: makeTempDir(t),
    progress: () => {},
  });
  t?.after(() => context.dispose());
  return context;
}

function assertFigures(row: BenchRow): void {
  assert.ok(row.samples.length > 0, `${row.id} has samples`);
  for (const sample of row.samples) assert.ok(sample.ops > 0 && sample.seconds > 0, row.id);
  assert.ok(isPositiveFinite(row.opsPerSecond), `${row.id} ops/s ${row.opsPerSecond}`);
}

test('the claim workload is deterministic and every claim has its own content address', () => {
  const workload = claimWorkload();
  assert.deepEqual(claimInput(workload, 12_345), claimInput(workload, 12_345));
  const hashes = new Set<string>();
  for (let i = 0; i < 500; i++) {
    hashes.add(Buffer.from(encodeClaim(claimInput(workload, i)).hash).toString('hex'));
  }
  assert.equal(hashes.size, 500);
});

test('the quick claims suite measures every engine, level and shape with ratios', async (t) => {
  const context = quickContext(t);
  const result = await claimsSuite.run(context);
  const expected = [
    CODEC_ROW_ID,
    ...INGEST_SHAPES.flatMap((shape) => [
      ...CLAIM_LEVELS.map((level) => claimRowId('stemedb', level, shape)),
      ...BASELINE_ENGINES.flatMap((engine) =>
        (['immediate', 'batched'] as const).map((level) => claimRowId(engine, level, shape)),
      ),
    ]),
  ];
  assert.deepEqual(result.rows.map((row) => row.id).sort(), [...expected].sort());
  for (const row of result.rows) {
    assertFigures(row);
    if (row.id === CODEC_ROW_ID) continue;
    // Every cell ran work in its window, so it spent CPU time on it.
    assert.ok(isPositiveFinite(row.metrics?.['CPU µs/claim']), `${row.id} CPU per claim`);
    assert.ok(isPositiveFinite(row.metrics?.['cores']), `${row.id} cores`);
    if (row.group !== 'stemedb') continue;
    assert.ok(isPositiveFinite(row.pairedRatio), `${row.id} ratio to SQLite`);
    assert.ok(isPositiveFinite(row.metrics?.['% of LevelDB']), `${row.id} ratio to LevelDB`);
    assert.ok(isPositiveFinite(row.metrics?.['% of LMDB']), `${row.id} ratio to LMDB`);
  }
  assert.equal(result.targets.length, 1 + CLAIM_LEVELS.length);
  for (const target of result.targets) assert.equal(target.met, target.ratio >= target.threshold);
  assert.match(renderReport(buildReport(context, [result])), /StemeDB batched, putMany/);
});

test('the quick claims-query suite builds each store and answers every query', async (t) => {
  const result = await claimsQuerySuite.run(quickContext(t));
  const expected = QUERY_KINDS.flatMap((kind) =>
    CLAIM_ENGINES.map((engine) => queryRowId(kind, engine)),
  );
  assert.deepEqual(result.rows.map((row) => row.id).sort(), [...expected].sort());
  for (const row of result.rows) {
    assertFigures(row);
    if (row.id.startsWith('get/')) assert.ok(isPositiveFinite(row.metrics?.['p99 µs']), row.id);
    if (row.id.startsWith('open/')) assert.ok(isPositiveFinite(row.metrics?.['open ms']), row.id);
  }
  const mine = result.rows.find((row) => row.id === 'get/stemedb');
  assert.ok(isPositiveFinite(mine?.pairedRatio));
  assert.ok(isPositiveFinite(mine?.metrics?.['% of LevelDB']));
});

test('the quick claims-rss suite reports peak memory from child processes', async (t) => {
  const result = await claimsRssSuite.run(quickContext(t));
  assert.deepEqual(
    result.rows.map((row) => row.id),
    [rssRowId('stemedb'), rssRowId('leveldb'), rssRowId('lmdb')],
  );
  for (const row of result.rows) {
    assertFigures(row);
    assert.ok(isPositiveFinite(row.metrics?.['peak RSS MiB']), `${row.id} peak RSS`);
  }
  assert.equal(result.targets.length, 1);
});

test('the claims-rss suite runs only when named', () => {
  assert.ok(!selectSuites([]).some((suite) => suite.name === 'claims-rss'));
  assert.deepEqual(selectSuites(['claims-rss']).map((suite) => suite.name), ['claims-rss']);
  assert.ok(selectSuites([]).some((suite) => suite.name === 'claims'));
});
