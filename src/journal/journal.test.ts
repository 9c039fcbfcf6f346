// Proves the journal's contract on the real disk: round trips, order, offsets, rotation, reading,
// following, retention, locking, input errors and fail-stop after an injected sync failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemError, faultyFileSystem } from '../../test/support/faulty-file-system.js';
import { indexOfPayload, payloadOf, segmentPaths } from '../../test/support/journal-files.js';
import { makeTempDir } from '../../test/support/temp-dir.js';
import { blake3 } from '../checksum/index.js';
import { SEGMENT_HEADER_BYTES } from '../limits.js';
import { Journal } from './journal.js';
import type { JournalRecord } from './record-log.js';

async function collect(records: AsyncIterable<JournalRecord>): Promise<JournalRecord[]> {
  const all: JournalRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

for (const durability of ['immediate', 'batched', 'eventual'] as const) {
  test(`payloads from 0 B to 5 MiB round-trip under ${durability}`, async (t) => {
    const dir = makeTempDir(t);
    const sizes = [0, 1, 7, 8, 9, 255, 4095, 4096, 4097, 65_536, 1 << 20, 5 * (1 << 20) + 3];
    const payloads = sizes.map((size) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 131 + size) & 0xff;
      return bytes;
    });
    let journal = await Journal.open(dir, { durability });
    const results = [];
    for (const payload of payloads) results.push(await journal.append(payload));
    for (const [i, result] of results.entries()) {
      assert.deepEqual(result.hash, blake3(payloads[i] as Uint8Array));
      assert.deepEqual((await journal.read(result.offset)).payload, payloads[i]);
    }
    await journal.close();
    journal = await Journal.open(dir, { durability });
    const records = await collect(journal.iterate());
    assert.deepEqual(records.map((r) => r.payload), payloads);
    assert.deepEqual(records.map((r) => r.offset), results.map((r) => r.offset));
    assert.equal(journal.recoveryReport.cleanShutdown, true);
    await journal.close();
  });
}

test('offsets start after the segment header, grow, and are 8-byte aligned', async (t) => {
  const journal = await Journal.open(makeTempDir(t));
  const offsets = [];
  for (let i = 0; i < 20; i++) offsets.push((await journal.append(payloadOf(i, i))).offset);
  assert.equal(offsets[0], SEGMENT_HEADER_BYTES);
  for (let i = 1; i < offsets.length; i++) {
    assert.ok((offsets[i] as number) > (offsets[i - 1] as number));
    assert.equal((offsets[i] as number) % 8, 0);
  }
  await journal.close();
});

test('concurrent appenders each see their own order kept, and the log holds every record once', async (t) => {
  const journal = await Journal.open(makeTempDir(t), { durability: 'immediate' });
  const appenders = 64;
  const perAppender = 40;
  const offsets = new Map<number, number>();
  await Promise.all(
    Array.from({ length: appenders }, async (_, a) => {
      let previous = -1;
      for (let k = 0; k < perAppender; k++) {
        const id = a * perAppender + k;
        const { offset } = await journal.append(payloadOf(id));
        assert.ok(offset > previous, 'an appender sees its own appends in order');
        previous = offset;
        offsets.set(id, offset);
      }
    }),
  );
  const records = await collect(journal.iterate());
  assert.equal(records.length, appenders * perAppender);
  const seen = new Set(records.map((r) => indexOfPayload(r.payload)));
  assert.equal(seen.size, appenders * perAppender);
  for (const record of records) assert.equal(offsets.get(indexOfPayload(record.payload)), record.offset);
  await journal.close();
});

test('rotation spreads records over many segments and reading crosses them in order', async (t) => {
  const dir = makeTempDir(t);
  let journal = await Journal.open(dir, { maxSegmentBytes: 4096 });
  const count = 1000;
  await Promise.all(Array.from({ length: count }, (_, i) => journal.append(payloadOf(i, 100))));
  assert.ok(segmentPaths(dir).length >= 30, `${segmentPaths(dir).length} segments`);
  await journal.close();
  journal = await Journal.open(dir, { maxSegmentBytes: 4096 });
  const records = await collect(journal.iterate());
  assert.deepEqual(records.map((r) => indexOfPayload(r.payload)), Array.from({ length: count }, (_, i) => i));
  const middle = records[500] as JournalRecord;
  const fromMiddle = await collect(journal.iterate(middle.offset));
  assert.equal(fromMiddle.length, 500);
  assert.equal(indexOfPayload((fromMiddle[0] as JournalRecord).payload), 500);
  await journal.close();
});

test('a record larger than a segment gets a segment of its own', async (t) => {
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir, { maxSegmentBytes: 4096 });
  await journal.append(payloadOf(0, 10));
  const big = await journal.append(payloadOf(1, 20_000));
  await journal.append(payloadOf(2, 10));
  assert.equal(segmentPaths(dir).length, 3);
  assert.equal(indexOfPayload((await journal.read(big.offset)).payload), 1);
  await journal.close();
});

test('appends continue at the end of valid data after a reopen, with the same offsets read back', async (t) => {
  const dir = makeTempDir(t);
  let journal = await Journal.open(dir);
  const first = await journal.append(payloadOf(1));
  await journal.close();
  journal = await Journal.open(dir);
  const second = await journal.append(payloadOf(2));
  assert.ok(second.offset > first.offset);
  assert.equal(indexOfPayload((await journal.read(first.offset)).payload), 1);
  assert.equal(indexOfPayload((await journal.read(second.offset)).payload), 2);
  assert.equal(journal.endOffset, second.offset + 56 + 32);
  await journal.close();
});

test('follow yields existing records, then new ones as they are appended, until aborted', async (t) => {
  const journal = await Journal.open(makeTempDir(t), { durability: 'eventual' });
  await journal.append(payloadOf(0));
  const controller = new AbortController();
  const seen: number[] = [];
  const following = (async () => {
    for await (const record of journal.follow(undefined, { signal: controller.signal })) {
      seen.push(indexOfPayload(record.payload));
      if (seen.length === 3) controller.abort();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 10));
  await journal.append(payloadOf(1));
  await new Promise((resolve) => setTimeout(resolve, 10));
  await journal.append(payloadOf(2));
  await following;
  assert.deepEqual(seen, [0, 1, 2]);
  await journal.close();
});

test('follow ends when the journal closes', async (t) => {
  const journal = await Journal.open(makeTempDir(t));
  const following = collect(journal.follow());
  await journal.append(payloadOf(7));
  await new Promise((resolve) => setTimeout(resolve, 10));
  await journal.close();
  assert.deepEqual((await following).map((r) => indexOfPayload(r.payload)), [7]);
});

test('retention removes whole segments below an offset, never the active one', async (t) => {
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir, { maxSegmentBytes: 4096 });
  const results = [];
  for (let i = 0; i < 200; i++) results.push(await journal.append(payloadOf(i, 200)));
  const before = segmentPaths(dir).length;
  const cut = (results[150] as { offset: number }).offset;
  const removed = await journal.removeSegmentsBelow(cut);
  assert.ok(removed.segmentsRemoved > 0);
  assert.equal(segmentPaths(dir).length, before - removed.segmentsRemoved);
  const kept = await collect(journal.iterate());
  assert.ok(kept.length < 200 && kept.length >= 50);
  assert.equal(indexOfPayload((kept.at(-1) as JournalRecord).payload), 199);
  assert.ok(journal.startOffset <= cut);
  await assert.rejects(journal.read((results[0] as { offset: number }).offset), { code: 'INVALID_ARGUMENT' });
  await journal.removeSegmentsBelow(Number.MAX_SAFE_INTEGER);
  assert.equal(segmentPaths(dir).length, 1);
  await journal.close();
});

test('a second open of the same directory fails with FILE_LOCKED', async (t) => {
  const dir = makeTempDir(t);
  const journal = await Journal.open(dir);
  await assert.rejects(Journal.open(dir), { code: 'FILE_LOCKED' });
  await journal.close();
  await (await Journal.open(dir)).close();
});

test('bad input is refused with a typed error and nothing is written', async (t) => {
  const journal = await Journal.open(makeTempDir(t));
  await assert.rejects(journal.append('text' as unknown as Uint8Array), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(journal.read(12345), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(journal.read(-1), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(Journal.open(makeTempDir(t), { durability: 'never' as 'eventual' }), {
    code: 'INVALID_ARGUMENT',
  });
  await assert.rejects(Journal.open(makeTempDir(t), { maxSegmentBytes: 10 }), { code: 'INVALID_ARGUMENT' });
  for (const recentBounds of [{ maxRecords: 0, maxBytes: 1 }, { maxRecords: 1, maxBytes: 1.5 }]) {
    const field = `recentBounds.${recentBounds.maxRecords === 0 ? 'maxRecords' : 'maxBytes'}`;
    const opening = Journal.open(makeTempDir(t), { recentBounds });
    await assert.rejects(opening, { code: 'INVALID_ARGUMENT', field });
  }
  assert.equal(journal.endOffset, SEGMENT_HEADER_BYTES);
  await journal.close();
  await assert.rejects(journal.append(payloadOf(1)), { code: 'CLOSED' });
});

test('after an injected fdatasync failure nothing is acknowledged until reopen, which recovers', async (t) => {
  const dir = makeTempDir(t);
  const control = { failSyncs: false };
  const fileSystem = faultyFileSystem((handle) => ({
    datasync: () => {
      if (control.failSyncs) throw systemError('EIO');
      handle.datasync();
    },
  }));
  const journal = await Journal.open(dir, { fileSystem });
  const acknowledged = await journal.append(payloadOf(1));
  control.failSyncs = true;
  const waiting = [journal.append(payloadOf(2)), journal.append(payloadOf(3))];
  for (const append of waiting) await assert.rejects(append, { code: 'JOURNAL_FAILED' });
  control.failSyncs = false;
  await assert.rejects(journal.append(payloadOf(4)), { code: 'JOURNAL_FAILED' });
  await assert.rejects(journal.sync(), { code: 'JOURNAL_FAILED' });
  await journal.close();
  const reopened = await Journal.open(dir);
  const records = await collect(reopened.iterate());
  assert.equal(indexOfPayload((records[0] as JournalRecord).payload), 1);
  assert.equal((records[0] as JournalRecord).offset, acknowledged.offset);
  // Records 2 and 3 were written but never acknowledged; they may survive (a prefix) but 4 never can.
  assert.ok(!records.some((r) => indexOfPayload(r.payload) === 4));
  assert.deepEqual(records.map((r) => indexOfPayload(r.payload)), [1, 2, 3].slice(0, records.length));
  await reopened.close();
});

test('a short write fails the journal and the partial record is cut before reopen', async (t) => {
  const dir = makeTempDir(t);
  const control = { shortWrites: false };
  const fileSystem = faultyFileSystem((handle) => ({
    write: (bytes, offset, length, position) =>
      handle.write(bytes, offset, control.shortWrites ? Math.floor(length / 2) : length, position),
  }));
  const journal = await Journal.open(dir, { fileSystem });
  await journal.append(payloadOf(1, 100));
  control.shortWrites = true;
  await assert.rejects(journal.append(payloadOf(2, 100)), { code: 'JOURNAL_FAILED' });
  control.shortWrites = false;
  await assert.rejects(journal.append(payloadOf(3, 100)), { code: 'JOURNAL_FAILED' });
  await journal.close();
  const reopened = await Journal.open(dir);
  // The failed journal cut its segment back to the last synced record, so nothing is left to quarantine.
  assert.equal(reopened.recoveryReport.quarantined.length, 0);
  assert.deepEqual((await collect(reopened.iterate())).map((r) => indexOfPayload(r.payload)), [1]);
  await reopened.close();
});

test('the caller may reuse its buffer as soon as append returns', async (t) => {
  const dir = makeTempDir(t);
  for (const durability of ['immediate', 'eventual'] as const) {
    const journal = await Journal.open(dir, { durability });
    const buffer = new Uint8Array(1000).fill(1);
    const pending = journal.append(buffer);
    buffer.fill(2);
    const { offset, hash } = await pending;
    assert.deepEqual(hash, blake3(new Uint8Array(1000).fill(1)));
    assert.deepEqual((await journal.read(offset)).payload, new Uint8Array(1000).fill(1));
    await journal.close();
  }
  const reopened = await Journal.open(dir);
  assert.equal((await collect(reopened.iterate())).length, 2);
  await reopened.close();
});

for (const durability of ['immediate', 'batched', 'eventual'] as const) {
  test(`60 open → append → close cycles under ${durability} read back in full and in order`, async (t) => {
    const dir = makeTempDir(t);
    const cycles = 60;
    const expected: Uint8Array[] = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      const journal = await Journal.open(dir, { durability, maxSegmentBytes: 16 * 1024 });
      assert.equal(journal.recoveryReport.cleanShutdown, cycle > 0);
      assert.equal(journal.recoveryReport.bytesQuarantined, 0);
      const count = 1 + (cycle % 7);
      const appends = [];
      for (let i = 0; i < count; i++) {
        const payload = payloadOf(cycle * 100 + i, 50 + ((cycle * 37 + i * 11) % 900));
        expected.push(new Uint8Array(payload));
        appends.push(journal.append(payload));
      }
      await Promise.all(appends);
      await journal.close();
    }
    const journal = await Journal.open(dir, { durability });
    const records = await collect(journal.iterate());
    assert.equal(records.length, expected.length);
    records.forEach((record, i) => assert.deepEqual(record.payload, expected[i]));
    assert.ok(segmentPaths(dir).length > 1, 'the cycles crossed segment boundaries');
    await journal.close();
  });
}

test('under eventual, a failed write keeps every record acknowledged before it', async (t) => {
  const dir = makeTempDir(t);
  const control = { failWrites: false };
  const fileSystem = faultyFileSystem((handle) => ({
    write: (bytes, offset, length, position) => {
      if (control.failWrites) throw systemError('ENOSPC');
      return handle.write(bytes, offset, length, position);
    },
  }));
  const journal = await Journal.open(dir, { fileSystem, durability: 'eventual' });
  for (let i = 0; i < 5; i++) await journal.append(payloadOf(i));
  control.failWrites = true;
  await assert.rejects(journal.append(payloadOf(5)), { code: 'JOURNAL_FAILED' });
  await journal.close();
  const reopened = await Journal.open(dir);
  assert.deepEqual((await collect(reopened.iterate())).map((r) => indexOfPayload(r.payload)), [0, 1, 2, 3, 4]);
  await reopened.close();
});

test('under eventual, a failed fsync cuts back to the last successful sync, which recovery keeps', async (t) => {
  const dir = makeTempDir(t);
  const control = { failSyncs: false };
  const fileSystem = faultyFileSystem((handle) => ({
    datasync: () => {
      if (control.failSyncs) throw systemError('EIO');
      handle.datasync();
    },
  }));
  const journal = await Journal.open(dir, { fileSystem, durability: 'eventual' });
  for (let i = 0; i < 3; i++) await journal.append(payloadOf(i));
  await journal.sync();
  for (let i = 3; i < 6; i++) await journal.append(payloadOf(i));
  control.failSyncs = true;
  await assert.rejects(journal.sync(), { code: 'JOURNAL_FAILED' });
  await journal.close();
  const reopened = await Journal.open(dir);
  // Records 3..5 were acknowledged as written, never as durable; the failed fsync left them in doubt.
  assert.deepEqual((await collect(reopened.iterate())).map((r) => indexOfPayload(r.payload)), [0, 1, 2]);
  await reopened.close();
});
