// Proves `appendMany` (one promise for a group, same records as appends one by one, fail-stop),
// `followChunks` (bounded, never empty, waits at the end), and that records served from the
// writer's in-memory cache are exactly the records the file holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultyFileSystem, systemError } from '../../test/support/faulty-file-system.js';
import { indexOfPayload, payloadOf, segmentPaths } from '../../test/support/journal-files.js';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { blake3 } from '../checksum/index.js';
import type { FileSystem } from '../durability/index.js';
import { GROUP_COMMIT_MAX_RECORDS, JOURNAL_RECENT_MAX_RECORDS } from '../limits.js';
import { Journal } from './journal.js';
import type { JournalRecord } from './record-log.js';

async function collect(records: AsyncIterable<JournalRecord>): Promise<JournalRecord[]> {
  const all: JournalRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

function payloads(from: number, count: number, sizeBytes = 40): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => payloadOf(from + i, sizeBytes));
}

for (const durability of ['immediate', 'batched', 'eventual'] as const) {
  test(`appendMany under ${durability} writes what appends one by one would, and owns copies`, async (t) => {
    const dir = makeTempDir(t);
    const journal = await Journal.open(dir, { durability });
    const single = await journal.append(payloadOf(0));
    // More than one group commit holds, so the group spans forced flushes.
    const group = payloads(1, GROUP_COMMIT_MAX_RECORDS + 7);
    const originals = group.map((payload) => new Uint8Array(payload));
    const pending = journal.appendMany(group);
    for (const payload of group) payload.fill(0xee); // the caller reuses its buffers at once
    const results = await pending;
    assert.equal(results.length, group.length);
    assert.ok((results[0] as { offset: number }).offset > single.offset);
    for (let i = 0; i < results.length; i++) {
      const result = results[i] as { offset: number; hash: Uint8Array };
      assert.deepEqual(result.hash, blake3(originals[i] as Uint8Array));
      if (i > 0) assert.ok(result.offset > (results[i - 1] as { offset: number }).offset);
    }
    assert.deepEqual(await journal.appendMany([]), []);
    await journal.close();
    const reopened = await Journal.open(dir);
    const records = await collect(reopened.iterate());
    assert.deepEqual(records.map((r) => indexOfPayload(r.payload)), [0, ...originals.map(indexOfPayload)]);
    assert.deepEqual(records.slice(1).map((r) => r.offset), results.map((r) => r.offset));
    assert.deepEqual(records.slice(1).map((r) => r.payload), originals);
    await reopened.close();
  });
}

for (const durability of ['immediate', 'eventual'] as const) {
  test(`appendMany with transfer under ${durability} keeps the payloads themselves`, async (t) => {
    const dir = makeTempDir(t);
    const journal = await Journal.open(dir, { durability });
    const group = payloads(0, 300, 56);
    const following = follow(journal, journal.endOffset, group.length);
    const results = await journal.appendMany(group, { transfer: true });
    for (let i = 0; i < group.length; i++) {
      assert.deepEqual((results[i] as { hash: Uint8Array }).hash, blake3(group[i] as Uint8Array));
    }
    // The follower is served from memory the very arrays handed over: none was copied.
    const live = await following;
    assert.equal(live.length, group.length);
    for (let i = 0; i < group.length; i++) assert.equal(live[i]?.payload, group[i], `record ${i}`);
    await journal.close();
    const reopened = await Journal.open(dir);
    const records = await collect(reopened.iterate());
    assert.deepEqual(records.map((r) => r.payload), group.map((p) => new Uint8Array(p)));
    assert.deepEqual(records.map((r) => r.offset), results.map((r) => r.offset));
    await reopened.close();
  });
}

test('appendMany refuses a group with one bad payload before queuing any of it', async (t) => {
  const journal = await Journal.open(makeTempDir(t));
  const end = journal.endOffset;
  const bad = [payloadOf(1), 'not bytes' as unknown as Uint8Array, payloadOf(2)];
  await assert.rejects(journal.appendMany(bad), { code: 'INVALID_ARGUMENT' });
  await journal.sync();
  assert.equal(journal.endOffset, end);
  assert.deepEqual(await collect(journal.iterate()), []);
  await journal.close();
});

test('after a failed sync appendMany rejects the group in flight and every later one', async (t) => {
  const control = { failSyncs: false };
  const fileSystem = faultyFileSystem((handle) => ({
    datasync: () => {
      if (control.failSyncs) throw systemError('EIO');
      handle.datasync();
    },
  }));
  const journal = await Journal.open(makeTempDir(t), { fileSystem });
  await journal.appendMany(payloads(0, 3));
  control.failSyncs = true;
  await assert.rejects(journal.appendMany(payloads(3, 3)), { code: 'JOURNAL_FAILED' });
  control.failSyncs = false;
  await assert.rejects(journal.appendMany(payloads(6, 3)), { code: 'JOURNAL_FAILED' });
  await journal.close();
});

test('followChunks yields bounded, non-empty chunks, then waits for appends until aborted', async (t) => {
  const journal = await Journal.open(makeTempDir(t), { durability: 'eventual' });
  await journal.appendMany(payloads(0, 2500));
  assert.throws(() => journal.followChunks(undefined, { maxRecords: 0 }), { code: 'INVALID_ARGUMENT' });
  const controller = new AbortController();
  const sizes: number[] = [];
  const seen: number[] = [];
  const following = (async () => {
    const chunks = journal.followChunks(undefined, { signal: controller.signal, maxRecords: 1000 });
    for await (const chunk of chunks) {
      sizes.push(chunk.length);
      for (const record of chunk) seen.push(indexOfPayload(record.payload));
      if (seen.length === 2510) controller.abort();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await journal.appendMany(payloads(2500, 10));
  await following;
  assert.deepEqual(sizes, [1000, 1000, 500, 10]);
  assert.deepEqual(seen, Array.from({ length: 2510 }, (_, i) => i));
  await journal.close();
});

/** Follows `journal` from `fromOffset` until `count` records came, or the journal closes. */
async function follow(journal: Journal, fromOffset: number, count: number): Promise<JournalRecord[]> {
  const controller = new AbortController();
  const seen: JournalRecord[] = [];
  for await (const chunk of journal.followChunks(fromOffset, { signal: controller.signal })) {
    seen.push(...chunk);
    if (seen.length >= count) controller.abort();
  }
  return seen;
}

test('records a follower gets from memory are exactly the records in the file, across rotations', async (t) => {
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir, { durability: 'eventual', maxSegmentBytes: 64 * 1024 });
  // More than the cache keeps, with the follower falling behind, so it also reads from the file.
  const total = JOURNAL_RECENT_MAX_RECORDS + 3000;
  const following = follow(journal, journal.endOffset, total);
  for (let from = 0; from < total; from += 1000) {
    await journal.appendMany(payloads(from, Math.min(1000, total - from), 24 + (from % 7) * 8));
  }
  const live = await following;
  assert.ok(segmentPaths(dir).length > 10, 'the log spans many segments');
  await journal.close();
  const reopened = await Journal.open(dir);
  const fromFile = await collect(reopened.iterate());
  await reopened.close();
  assert.equal(live.length, total);
  const shape = (r: JournalRecord) => ({ offset: r.offset, nextOffset: r.nextOffset, hash: r.hash, payload: r.payload });
  assert.deepEqual(live.map(shape), fromFile.map(shape));
});

/** The real file system, counting the reads made through the handles it opens. */
function countingReads(): { reads: { count: number }; fileSystem: FileSystem } {
  const reads = { count: 0 };
  const fileSystem = faultyFileSystem((handle) => ({
    read: (bytes, offset, length, position) => {
      reads.count++;
      return handle.read(bytes, offset, length, position);
    },
  }));
  return { reads, fileSystem };
}

test('a follower gets what this process just wrote without reading the file; without one nothing is kept', async (t) => {
  const { reads, fileSystem } = countingReads();
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir, { fileSystem });
  const start = journal.endOffset;
  const following = follow(journal, start, 500);
  await new Promise((resolve) => setTimeout(resolve, 10)); // the follower waits at the end
  const before = reads.count;
  await journal.appendMany(payloads(0, 500));
  assert.equal((await following).length, 500);
  assert.equal(reads.count, before, 'the follower read nothing from the file');
  // With no follower left, what is written next is not kept: a reader gets it from the file.
  const second = await journal.appendMany(payloads(500, 10));
  const readsBefore = reads.count;
  assert.equal((await collect(journal.iterate((second[0] as { offset: number }).offset))).length, 10);
  assert.ok(reads.count > readsBefore, 'read from the file');
  await journal.close();
});

test('a follower further behind than recentBounds reads the rest from the file, and gets every record', async (t) => {
  const { reads, fileSystem } = countingReads();
  const dir = makeTempDir(t);
  const recentBounds = { maxRecords: 100, maxBytes: 1 << 20 };
  const journal = await Journal.open(dir, { fileSystem, recentBounds });
  const following = follow(journal, journal.endOffset, 500);
  await new Promise((resolve) => setTimeout(resolve, 10)); // the follower waits at the end
  const before = reads.count;
  // One group of 500: by the time the follower wakes, memory holds only the last 100 of them.
  const written = await journal.appendMany(payloads(0, 500));
  const live = await following;
  assert.ok(reads.count > before, 'the 400 records memory no longer held were read from the file');
  assert.deepEqual(
    live.map((record) => record.offset),
    written.map((result) => result.offset),
  );
  live.forEach((record, i) => assert.equal(indexOfPayload(record.payload), i));
  await journal.close();
});
