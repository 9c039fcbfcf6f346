// Proves the benchmark harness still runs end to end: the quick journal suite yields every cell
// with positive, finite figures and its targets, and its report renders and round-trips as JSON.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { RAW_SYNC_PATTERNS } from '../../bench/baselines.js';
import { createBenchContext } from '../../bench/context.js';
import {
  APPENDER_COUNTS,
  JOURNAL_LEVELS,
  PAYLOAD_SIZES_BYTES,
  journalRowId,
  journalSuite,
  naturalBaseline,
  rawRowId,
} from '../../bench/journal.bench.js';
import type { BenchReport } from '../../bench/report.js';
import { buildReport, renderReport, writeJsonReport } from '../../bench/report.js';
import { selectSuites } from '../../bench/suites.js';
import type { DurabilityKind } from '../../src/index.js';
import { makeTempDir } from '../support/temp-dir.js';

const isPositiveFinite = (value: number | undefined): boolean =>
  value !== undefined && Number.isFinite(value) && value > 0;

test('the quick journal suite reports every cell with positive finite figures', async (t) => {
  const directory = makeTempDir(t);
  const context = createBenchContext({ quick: true, rounds: 1, directory, progress: () => {} });
  t.after(() => context.dispose());
  const result = await journalSuite.run(context);

  const byId = new Map(result.rows.map((row) => [row.id, row]));
  const expected = PAYLOAD_SIZES_BYTES.flatMap((bytes) => [
    ...RAW_SYNC_PATTERNS.map((pattern) => rawRowId(pattern, bytes)),
    ...JOURNAL_LEVELS.flatMap((level) =>
      APPENDER_COUNTS.map((count) => journalRowId(level, count, bytes)),
    ),
  ]);
  assert.deepEqual([...byId.keys()].sort(), [...expected].sort());
  for (const row of result.rows) {
    assert.ok(row.samples.length > 0, `${row.id} has samples`);
    for (const sample of row.samples) {
      assert.ok(sample.ops > 0 && sample.seconds > 0, `${row.id} ran`);
    }
    assert.ok(isPositiveFinite(row.opsPerSecond), `${row.id} ops/s ${row.opsPerSecond}`);
    assert.ok(isPositiveFinite(row.megabytesPerSecond), `${row.id} MB/s ${row.megabytesPerSecond}`);
    if (row.group !== 'journal') continue;
    const { level, appenders } = row.params as { level: DurabilityKind; appenders: number };
    assert.equal(row.baselineId, rawRowId(naturalBaseline(level, appenders), row.payloadBytes));
    assert.ok(isPositiveFinite(row.ratio) && isPositiveFinite(row.pairedRatio), `${row.id} ratios`);
  }

  assert.equal(result.targets.length, 3 * PAYLOAD_SIZES_BYTES.length);
  for (const target of result.targets) {
    assert.ok(isPositiveFinite(target.ratio), target.description);
    assert.equal(target.met, target.ratio >= target.threshold);
  }

  const report = buildReport(context, [result]);
  const text = renderReport(report);
  for (const target of result.targets) assert.ok(text.includes(target.description));
  const [written] = writeJsonReport(report, makeTempDir(t));
  assert.ok(written !== undefined);
  const parsed = JSON.parse(fs.readFileSync(written, 'utf8')) as BenchReport;
  assert.equal(parsed.suites[0]?.rows.length, expected.length);
  assert.ok(parsed.machine.cpus > 0 && parsed.machine.node === process.version);
});

test('suites are picked by name, and an unknown name is refused with the list of suites', () => {
  assert.deepEqual(selectSuites(['journal']).map((suite) => suite.name), ['journal']);
  assert.ok(selectSuites([]).length >= 1);
  assert.throws(() => selectSuites(['no-such-suite']), /unknown suite no-such-suite.*journal/s);
});
