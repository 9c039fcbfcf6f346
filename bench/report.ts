/**
 * The benchmark report: a table per suite (rows grouped by payload size, baselines beside the cells
 * they anchor), the targets and whether each is met, and the same figures as JSON with the machine
 * and the date. Rendering is pure; only `writeJsonReport` touches the disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, CellBudget, FileSystemInfo } from './context.js';
import type { BenchRow, SuiteResult } from './suite.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  platform: string;
  release: string;
  arch: string;
  node: string;
  v8: string;
}

export interface BenchReport {
  /** ISO 8601, when the run finished. */
  date: string;
  machine: MachineInfo;
  fileSystem: FileSystemInfo;
  quick: boolean;
  rounds: number;
  budget: CellBudget;
  suites: SuiteResult[];
}

/** Where JSON reports go by default: `.bench-tmp/results/` at the repository root (git-ignored). */
export const DEFAULT_RESULTS_DIRECTORY = fileURLToPath(
  new URL('../.bench-tmp/results/', import.meta.url),
);

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? '?',
    totalMemoryBytes: os.totalmem(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
    v8: process.versions.v8,
  };
}

export function buildReport(context: BenchContext, suites: SuiteResult[]): BenchReport {
  return {
    date: new Date().toISOString(),
    machine: describeMachine(),
    fileSystem: context.fileSystem,
    quick: context.quick,
    rounds: context.rounds,
    budget: context.budget,
    suites,
  };
}

export function renderReport(report: BenchReport): string {
  const { machine, fileSystem } = report;
  const quick = report.quick ? '  (QUICK smoke run: numbers mean nothing)' : '';
  const memoryGiB = (machine.totalMemoryBytes / 2 ** 30).toFixed(1);
  const lines = [
    `StemeDB benchmarks — ${report.date}${quick}`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${memoryGiB} GiB, ` +
      `${machine.platform} ${machine.release}, node ${machine.node}`,
    `scratch: ${fileSystem.path} (${fileSystem.type} on ${fileSystem.device}, mounted at ` +
      `${fileSystem.mountPoint})`,
    '',
  ];
  for (const suite of report.suites) lines.push(...renderSuite(suite), '');
  return lines.join('\n');
}

/** One suite: a table per payload size, then the targets, then the notes. */
export function renderSuite(suite: SuiteResult): string[] {
  const byId = new Map(suite.rows.map((row) => [row.id, row]));
  const metricNames = [...new Set(suite.rows.flatMap((row) => Object.keys(row.metrics ?? {})))];
  const header = [
    'cell', `${suite.opsName}/s`, 'MB/s', 'spread', ...metricNames, 'baseline', 'ratio', 'med/med',
  ];
  const lines = [`== ${suite.suite} ==`];
  const sizes = [...new Set(suite.rows.map((row) => row.payloadBytes))];
  for (const size of sizes) {
    const table = suite.rows
      .filter((row) => row.payloadBytes === size)
      .map((row) => rowCells(row, metricNames, byId));
    lines.push('', `payload ${formatBytes(size)}`, ...formatTable(header, table));
  }
  if (suite.targets.length > 0) lines.push('', 'targets');
  for (const target of suite.targets) {
    const related = target.related.map(
      (other) => `${shortName(byId, other.rowId)} ${fixed(other.ratio)}`,
    );
    const also = related.length > 0 ? `   (also: ${related.join(', ')})` : '';
    const verdict = target.met ? 'met   ' : 'MISSED';
    lines.push(`  [${verdict}] ${target.description}: ${fixed(target.ratio)}${also}`);
  }
  if (suite.notes.length > 0) lines.push('');
  for (const note of suite.notes) lines.push(`  ${note}`);
  return lines;
}

function rowCells(row: BenchRow, metricNames: string[], byId: Map<string, BenchRow>): string[] {
  const values = row.samples.map((sample) => sample.opsPerSecond);
  const range = Math.max(...values) - Math.min(...values);
  const spread = values.length > 1 ? range / row.opsPerSecond : 0;
  const metrics = metricNames.map((name) => {
    const value = row.metrics?.[name];
    return value === undefined ? '–' : value >= 100 ? integer(value) : value.toFixed(1);
  });
  const baseline = row.baselineId === undefined ? '' : shortName(byId, row.baselineId);
  return [
    row.label,
    integer(row.opsPerSecond),
    row.megabytesPerSecond >= 100
      ? integer(row.megabytesPerSecond)
      : row.megabytesPerSecond.toFixed(2),
    `${Math.round(spread * 100)}%`,
    ...metrics,
    baseline,
    row.pairedRatio === undefined ? '' : fixed(row.pairedRatio),
    row.ratio === undefined ? '' : fixed(row.ratio),
  ];
}

/** Left-aligns the first and text columns, right-aligns numbers. */
function formatTable(header: string[], rows: string[][]): string[] {
  const cellAt = (row: string[], i: number): string => row[i] ?? '';
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => cellAt(row, i).length)),
  );
  const numeric = header.map(
    (_, i) => i > 0 && rows.every((row) => /^[\d,.%–-]*$/.test(cellAt(row, i))),
  );
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function shortName(byId: Map<string, BenchRow>, id: string): string {
  return byId.get(id)?.label ?? id;
}

function integer(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function fixed(value: number): string {
  return value.toFixed(2);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/**
 * Writes `latest.json` and a dated copy into `directory` and returns the paths written. A quick run
 * writes only `latest-quick.json`, so smoke runs never replace or crowd out real figures.
 */
export function writeJsonReport(
  report: BenchReport,
  directory = DEFAULT_RESULTS_DIRECTORY,
): string[] {
  fs.mkdirSync(directory, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const suites = report.suites.map((suite) => suite.suite).join('+');
  const stamp = report.date.replace(/[:.]/g, '-');
  const paths = report.quick
    ? [path.join(directory, 'latest-quick.json')]
    : [path.join(directory, 'latest.json'), path.join(directory, `${stamp}-${suites}.json`)];
  for (const file of paths) fs.writeFileSync(file, json);
  return paths;
}
