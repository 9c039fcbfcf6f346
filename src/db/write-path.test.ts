// Proves the write path's bound on unapplied records holds under concurrent writers (each waits
// until its records fit beside what is unapplied and what the others have reserved), that a write
// larger than the bound still goes through alone, and that every record of every write is
// acknowledged and applied. On the real journal, LevelDB store and ingestor.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { closeAtEnd, makeTempDir } from '../../test/support/temp-dir.js';
import { Ingestor } from '../ingest/index.js';
import { Journal } from '../journal/index.js';
import { contentAddress, decodeRecord, toHex } from '../records/index.js';
import { LevelStore } from '../store/index.js';
import { prepareRecord } from './prepare-record.js';
import type { PreparedRecord } from './prepare-record.js';
import { UningestedRecords } from './uningested-records.js';
import { WritePath } from './write-path.js';
import type { UningestedBounds } from './write-path.js';

/** `UningestedRecords` that remembers the most entries, and bytes, it ever held at once. */
class MeasuredUningested extends UningestedRecords {
  mostHeld = 0;
  mostBytes = 0;

  override add(hash: string, offset: number, bytes: Uint8Array, cursor: number): void {
    super.add(hash, offset, bytes, cursor);
    this.mostHeld = Math.max(this.mostHeld, this.count);
    this.mostBytes = Math.max(this.mostBytes, this.bytes);
  }
}

interface Rig {
  writes: WritePath;
  uningested: MeasuredUningested;
  ingestor: Ingestor;
}

async function openWritePath(t: TestContext, bounds: UningestedBounds): Promise<Rig> {
  const dir = makeTempDir(t);
  const journal = await Journal.open(path.join(dir, 'journal'), { durability: 'eventual' });
  const store = await LevelStore.open(path.join(dir, 'store'));
  const uningested = new MeasuredUningested();
  const ingestor = await Ingestor.open(journal, store, {
    journalId: 'write-path-test',
    onApplied: (cursor) => uningested.trim(cursor),
  });
  closeAtEnd(t, async () => {
    await ingestor.close();
    await journal.close();
    await store.close();
  });
  return { writes: new WritePath(journal, ingestor, uningested, bounds), uningested, ingestor };
}

function claims(from: number, count: number): PreparedRecord[] {
  return Array.from({ length: count }, (_, i) =>
    prepareRecord(
      {
        subject: `s${from + i}`,
        predicate: 'p',
        object: { type: 'number', value: from + i },
        timestamp: 1,
      },
      'assertion',
      { requireSignatures: false },
    ),
  );
}

test('concurrent writers never hold more unapplied records than the bound, and all are applied', async (t) => {
  const bounds = { records: 10, bytes: 1 << 20 };
  const { writes, uningested, ingestor } = await openWritePath(t, bounds);
  // Eight writers of five records each, all at once: without reservations each would see room
  // for its five, and all forty would be held together.
  const batches = Array.from({ length: 8 }, (_, i) => claims(i * 5, 5));
  const results = await Promise.all(batches.map((batch) => writes.write(batch)));
  const held = uningested.mostHeld;
  assert.ok(held <= bounds.records, `held ${held} > ${bounds.records}`);
  const offsets = results.flat().map((result) => result.offset);
  assert.equal(new Set(offsets).size, 40, 'every record was appended once');
  assert.deepEqual(
    results.flat().map((result) => result.hash),
    batches.flat().map((record) => toHex(contentAddress(decodeRecord(record.bytes)))),
  );
  await ingestor.waitForIngest(Math.max(...offsets));
  assert.equal(ingestor.counters.assertions, 40);
});

test('the byte bound holds under concurrent writers too', async (t) => {
  const batches = Array.from({ length: 6 }, (_, i) => claims(100 + i * 4, 4));
  const recordBytes = Math.max(...batches.flat().map((record) => record.bytes.length));
  // Room for two batches' bytes, and records to spare.
  const bounds = { records: 1000, bytes: 8 * recordBytes };
  const { writes, uningested } = await openWritePath(t, bounds);
  await Promise.all(batches.map((batch) => writes.write(batch)));
  const { mostBytes } = uningested;
  assert.ok(mostBytes <= bounds.bytes, `held ${mostBytes} bytes > ${bounds.bytes}`);
  assert.ok(mostBytes > 0);
});

test('a write larger than the bound goes through alone, and writers after it wait their turn', async (t) => {
  const bounds = { records: 10, bytes: 1 << 20 };
  const { writes, uningested, ingestor } = await openWritePath(t, bounds);
  const large = writes.write(claims(0, 25));
  const small = writes.write(claims(25, 5));
  const [largeResults, smallResults] = await Promise.all([large, small]);
  assert.equal(largeResults.length, 25);
  assert.equal(smallResults.length, 5);
  // The small write waited until the large one's records were applied.
  assert.ok(uningested.mostHeld <= 25, `held ${uningested.mostHeld}`);
  const [firstSmall, lastLarge] = [smallResults[0], largeResults.at(-1)];
  assert.ok((firstSmall?.offset ?? -1) > (lastLarge?.offset ?? Infinity));
  await ingestor.waitForIngest((smallResults.at(-1) as { offset: number }).offset);
  assert.equal(ingestor.counters.assertions, 30);
});

test('a write larger than the bound is not starved by writers that keep coming', async (t) => {
  const bounds = { records: 10, bytes: 1 << 20 };
  const { writes, ingestor } = await openWritePath(t, bounds);
  // Four writers of one record each, each writing again as soon as its write returns, so that
  // something is nearly always unapplied. They stop once the large write is done, or at the cap,
  // which is only reached if the large write waits for all of them.
  const cap = 2000;
  let started = 0;
  let largeStarted = false;
  let largeDone = false;
  let smallDuringLarge = 0;
  const writer = async (): Promise<void> => {
    while (!largeDone && started < cap) {
      const claim = claims(1000 + started++, 1);
      await writes.write(claim);
      if (largeStarted && !largeDone) smallDuringLarge++;
    }
  };
  const writers = Array.from({ length: 4 }, writer);
  await new Promise((resolve) => setTimeout(resolve, 20));
  largeStarted = true;
  const large = await writes.write(claims(0, 25));
  largeDone = true;
  await Promise.all(writers);
  assert.equal(large.length, 25);
  // Only writes admitted before the large one, and those queued by then, may pass it.
  assert.ok(smallDuringLarge <= 8, `${smallDuringLarge} small writes finished while it waited`);
  await ingestor.processPending();
  assert.equal(ingestor.counters.assertions, 25 + started);
});
