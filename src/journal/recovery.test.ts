// Proves each recovery branch on the real disk: clean end, torn tail, zero-filled tail, holes in
// never-synced data, a torn new segment, mid-log corruption, corruption after a clean close,
// corruption proven by a later record, and repair — one short test per branch.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  appendBytes,
  fileSize,
  flipByte,
  indexOfPayload,
  lastSegment,
  payloadOf,
  segmentPaths,
  truncateAt,
} from '../../test/support/journal-files.js';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { crc32c } from '../checksum/index.js';
import type { DurabilityKind } from '../durability/index.js';
import { Journal } from './journal.js';
import type { AppendResult } from './journal-writer.js';
import { segmentFileName } from './format.js';

const HEADER = 56;

/**
 * Appends `count` records and returns a copy of the directory taken while the journal was still
 * open: the state a process crash leaves (everything written is in the files, nothing sealed).
 */
async function crashImage(t: TestContext, durability: DurabilityKind, count: number, maxSegmentBytes?: number) {
  const live = makeTempDir(t);
  const journal = await Journal.open(live, { durability, ...(maxSegmentBytes ? { maxSegmentBytes } : {}) });
  const results: AppendResult[] = [];
  if (durability === 'eventual') {
    results.push(...(await Promise.all(Array.from({ length: count }, (_, i) => journal.append(payloadOf(i, 40))))));
  } else {
    for (let i = 0; i < count; i++) results.push(await journal.append(payloadOf(i, 40)));
  }
  const image = makeTempDir(t);
  for (const segment of segmentPaths(live)) fs.copyFileSync(segment, path.join(image, path.basename(segment)));
  await journal.close();
  return { dir: image, results };
}

async function closedJournal(t: TestContext, count: number, maxSegmentBytes?: number) {
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir, maxSegmentBytes ? { maxSegmentBytes } : {});
  const results: AppendResult[] = [];
  for (let i = 0; i < count; i++) results.push(await journal.append(payloadOf(i, 40)));
  await journal.close();
  return { dir, results };
}

async function indexesIn(journal: Journal): Promise<number[]> {
  const indexes = [];
  for await (const record of journal.iterate()) indexes.push(indexOfPayload(record.payload));
  return indexes;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Position inside its segment file of a record at global offset `offset` (single segment). */
const at = (result: AppendResult | undefined): number => (result as AppendResult).offset;

test('a cleanly closed journal reopens with nothing quarantined', async (t) => {
  const { dir } = await closedJournal(t, 10);
  const journal = await Journal.open(dir, { fullScan: true });
  assert.equal(journal.recoveryReport.cleanShutdown, true);
  assert.equal(journal.recoveryReport.recordsScanned, 10);
  assert.equal(journal.recoveryReport.validatedFrom, 0);
  assert.deepEqual(journal.recoveryReport.quarantined, []);
  assert.deepEqual(await indexesIn(journal), range(10));
  await journal.close();
});

test('after a clean close an open validates only what follows the checkpoint', async (t) => {
  const { dir } = await closedJournal(t, 10);
  const first = await Journal.open(dir);
  const end = first.endOffset;
  assert.equal(first.recoveryReport.validatedFrom, end);
  assert.equal(first.recoveryReport.recordsScanned, 0);
  assert.equal(first.recoveryReport.cleanShutdown, true);
  assert.deepEqual(await indexesIn(first), range(10));
  for (let i = 10; i < 15; i++) await first.append(payloadOf(i, 40));
  await first.close();
  const second = await Journal.open(dir);
  assert.ok(second.recoveryReport.validatedFrom > end);
  assert.equal(second.recoveryReport.validatedFrom, second.endOffset);
  assert.deepEqual(await indexesIn(second), range(15));
  await second.close();
  const full = await Journal.open(dir, { fullScan: true });
  assert.equal(full.recoveryReport.recordsScanned, 15);
  await full.close();
});

test('records appended after the checkpoint are validated, and a torn tail after it is cut', async (t) => {
  const { dir } = await closedJournal(t, 5);
  const live = await Journal.open(dir);
  const checkpointEnd = live.endOffset;
  const results: AppendResult[] = [];
  for (let i = 5; i < 10; i++) results.push(await live.append(payloadOf(i, 40)));
  const image = makeTempDir(t);
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.wal') || name === 'CHECKPOINT') fs.copyFileSync(path.join(dir, name), path.join(image, name));
  }
  await live.close();
  truncateAt(lastSegment(image), at(results[4]) + 20);
  const journal = await Journal.open(image);
  assert.equal(journal.recoveryReport.validatedFrom, checkpointEnd);
  assert.equal(journal.recoveryReport.recordsScanned, 4);
  assert.equal(journal.recoveryReport.cleanShutdown, false);
  const [region] = journal.recoveryReport.quarantined;
  assert.equal(region?.kind, 'torn-tail');
  assert.equal(region?.offset, at(results[4]));
  assert.deepEqual(await indexesIn(journal), range(9));
  await journal.close();
});

test('damage before the checkpoint is CORRUPTION when read; fullScan and repair find it at open', async (t) => {
  const { dir, results } = await closedJournal(t, 10);
  flipByte(lastSegment(dir), at(results[3]) + HEADER + 1);
  const journal = await Journal.open(dir);
  assert.deepEqual(journal.recoveryReport.quarantined, []);
  const served: number[] = [];
  await assert.rejects(async () => {
    for await (const record of journal.iterate()) served.push(indexOfPayload(record.payload));
  }, (error: unknown) => {
    const corruption = error as { code: string; offset: number };
    assert.equal(corruption.code, 'CORRUPTION');
    assert.equal(corruption.offset, at(results[3]));
    return true;
  });
  assert.deepEqual(served, range(3));
  await journal.close();
  await assert.rejects(Journal.open(dir, { fullScan: true }), { code: 'CORRUPTION' });
  const repaired = await Journal.open(dir, { repair: true });
  assert.equal(repaired.recoveryReport.quarantined[0]?.kind, 'corruption');
  assert.equal(repaired.recoveryReport.quarantined[0]?.offset, at(results[3]));
  assert.deepEqual(await indexesIn(repaired), range(3));
  await repaired.close();
});

test('damage to the first record before the checkpoint is CORRUPTION, not a bad offset', async (t) => {
  const { dir, results } = await closedJournal(t, 3);
  flipByte(lastSegment(dir), at(results[0]) + 5);
  const journal = await Journal.open(dir);
  await assert.rejects(async () => {
    for await (const _ of journal.iterate()) assert.fail('nothing before the damage to serve');
  }, { code: 'CORRUPTION' });
  await journal.close();
});

test('a checkpoint that no longer matches the log is ignored and the whole log validated', async (t) => {
  const { dir } = await closedJournal(t, 10);
  const checkpoint = path.join(dir, 'CHECKPOINT');
  const saved = fs.readFileSync(checkpoint);
  fs.writeFileSync(checkpoint, Buffer.from(saved.map((byte, i) => (i === 20 ? byte ^ 0xff : byte))));
  const damagedFile = await Journal.open(dir);
  assert.equal(damagedFile.recoveryReport.validatedFrom, 0);
  assert.equal(damagedFile.recoveryReport.recordsScanned, 10);
  await damagedFile.close();
  // That close wrote a good checkpoint again; now change the seal it names.
  const segment = lastSegment(dir);
  const sealAt = fileSize(segment) - HEADER;
  flipByte(segment, sealAt + 20);
  const damagedSeal = await Journal.open(dir);
  assert.equal(damagedSeal.recoveryReport.validatedFrom, 0);
  assert.equal(damagedSeal.recoveryReport.quarantined[0]?.offset, sealAt);
  assert.deepEqual(await indexesIn(damagedSeal), range(10));
  await damagedSeal.close();
});

test('a torn tail is quarantined and truncated, and appends continue at the cut', async (t) => {
  const { dir, results } = await crashImage(t, 'immediate', 10);
  const cut = at(results[9]) + 20;
  truncateAt(lastSegment(dir), cut);
  const journal = await Journal.open(dir);
  const [region] = journal.recoveryReport.quarantined;
  assert.equal(region?.kind, 'torn-tail');
  assert.equal(region?.offset, at(results[9]));
  assert.equal(region?.sizeBytes, 20);
  assert.equal(fs.readFileSync(region.file).length, 20);
  assert.deepEqual(await indexesIn(journal), range(9));
  const next = await journal.append(payloadOf(99, 40));
  assert.equal(next.offset, at(results[9]));
  await journal.close();
});

test('a zero-filled tail is quarantined and every record before it kept', async (t) => {
  const { dir, results } = await crashImage(t, 'immediate', 5);
  appendBytes(lastSegment(dir), new Uint8Array(4096));
  const journal = await Journal.open(dir);
  const [region] = journal.recoveryReport.quarantined;
  assert.equal(region?.kind, 'torn-tail');
  assert.match(region?.reason ?? '', /zero-filled/);
  assert.deepEqual(await indexesIn(journal), range(5));
  assert.equal(journal.endOffset, at(results[4]) + HEADER + 40);
  await journal.close();
});

test('damage in never-synced data is a torn tail even with valid records after it (a hole)', async (t) => {
  const { dir, results } = await crashImage(t, 'eventual', 10);
  flipByte(lastSegment(dir), at(results[5]) + HEADER + 3);
  const journal = await Journal.open(dir);
  assert.equal(journal.recoveryReport.quarantined[0]?.kind, 'torn-tail');
  assert.deepEqual(await indexesIn(journal), range(5));
  await journal.close();
});

test('recovery is idempotent: a second open finds nothing more to do', async (t) => {
  const { dir, results } = await crashImage(t, 'batched', 10);
  truncateAt(lastSegment(dir), at(results[7]) + 3);
  await (await Journal.open(dir)).close();
  const again = await Journal.open(dir);
  assert.deepEqual(again.recoveryReport.quarantined, []);
  assert.deepEqual(await indexesIn(again), range(7));
  await again.close();
});

test('a new segment whose header never landed is quarantined whole', async (t) => {
  const { dir } = await crashImage(t, 'immediate', 3);
  const end = fileSize(lastSegment(dir));
  fs.writeFileSync(path.join(dir, segmentFileName(end)), Buffer.from('STEMEW'));
  const journal = await Journal.open(dir);
  assert.equal(journal.recoveryReport.quarantined[0]?.kind, 'torn-segment');
  assert.deepEqual(await indexesIn(journal), range(3));
  await journal.append(payloadOf(3, 40));
  assert.deepEqual(await indexesIn(journal), range(4));
  await journal.close();
});

test('mid-log corruption of synced data fails the open with CORRUPTION naming path and offset', async (t) => {
  const { dir, results } = await closedJournal(t, 10);
  flipByte(lastSegment(dir), at(results[3]) + HEADER + 1);
  await assert.rejects(Journal.open(dir, { fullScan: true }), (error: unknown) => {
    const corruption = error as { code: string; offset: number; path: string };
    assert.equal(corruption.code, 'CORRUPTION');
    assert.equal(corruption.offset, at(results[3]));
    assert.equal(corruption.path, lastSegment(dir));
    return true;
  });
  assert.equal(fileSize(lastSegment(dir)) > at(results[9]), true, 'nothing was truncated');
});

test('corruption of the last record before a clean close is corruption, not a torn tail', async (t) => {
  const { dir, results } = await closedJournal(t, 4);
  flipByte(lastSegment(dir), at(results[3]) + 4);
  await assert.rejects(Journal.open(dir, { fullScan: true }), { code: 'CORRUPTION' });
});

test('recovery checks frames by CRC-32C; a payload that passes it but not its BLAKE3 fails every read', async (t) => {
  const { dir, results } = await closedJournal(t, 6);
  const segment = lastSegment(dir);
  const frameAt = at(results[3]);
  const bytes = fs.readFileSync(segment);
  bytes[frameAt + HEADER + 2] ^= 0x10;
  const frameEnd = frameAt + HEADER + 40;
  bytes.writeUInt32LE(crc32c(bytes.subarray(frameAt + 4, frameEnd)), frameAt);
  fs.writeFileSync(segment, bytes);
  const journal = await Journal.open(dir, { fullScan: true });
  assert.deepEqual(journal.recoveryReport.quarantined, []);
  assert.equal(journal.recoveryReport.recordsScanned, 6);
  await assert.rejects(journal.read(frameAt), (error: unknown) => {
    const corruption = error as { code: string; offset: number; message: string };
    assert.equal(corruption.code, 'CORRUPTION');
    assert.equal(corruption.offset, frameAt);
    assert.match(corruption.message, /content hash mismatch/);
    return true;
  });
  const served: number[] = [];
  await assert.rejects(async () => {
    for await (const record of journal.iterate()) served.push(indexOfPayload(record.payload));
  }, { code: 'CORRUPTION' });
  assert.deepEqual(served, range(3));
  await journal.close();
});

test('corruption is proven by a later record even without a clean close', async (t) => {
  const { dir, results } = await crashImage(t, 'immediate', 10);
  flipByte(lastSegment(dir), at(results[6]) + 9, 0x40);
  await assert.rejects(Journal.open(dir), { code: 'CORRUPTION' });
});

test('corruption in a segment that has a successor fails the open', async (t) => {
  const { dir, results } = await closedJournal(t, 100, 4096);
  assert.ok(segmentPaths(dir).length > 2);
  const first = segmentPaths(dir)[0] as string;
  flipByte(first, at(results[2]) + HEADER);
  await assert.rejects(Journal.open(dir, { maxSegmentBytes: 4096, fullScan: true }), { code: 'CORRUPTION' });
  fs.truncateSync(first, fileSize(first) - 8);
  // A segment's size is checked against its successor's base even where its records are trusted.
  await assert.rejects(Journal.open(dir, { maxSegmentBytes: 4096 }), { code: 'CORRUPTION' });
});

test('repair quarantines the corrupt region and what follows, keeps every record before it', async (t) => {
  const { dir, results } = await closedJournal(t, 100, 4096);
  const segmentCount = segmentPaths(dir).length;
  flipByte(segmentPaths(dir)[1] as string, 200);
  const repaired = await Journal.open(dir, { repair: true, maxSegmentBytes: 4096 });
  const regions = repaired.recoveryReport.quarantined;
  assert.equal(regions.length, segmentCount - 1);
  assert.ok(regions.every((r) => r.kind === 'corruption'));
  const kept = await indexesIn(repaired);
  assert.deepEqual(kept, range(kept.length));
  assert.ok(kept.length > 0 && kept.length < 100);
  const next = await repaired.append(payloadOf(1000, 40));
  assert.ok(next.offset < at(results[99]));
  await repaired.close();
  const again = await Journal.open(dir, { maxSegmentBytes: 4096 });
  assert.deepEqual(again.recoveryReport.quarantined, []);
  assert.deepEqual(await indexesIn(again), [...kept, 1000]);
  await again.close();
});
