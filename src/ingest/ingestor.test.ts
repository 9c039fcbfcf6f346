// Proves the ingestor folds the journal into the store exactly once per record: it resumes from
// its cursor, quarantines what it cannot apply, merges signatures, rebuilds to the same result,
// rebuilds when the store does not match the journal, and surfaces store failures.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { createRandom, seedFromEnv } from '../../test/support/random.js';
import { closeAtEnd, makeTempDir } from '../../test/support/temp-dir.js';
import { IoError } from '../errors.js';
import { Journal } from '../journal/index.js';
import { INGEST_BATCH_MAX_RECORDS } from '../limits.js';
import {
  contentAddress,
  encodeRecord,
  generateSigningKey,
  parseAssertionInput,
  signRecord,
  toHex,
} from '../records/index.js';
import type { Assertion } from '../records/index.js';
import { LevelStore, hashKey, kindPrefix, metaKey, unappliedKey } from '../store/index.js';
import type { Entry, KVStore, KeyRange, WriteOp, WriteOptions } from '../store/index.js';
import { CURSOR_KEY, decodeU64 } from './ingest-meta.js';
import { Ingestor } from './ingestor.js';
import type { BatchInfo, IngestorOptions } from './ingestor.js';
import { decodeUnappliedEntry } from './unapplied-entry.js';

const JOURNAL_ID = 'journal-a';

interface Rig {
  dir: string;
  journal: Journal;
  store: KVStore;
}

async function openRig(t: TestContext, dir = makeTempDir(t)): Promise<Rig> {
  const journal = await Journal.open(path.join(dir, 'journal'));
  const store = await LevelStore.open(path.join(dir, 'store'));
  closeAtEnd(t, async () => {
    await journal.close();
    await store.close();
  });
  return { dir, journal, store };
}

async function closeRig(rig: Rig): Promise<void> {
  await rig.journal.close();
  await rig.store.close();
}

function assertion(n: number, subject = `subject-${n % 7}`): Assertion {
  return parseAssertionInput({
    subject,
    predicate: `predicate-${n % 3}`,
    object: { type: 'number', value: n },
    timestamp: 1_700_000_000_000 + n,
  });
}

async function appendAll(journal: Journal, records: readonly Assertion[]): Promise<void> {
  await Promise.all(records.map((record) => journal.append(encodeRecord(record))));
}

async function dump(store: KVStore): Promise<string[]> {
  const entries: string[] = [];
  for await (const [key, value] of store.iterate()) entries.push(`${toHex(key)}=${toHex(value)}`);
  return entries;
}

async function countKeys(store: KVStore, prefix: Uint8Array): Promise<number> {
  let count = 0;
  for await (const entry of store.iterate({ prefix })) if (entry[0].length > 0) count++;
  return count;
}

function storedCursor(store: KVStore): number {
  return decodeU64(store.getSync(CURSOR_KEY), 'cursor', -1);
}

async function ingest(rig: Rig, options: Partial<IngestorOptions> = {}): Promise<Ingestor> {
  const ingestorOptions = { journalId: JOURNAL_ID, ...options };
  const ingestor = await Ingestor.open(rig.journal, rig.store, ingestorOptions);
  await ingestor.processPending();
  return ingestor;
}

test('records appended while the ingestor is closed are applied once at reopen', async (t) => {
  const rig = await openRig(t);
  await appendAll(rig.journal, Array.from({ length: 40 }, (_, n) => assertion(n)));
  const first = await ingest(rig);
  await first.close();
  assert.equal(storedCursor(rig.store), rig.journal.endOffset);
  await appendAll(rig.journal, Array.from({ length: 40 }, (_, n) => assertion(n + 20)));
  const second = await ingest(rig);
  assert.equal(second.counters.assertions, 60);
  assert.equal(await countKeys(rig.store, kindPrefix('hash')), 60);
  assert.equal(await countKeys(rig.store, kindPrefix('subject')), 60);
  assert.equal(await countKeys(rig.store, kindPrefix('subjectPredicate')), 60);
  assert.equal(storedCursor(rig.store), rig.journal.endOffset);
  await second.close();
});

test('the ingestor follows appends and waitForIngest resolves per record', async (t) => {
  const rig = await openRig(t);
  const ingestor = await ingest(rig);
  const { offset } = await rig.journal.append(encodeRecord(assertion(1)));
  await ingestor.waitForIngest(offset);
  assert.ok(ingestor.cursor > offset);
  assert.ok(rig.store.getSync(hashKey(contentAddress(assertion(1)))));
  const beyond = ingestor.waitForIngest(rig.journal.endOffset + 8);
  await assert.rejects(beyond, { code: 'INVALID_ARGUMENT' });
  await ingestor.close();
  await assert.rejects(ingestor.waitForIngest(offset + 1_000_000), { code: 'INVALID_ARGUMENT' });
});

test('a non-record or a forged signature goes to Q: and ingestion goes on', async (t) => {
  const rig = await openRig(t);
  const garbage = await rig.journal.append(new TextEncoder().encode('not a record'));
  const key = generateSigningKey();
  const signed = signRecord(assertion(5), key, 1);
  const forged: Assertion = {
    ...signed,
    signatures: signed.signatures.map((s) => ({ ...s, signature: new Uint8Array(64).fill(7) })),
  };
  const bad = await rig.journal.append(encodeRecord(forged));
  await appendAll(rig.journal, [assertion(6)]);
  const ingestor = await ingest(rig);
  assert.deepEqual(ingestor.counters, { assertions: 1, votes: 0, epochs: 0, unapplied: 2 });
  const entryAt = (offset: number) =>
    decodeUnappliedEntry(rig.store.getSync(unappliedKey(offset)) ?? new Uint8Array());
  const first = entryAt(garbage.offset);
  assert.match(first?.reason ?? '', /^undecodable: /);
  assert.equal(new TextDecoder().decode(first?.payload), 'not a record');
  const second = entryAt(bad.offset);
  assert.match(second?.reason ?? '', /^signature: .*does not verify/);
  assert.equal(rig.store.getSync(hashKey(contentAddress(forged))), undefined);
  await ingestor.close();
});

test('one claim signed by several agents is one record with every signature', async (t) => {
  const rig = await openRig(t);
  const [alice, bob, carol] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
  const claim = assertion(9);
  // Alice and Bob in one batch, Carol in a later one: both merge paths.
  await appendAll(rig.journal, [signRecord(claim, alice, 1), signRecord(claim, bob, 2)]);
  const ingestor = await ingest(rig);
  await appendAll(rig.journal, [signRecord(claim, carol, 3), signRecord(claim, alice, 1)]);
  await ingestor.processPending();
  const stored = rig.store.getSync(hashKey(contentAddress(claim)));
  const expected = [alice, bob, carol].reduce(
    (record, agent, i) => signRecord(record, agent, i + 1),
    claim,
  );
  assert.deepEqual(stored, encodeRecord(expected));
  assert.equal(ingestor.counters.assertions, 1);
  assert.equal(await countKeys(rig.store, kindPrefix('subject')), 1);
  await ingestor.close();
});

test('a rebuild yields exactly the store that incremental ingestion built', async (t) => {
  const rig = await openRig(t);
  const key = generateSigningKey();
  const ingestor = await ingest(rig);
  for (let round = 0; round < 5; round++) {
    const sign = (n: number): Assertion => signRecord(assertion(n * round), key, round);
    const records = Array.from({ length: 30 }, (_, n) => sign(n));
    await appendAll(rig.journal, records);
    await rig.journal.append(new Uint8Array([round]));
    await ingestor.processPending();
  }
  const incremental = await dump(rig.store);
  await ingestor.rebuild();
  assert.deepEqual(await dump(rig.store), incremental);
  await ingestor.close();
});

test('a store cursor beyond the journal end makes the open rebuild the store', async (t) => {
  const rig = await openRig(t);
  await appendAll(rig.journal, Array.from({ length: 10 }, (_, n) => assertion(n)));
  const first = await ingest(rig);
  await first.close();
  const expected = await dump(rig.store);
  const ahead = new Uint8Array(8);
  new DataView(ahead.buffer).setUint32(4, rig.journal.endOffset + 4096);
  await rig.store.write([
    { type: 'put', key: CURSOR_KEY, value: ahead },
    { type: 'put', key: hashKey(new Uint8Array(32).fill(1)), value: new Uint8Array([1]) },
  ]);
  const second = await ingest(rig);
  assert.equal(second.rebuiltAtOpen, 'cursor-ahead');
  assert.deepEqual(await dump(rig.store), expected);
  assert.ok(storedCursor(rig.store) <= rig.journal.endOffset);
  await second.close();
});

test('a store from another journal, or a rebuild cut short, is rebuilt at open', async (t) => {
  const rig = await openRig(t);
  await appendAll(rig.journal, Array.from({ length: 10 }, (_, n) => assertion(n)));
  await (await ingest(rig)).close();
  const expected = await dump(rig.store);
  const other = await ingest(rig, { journalId: 'journal-b' });
  assert.equal(other.rebuiltAtOpen, 'journal-changed');
  await other.close();
  await rig.store.write([
    { type: 'put', key: metaKey('ingest.rebuilding'), value: new Uint8Array(0) },
    { type: 'put', key: hashKey(new Uint8Array(32).fill(2)), value: new Uint8Array([2]) },
  ]);
  const resumed = await ingest(rig);
  assert.equal(resumed.rebuiltAtOpen, 'interrupted-rebuild');
  assert.deepEqual(await dump(rig.store), expected);
  await resumed.close();
});

test('batches stay within the record limit and each one moves the stored cursor', async (t) => {
  const rig = await openRig(t);
  const count = INGEST_BATCH_MAX_RECORDS + 100;
  await appendAll(rig.journal, Array.from({ length: count }, (_, n) => assertion(n)));
  const batches: BatchInfo[] = [];
  const ingestor = await ingest(rig, { hooks: { afterWrite: (info) => void batches.push(info) } });
  assert.ok(batches.length >= 2);
  assert.ok(batches.every((batch) => batch.records <= INGEST_BATCH_MAX_RECORDS));
  assert.equal(batches.reduce((sum, batch) => sum + batch.records, 0), count);
  assert.equal(batches.at(-1)?.cursor, rig.journal.endOffset);
  await ingestor.close();
});

test('the seal of a clean close leaves nothing pending, at open and after a rebuild', async (t) => {
  const dir = makeTempDir(t);
  const rig = await openRig(t, dir);
  await appendAll(rig.journal, [assertion(1)]);
  await (await ingest(rig)).close();
  await closeRig(rig);
  const reopened = await openRig(t, dir);
  const ingestor = await ingest(reopened);
  assert.equal(ingestor.cursor, reopened.journal.endOffset);
  await ingestor.rebuild();
  assert.equal(ingestor.cursor, reopened.journal.endOffset);
  assert.equal(ingestor.counters.assertions, 1);
  await ingestor.close();
});

/** A store whose writes fail once `failing` is set, as a full or broken disk would. */
class FailingStore implements KVStore {
  failing = false;
  readonly #inner: KVStore;
  constructor(inner: KVStore) {
    this.#inner = inner;
  }
  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.#inner.getSync(key);
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#inner.get(key);
  }
  getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return this.#inner.getMany(keys);
  }
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<void> {
    if (this.failing) return Promise.reject(new IoError('store', 'write failed'));
    return this.#inner.write(ops, options);
  }
  iterate(range?: KeyRange): AsyncIterable<Entry> {
    return this.#inner.iterate(range);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

test('a failed store write stops the ingestor; waiting callers get the typed error', async (t) => {
  const rig = await openRig(t);
  const store = new FailingStore(rig.store);
  const ingestor = await Ingestor.open(rig.journal, store, { journalId: JOURNAL_ID });
  store.failing = true;
  const { offset } = await rig.journal.append(encodeRecord(assertion(1)));
  const waiting = ingestor.waitForIngest(offset);
  await assert.rejects(waiting, { name: 'IngestFailedError', code: 'IO_ERROR' });
  assert.equal(ingestor.failure?.code, 'IO_ERROR');
  await assert.rejects(ingestor.processPending(), { code: 'IO_ERROR' });
  await assert.rejects(ingestor.rebuild(), { code: 'IO_ERROR' });
  await ingestor.close();
});

/** A promise with its resolver, to hold a hook until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test('records that arrive during a store write are gathered into the next batch', async (t) => {
  const rig = await openRig(t);
  const held = gate();
  const batches: BatchInfo[] = [];
  const hooks = {
    beforeWrite: (info: BatchInfo) => (info.sequence === 1 ? held.opened : undefined),
    afterWrite: (info: BatchInfo) => void batches.push(info),
  };
  const ingestor = await Ingestor.open(rig.journal, rig.store, { journalId: JOURNAL_ID, hooks });
  await appendAll(rig.journal, [assertion(1), assertion(2)]);
  await new Promise((resolve) => setImmediate(resolve));
  // The first write is held; these arrive meanwhile, one of them a copy of a record in it.
  await appendAll(rig.journal, [assertion(2), assertion(3), assertion(4)]);
  await new Promise((resolve) => setImmediate(resolve));
  held.open();
  await ingestor.processPending();
  assert.deepEqual(
    batches.map((batch) => batch.records),
    [2, 3],
  );
  assert.ok((batches[0]?.cursor ?? 0) < (batches[1]?.cursor ?? 0));
  assert.equal(ingestor.counters.assertions, 4);
  assert.equal(await countKeys(rig.store, kindPrefix('hash')), 4);
  assert.equal(storedCursor(rig.store), rig.journal.endOffset);
  await ingestor.close();
});

/** A store whose writes and batched reads each take a random few milliseconds longer. */
class SlowStore implements KVStore {
  readonly #inner: KVStore;
  readonly #delayMs: () => number;
  constructor(inner: KVStore, delayMs: () => number) {
    this.#inner = inner;
    this.#delayMs = delayMs;
  }
  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.#inner.getSync(key);
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#inner.get(key);
  }
  async getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    // The read happens at once; its answer arrives late, as from a busy worker thread.
    const values = await this.#inner.getMany(keys);
    await new Promise((resolve) => setTimeout(resolve, this.#delayMs()));
    return values;
  }
  async write(ops: readonly WriteOp[], options?: WriteOptions): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.#delayMs()));
    await this.#inner.write(ops, options);
  }
  iterate(range?: KeyRange): AsyncIterable<Entry> {
    return this.#inner.iterate(range);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

test('copies and re-signings that race slow writes and reads fold exactly as a rebuild does', async (t) => {
  const seed = seedFromEnv();
  t.diagnostic(`seed ${seed} (replay with STEMEDB_SEED=${seed})`);
  const random = createRandom(seed);
  const rig = await openRig(t);
  const slow = new SlowStore(rig.store, () => random.nextInt(4));
  const agents = Array.from({ length: 4 }, () => generateSigningKey());
  const ingestor = await Ingestor.open(rig.journal, slow, { journalId: JOURNAL_ID });
  // 30 distinct claims, each appended again and again, unsigned or signed by one of 4 agents,
  // in bursts that land inside a window, in the batch being written, or in the one after it.
  for (let burst = 0; burst < 40; burst++) {
    const records = Array.from({ length: 1 + random.nextInt(60) }, () => {
      const claim = assertion(random.nextInt(30));
      const signer = random.nextInt(agents.length + 1);
      const agent = agents[signer];
      return agent === undefined ? claim : signRecord(claim, agent, 1 + signer);
    });
    await appendAll(rig.journal, records);
    if (random.nextInt(3) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await ingestor.processPending();
  const incremental = await dump(rig.store);
  assert.equal(ingestor.counters.assertions, await countKeys(rig.store, kindPrefix('hash')));
  assert.equal(await countKeys(rig.store, kindPrefix('subject')), ingestor.counters.assertions);
  await ingestor.rebuild();
  assert.deepEqual(await dump(rig.store), incremental);
  await ingestor.close();
});

/**
 * A store that records which `H:` keys the ingestor looks up, and holds a full scan of `H:` (the
 * one that fills the ingestor's filter at open) until `releaseScan`.
 */
class WatchedStore implements KVStore {
  readonly lookedUp = new Set<string>();
  readonly #inner: KVStore;
  readonly #scanGate = gate();
  readonly #scanEnded = gate();
  constructor(inner: KVStore) {
    this.#inner = inner;
  }
  releaseScan(): Promise<void> {
    this.#scanGate.open();
    return this.#scanEnded.opened;
  }
  getSync(key: Uint8Array): Uint8Array | undefined {
    this.#note(key);
    return this.#inner.getSync(key);
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#note(key);
    return this.#inner.get(key);
  }
  getMany(keys: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    for (const key of keys) this.#note(key);
    return this.#inner.getMany(keys);
  }
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<void> {
    return this.#inner.write(ops, options);
  }
  async *iterate(range: KeyRange = {}): AsyncGenerator<Entry> {
    const hashPrefix = toHex(kindPrefix('hash'));
    const fullScanOfHashes =
      range.prefix !== undefined && toHex(range.prefix) === hashPrefix && range.limit === undefined;
    if (!fullScanOfHashes) {
      yield* this.#inner.iterate(range);
      return;
    }
    const inner = this.#inner.iterate(range)[Symbol.asyncIterator]();
    try {
      // The scan's snapshot is taken by its first step: what is applied while it is held is not
      // in it, so the ingestor itself must add those addresses to the filter being filled.
      let step = await inner.next();
      await this.#scanGate.opened;
      for (; step.done !== true; step = await inner.next()) yield step.value;
    } finally {
      await inner.return?.(undefined);
      this.#scanEnded.open();
    }
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  #note(key: Uint8Array): void {
    if (toHex(key).startsWith(toHex(kindPrefix('hash')))) this.lookedUp.add(toHex(key));
  }
}

test('new claims are not looked up; copies are, before and after a reopened store fills its filter', async (t) => {
  const rig = await openRig(t);
  const agent = generateSigningKey();
  const first = Array.from({ length: 50 }, (_, n) => assertion(n));
  await appendAll(rig.journal, first);
  const fresh = new WatchedStore(rig.store);
  const initial = await Ingestor.open(rig.journal, fresh, { journalId: JOURNAL_ID });
  await initial.processPending();
  assert.equal(fresh.lookedUp.size, 0, 'an empty store rules every new claim out without a read');
  await appendAll(rig.journal, [assertion(3), signRecord(assertion(4), agent, 1)]);
  await initial.processPending();
  assert.equal(initial.counters.assertions, 50);
  assert.ok(fresh.lookedUp.has(toHex(hashKey(contentAddress(assertion(4))))), 'a copy is read');
  await initial.close();

  // Reopened over 50 stored claims: until the scan of H: ends, every record is looked up.
  const watched = new WatchedStore(rig.store);
  const ingestor = await Ingestor.open(rig.journal, watched, { journalId: JOURNAL_ID });
  await appendAll(rig.journal, [assertion(5), signRecord(assertion(6), agent, 1), assertion(100)]);
  await ingestor.processPending();
  assert.equal(ingestor.counters.assertions, 51);
  assert.equal(watched.lookedUp.size, 3);

  await watched.releaseScan();
  // Let the scan's last step (marking the filter complete) run.
  await new Promise((resolve) => setImmediate(resolve));
  watched.lookedUp.clear();
  const later = [assertion(7), signRecord(assertion(8), agent, 1), assertion(100), assertion(101)];
  await appendAll(rig.journal, later);
  await ingestor.processPending();
  assert.equal(ingestor.counters.assertions, 52);
  for (const copy of [assertion(7), assertion(8), assertion(100)]) {
    assert.ok(watched.lookedUp.has(toHex(hashKey(contentAddress(copy)))), 'a stored claim is read');
  }
  assert.equal(watched.lookedUp.has(toHex(hashKey(contentAddress(assertion(101))))), false);
  const merged = rig.store.getSync(hashKey(contentAddress(assertion(8))));
  assert.deepEqual(merged, encodeRecord(signRecord(assertion(8), agent, 1)));
  assert.equal(await countKeys(rig.store, kindPrefix('subject')), 52);
  await ingestor.close();
});

test('after a failed write no later batch is stored: the cursor stays put', async (t) => {
  const rig = await openRig(t);
  const store = new FailingStore(rig.store);
  const held = gate();
  const hooks = {
    beforeWrite: async (info: BatchInfo) => {
      if (info.sequence !== 2) return;
      await held.opened;
      store.failing = true;
    },
  };
  const ingestor = await Ingestor.open(rig.journal, store, { journalId: JOURNAL_ID, hooks });
  const first = await rig.journal.append(encodeRecord(assertion(1)));
  await ingestor.waitForIngest(first.offset);
  const committed = storedCursor(rig.store);
  await rig.journal.append(encodeRecord(assertion(2)));
  await new Promise((resolve) => setImmediate(resolve));
  // Gathered behind the failing write; it must never reach the store.
  const last = await rig.journal.append(encodeRecord(assertion(3)));
  await new Promise((resolve) => setImmediate(resolve));
  held.open();
  await assert.rejects(ingestor.waitForIngest(last.offset), { code: 'IO_ERROR' });
  await ingestor.close();
  assert.equal(storedCursor(rig.store), committed);
  assert.equal(ingestor.cursor, committed);
  assert.equal(await countKeys(rig.store, kindPrefix('hash')), 1);
});
