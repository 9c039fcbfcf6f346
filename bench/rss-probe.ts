/**
 * The child process of the claims-rss suite: ingests claims into one store from a fresh heap and
 * reports how much memory it took. Claims are generated lazily, one `putMany` batch at a time, so
 * the probe's own footprint stays a few batches whatever the count.
 *
 *   node <compiled>/bench/rss-probe.js <engine> <directory> <claims> <level>
 *
 * The claims-rss suite compiles it first (`compile-probe.ts`) so that no TypeScript loader shares
 * the process; `node --import tsx bench/rss-probe.ts …` also works, with the loader's memory
 * on top.
 *
 * Every `RSS_SAMPLE_INTERVAL_MS` it samples `process.memoryUsage()` and the resident set split
 * into anonymous memory (heaps, buffers) and file pages (LMDB maps its data file, and the pages
 * it reads count as resident). At the end it adds the kernel's high-water mark (`VmHWM`), which
 * catches any peak between samples, and prints one JSON line (`RssProbeResult`) on stdout.
 * Progress goes to stderr.
 */
import fs from 'node:fs';
import type { DurabilityKind } from '../src/index.js';
import { DURABILITY_KINDS } from '../src/index.js';
import type { ClaimEngine } from './claim-stores.js';
import { CLAIM_ENGINES, openClaimStore } from './claim-stores.js';
import { claimInputs, claimWorkload } from './claim-workload.js';
import type { RssProbeResult } from './claims-rss.bench.js';
import { RSS_BATCH_CLAIMS, RSS_SAMPLE_INTERVAL_MS } from './claims-rss.bench.js';

/** Progress lines on stderr, one per this many claims. */
const PROGRESS_EVERY_CLAIMS = 500_000;

interface Peaks {
  samples: number;
  rss: number;
  heapUsed: number;
  external: number;
  rssAnon: number;
  rssFile: number;
}

async function main(argv: readonly string[]): Promise<void> {
  const [engine, directory, claimsText, level] = argv;
  if (!isEngine(engine) || directory === undefined || !isLevel(level)) {
    throw new Error('usage: rss-probe.ts <stemedb|sqlite|lmdb> <directory> <claims> <level>');
  }
  const claims = Number(claimsText);
  if (!Number.isSafeInteger(claims) || claims < 1) throw new Error(`bad claim count ${claimsText}`);
  const peaks: Peaks = { samples: 0, rss: 0, heapUsed: 0, external: 0, rssAnon: 0, rssFile: 0 };
  const sampler = setInterval(() => sample(peaks), RSS_SAMPLE_INTERVAL_MS);
  const workload = claimWorkload();
  const start = process.hrtime.bigint();
  const store = await openClaimStore(engine, directory, level);
  try {
    for (let next = 0; next < claims; next += RSS_BATCH_CLAIMS) {
      await store.writeMany(claimInputs(workload, next, Math.min(RSS_BATCH_CLAIMS, claims - next)));
      const done = next + RSS_BATCH_CLAIMS;
      if (done % PROGRESS_EVERY_CLAIMS === 0) {
        const mb = Math.round(process.memoryUsage().rss / 2 ** 20);
        process.stderr.write(`rss-probe ${engine}: ${done} claims written, RSS ${mb} MB\n`);
      }
    }
    await store.quiesce();
  } finally {
    await store.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  sample(peaks);
  const status = readStatus();
  const result: RssProbeResult = {
    engine,
    level,
    claims,
    seconds,
    samples: peaks.samples,
    peakRssBytes: Math.max(peaks.rss, status.VmHWM ?? 0),
    peakHeapUsedBytes: peaks.heapUsed,
    peakExternalBytes: peaks.external,
    peakRssAnonBytes: peaks.rssAnon,
    peakRssFileBytes: peaks.rssFile,
    highWaterMarkBytes: status.VmHWM ?? 0,
    finalRssBytes: process.memoryUsage().rss,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function sample(peaks: Peaks): void {
  const usage = process.memoryUsage();
  const status = readStatus();
  peaks.samples++;
  peaks.rss = Math.max(peaks.rss, usage.rss);
  peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
  peaks.external = Math.max(peaks.external, usage.external);
  peaks.rssAnon = Math.max(peaks.rssAnon, status.RssAnon ?? 0);
  peaks.rssFile = Math.max(peaks.rssFile, status.RssFile ?? 0);
}

/** The `kB` fields of /proc/self/status, in bytes; empty where the file cannot be read. */
function readStatus(): Record<string, number> {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return {};
  }
  const fields: Record<string, number> = {};
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) fields[name] = Number(value) * 1024;
  }
  return fields;
}

function isEngine(value: string | undefined): value is ClaimEngine {
  return CLAIM_ENGINES.some((engine) => engine === value);
}

function isLevel(value: string | undefined): value is DurabilityKind {
  return DURABILITY_KINDS.some((level) => level === value);
}

await main(process.argv.slice(2));
