/**
 * The `KVStore` contract as one test suite, written once and run for every backend: call
 * `runKVStoreConformance` from the backend's test file. Tests use the real file system.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { STORE_KEY_MAX_BYTES, STORE_VALUE_MAX_BYTES, STORE_WRITE_MAX_OPS } from '../limits.js';
import type { KeyRange } from './key-range.js';
import type { KVStore, WriteOp } from './kv-store.js';

export interface KVStoreBackend {
  readonly name: string;
  /** Opens (creating if needed) the store kept in `directory`; reopening finds what was written. */
  open(directory: string): Promise<KVStore>;
}

const utf8 = new TextEncoder();

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function text(value: string): Uint8Array {
  return utf8.encode(value);
}

function hex(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
}

function put(key: Uint8Array, value: Uint8Array = bytes()): WriteOp {
  return { type: 'put', key, value };
}

function del(key: Uint8Array): WriteOp {
  return { type: 'delete', key };
}

async function scanKeys(store: KVStore, range?: KeyRange): Promise<string[]> {
  const keys: string[] = [];
  for await (const [key] of store.iterate(range)) keys.push(hex(key));
  return keys;
}

function hexSorted(keys: Uint8Array[]): string[] {
  return keys.map(hex).sort();
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    return true;
  });
}

export function runKVStoreConformance(backend: KVStoreBackend): void {
  async function openFresh(t: TestContext): Promise<{ store: KVStore; directory: string }> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stemedb-kv-'));
    const directory = path.join(root, 'store');
    const store = await backend.open(directory);
    t.after(async () => {
      await store.close();
      fs.rmSync(root, { recursive: true, force: true });
    });
    return { store, directory };
  }

  describe(`KVStore conformance: ${backend.name}`, () => {
    registerPointTests(openFresh);
    registerBatchTests(openFresh);
    registerOwnershipTests(openFresh);
    registerScanTests(openFresh);
    registerSnapshotTests(openFresh);
    registerOrderTests(openFresh);
    registerLifecycleTests(backend, openFresh);
    registerVolumeTests(openFresh);
  });
}

type OpenFresh = (t: TestContext) => Promise<{ store: KVStore; directory: string }>;

function registerPointTests(openFresh: OpenFresh): void {
  test('a key never written reads as undefined, sync and async', async (t) => {
    const { store } = await openFresh(t);
    assert.equal(store.getSync(text('missing')), undefined);
    assert.equal(await store.get(text('missing')), undefined);
  });

  test('a put value reads back byte for byte, sync and async', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('k'), bytes(1, 2, 3, 0, 255))]);
    assert.deepEqual(store.getSync(text('k')), bytes(1, 2, 3, 0, 255));
    assert.deepEqual(await store.get(text('k')), bytes(1, 2, 3, 0, 255));
  });

  test('an empty value is stored and read back as an empty value, not as absent', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('index-entry'), bytes())]);
    const value = store.getSync(text('index-entry'));
    assert.ok(value instanceof Uint8Array);
    assert.equal(value.length, 0);
  });

  test('values made of or beginning with 0xff bytes read back unchanged by every read', async (t) => {
    const { store } = await openFresh(t);
    const values = [bytes(0xff), bytes(0xff, 0xff), bytes(0xff, 0x00, 0x01), bytes(0xfe, 0xff)];
    await store.write(values.map((value, i) => put(text(`v${i}`), value)));
    const keys = values.map((_, i) => text(`v${i}`));
    assert.deepEqual(keys.map((key) => store.getSync(key)), values);
    assert.deepEqual(await Promise.all(keys.map((key) => store.get(key))), values);
    assert.deepEqual(await store.getMany(keys), values);
    const scanned: Uint8Array[] = [];
    for await (const [, value] of store.iterate({ prefix: text('v') })) scanned.push(value);
    assert.deepEqual(scanned, values);
  });

  test('a second put replaces the value', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('k'), text('first, and longer'))]);
    await store.write([put(text('k'), text('second'))]);
    assert.deepEqual(store.getSync(text('k')), text('second'));
  });

  test('a delete removes the key, and deleting an absent key is not an error', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('k'), text('v'))]);
    await store.write([del(text('k')), del(text('never-there'))]);
    assert.equal(store.getSync(text('k')), undefined);
    assert.deepEqual(await scanKeys(store), []);
  });

  test('a key of STORE_KEY_MAX_BYTES is stored; a longer one reads as absent', async (t) => {
    const { store } = await openFresh(t);
    const longest = new Uint8Array(STORE_KEY_MAX_BYTES).fill(0x4b);
    await store.write([put(longest, text('v'))]);
    assert.deepEqual(store.getSync(longest), text('v'));
    assert.equal(store.getSync(new Uint8Array(STORE_KEY_MAX_BYTES + 1).fill(0x4b)), undefined);
  });

  test('getMany reads many keys by index: values, empty values, absent and oversized keys', async (t) => {
    const { store } = await openFresh(t);
    assert.deepEqual(await store.getMany([]), []);
    const stored: WriteOp[] = [];
    for (let i = 0; i < 500; i += 2) stored.push(put(text(`k${i}`), text(`v${i}`)));
    stored.push(put(text('empty'), bytes()));
    await store.write(stored);
    const keys = Array.from({ length: 500 }, (_, i) => text(`k${i}`));
    keys.push(text('empty'), new Uint8Array(STORE_KEY_MAX_BYTES + 1).fill(0x4b), text('k0'));
    const values = await store.getMany(keys);
    assert.equal(values.length, keys.length);
    for (let i = 0; i < 500; i++) {
      if (i % 2 === 0) assert.deepEqual(values[i], text(`v${i}`), `k${i}`);
      else assert.equal(values[i], undefined, `k${i}`);
    }
    assert.deepEqual(values.slice(500), [bytes(), undefined, text('v0')]);
    // The values are the caller's: a later write leaves them alone.
    await store.write([put(text('k0'), text('changed'))]);
    assert.deepEqual(values[0], text('v0'));
  });
}

function registerBatchTests(openFresh: OpenFresh): void {
  test('a batch of puts and deletes applies every op, later ops winning on a key', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('gone'), text('x')), put(text('kept'), text('old'))]);
    await store.write([
      del(text('gone')),
      put(text('kept'), text('new')),
      put(text('put-then-deleted'), text('x')),
      del(text('put-then-deleted')),
      del(text('deleted-then-put')),
      put(text('deleted-then-put'), text('y')),
    ]);
    assert.equal(store.getSync(text('gone')), undefined);
    assert.deepEqual(store.getSync(text('kept')), text('new'));
    assert.equal(store.getSync(text('put-then-deleted')), undefined);
    assert.deepEqual(store.getSync(text('deleted-then-put')), text('y'));
  });

  test('writes issued without waiting are applied in the order they were called', async (t) => {
    const { store } = await openFresh(t);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) writes.push(store.write([put(text('cursor'), bytes(i))]));
    await Promise.all(writes);
    assert.deepEqual(store.getSync(text('cursor')), bytes(49));
  });

  test('an empty batch resolves and changes nothing', async (t) => {
    const { store } = await openFresh(t);
    await store.write([]);
    assert.deepEqual(await scanKeys(store), []);
  });

  test('a batch with an oversized key fails TOO_LARGE and applies nothing', async (t) => {
    const { store } = await openFresh(t);
    const tooLong = new Uint8Array(STORE_KEY_MAX_BYTES + 1).fill(1);
    await rejectsWithCode(
      store.write([put(text('before'), text('v')), put(tooLong, text('v')), put(text('after'))]),
      'TOO_LARGE',
    );
    assert.deepEqual(await scanKeys(store), []);
    await store.write([put(text('still-writable'), text('v'))]);
    assert.deepEqual(store.getSync(text('still-writable')), text('v'));
  });

  test('a batch with an oversized value fails TOO_LARGE and applies nothing', async (t) => {
    const { store } = await openFresh(t);
    const tooBig = new Uint8Array(STORE_VALUE_MAX_BYTES + 1);
    const write = store.write([put(text('before')), put(text('big'), tooBig)]);
    await rejectsWithCode(write, 'TOO_LARGE');
    assert.deepEqual(await scanKeys(store), []);
  });

  test('a batch over STORE_WRITE_MAX_OPS fails INVALID_ARGUMENT, applies nothing', async (t) => {
    const { store } = await openFresh(t);
    const ops = Array.from({ length: STORE_WRITE_MAX_OPS + 1 }, (_, i) => put(text(`k${i}`)));
    await rejectsWithCode(store.write(ops), 'INVALID_ARGUMENT');
    assert.equal(store.getSync(text('k0')), undefined);
  });
}

function registerOwnershipTests(openFresh: OpenFresh): void {
  test('changing key and value buffers once write() returns changes nothing', async (t) => {
    const { store } = await openFresh(t);
    const value = new Uint8Array(64 * 1024).fill(7);
    const key = text('k');
    const written = store.write([put(key, value)]);
    value.fill(9);
    key.fill(0x5a);
    await written;
    assert.deepEqual(store.getSync(text('k')), new Uint8Array(64 * 1024).fill(7));
    assert.equal(store.getSync(key), undefined);
  });

  test('a value from get is the caller\'s: later reads and writes leave it alone', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('a'), text('alpha')), put(text('b'), text('bravo'))]);
    const first = store.getSync(text('a'));
    assert.ok(first !== undefined);
    assert.equal(Object.getPrototypeOf(first), Uint8Array.prototype);
    store.getSync(text('b'));
    await store.write([put(text('a'), text('ALPHA'))]);
    assert.deepEqual(first, text('alpha'));
    first.fill(0);
    assert.deepEqual(store.getSync(text('a')), text('ALPHA'));
  });

  test('entries from a scan are the caller\'s: later scans and writes leave them', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('a'), text('alpha')), put(text('b'), text('bravo'))]);
    const entries: (readonly [Uint8Array, Uint8Array])[] = [];
    for await (const entry of store.iterate()) entries.push(entry);
    await store.write([put(text('a'), text('ALPHA')), del(text('b'))]);
    for await (const entry of store.iterate()) entry[1].fill(0);
    assert.deepEqual(entries, [
      [text('a'), text('alpha')],
      [text('b'), text('bravo')],
    ]);
    assert.deepEqual(store.getSync(text('a')), text('ALPHA'));
  });
}

/** The hex of each text key, for comparing with `scanKeys`. */
function h(...keys: string[]): string[] {
  return keys.map((key) => hex(text(key)));
}

function registerScanTests(openFresh: OpenFresh): void {
  const seeded = (t: TestContext): Promise<KVStore> => openSeeded(openFresh, t);

  test('a prefix scan returns exactly its keys, in order, with their values', async (t) => {
    const store = await seeded(t);
    assert.deepEqual(await scanKeys(store, { prefix: text('a/') }), h('a/1', 'a/2', 'a/3', 'a/4'));
    const entries: [string, string][] = [];
    for await (const [key, value] of store.iterate({ prefix: text('b') })) {
      entries.push([Buffer.from(key).toString(), Buffer.from(value).toString()]);
    }
    assert.deepEqual(entries, [
      ['b', 'value of b'],
      ['b/1', 'value of b/1'],
    ]);
    assert.deepEqual(await scanKeys(store, { prefix: text('zz') }), []);
  });

  test('limit bounds a scan, and reverse returns the highest keys first', async (t) => {
    const store = await seeded(t);
    assert.deepEqual(await scanKeys(store, { prefix: text('a/'), limit: 2 }), h('a/1', 'a/2'));
    assert.deepEqual(
      await scanKeys(store, { prefix: text('a/'), reverse: true }),
      h('a/4', 'a/3', 'a/2', 'a/1'),
    );
    assert.deepEqual(
      await scanKeys(store, { prefix: text('a/'), reverse: true, limit: 2 }),
      h('a/4', 'a/3'),
    );
    assert.deepEqual(await scanKeys(store, { limit: 0 }), []);
    assert.deepEqual(await scanKeys(store, { limit: 1, reverse: true }), h('c'));
  });

  test('gte is inclusive and lt exclusive, whether or not the bounds are keys', async (t) => {
    const store = await seeded(t);
    assert.deepEqual(
      await scanKeys(store, { gte: text('a/2'), lt: text('b') }),
      h('a/2', 'a/3', 'a/4', 'ab'),
    );
    assert.deepEqual(await scanKeys(store, { gte: text('a/25'), lt: text('a/35') }), h('a/3'));
    assert.deepEqual(
      await scanKeys(store, { gte: text('a/2'), lt: text('b'), reverse: true }),
      h('ab', 'a/4', 'a/3', 'a/2'),
    );
    assert.deepEqual(
      await scanKeys(store, { gte: text('a/25'), lt: text('a/45'), reverse: true }),
      h('a/4', 'a/3'),
    );
    assert.deepEqual(await scanKeys(store, { gte: text('b/1') }), h('b/1', 'c'));
    assert.deepEqual(await scanKeys(store, { lt: text('a/1') }), h('a'));
    assert.deepEqual(await scanKeys(store, { lt: text('a/1'), reverse: true }), h('a'));
    assert.deepEqual(await scanKeys(store, { gte: text('b'), lt: text('b') }), []);
    assert.deepEqual(await scanKeys(store, { gte: text('c'), lt: text('a') }), []);
  });

  test('a prefix combined with gte and lt scans their intersection', async (t) => {
    const store = await seeded(t);
    const a = text('a/');
    const fromTwo = { prefix: a, gte: text('a/2') };
    assert.deepEqual(await scanKeys(store, fromTwo), h('a/2', 'a/3', 'a/4'));
    assert.deepEqual(await scanKeys(store, { prefix: a, lt: text('a/3') }), h('a/1', 'a/2'));
    assert.deepEqual(
      await scanKeys(store, { prefix: a, gte: text('0'), lt: text('z') }),
      h('a/1', 'a/2', 'a/3', 'a/4'),
    );
    assert.deepEqual(await scanKeys(store, { prefix: a, gte: text('b') }), []);
  });

}

function registerSnapshotTests(openFresh: OpenFresh): void {
  const seeded = (t: TestContext): Promise<KVStore> => openSeeded(openFresh, t);

  test('an empty prefix, or no range at all, scans every key', async (t) => {
    const store = await seeded(t);
    const all = h('a', 'a/1', 'a/2', 'a/3', 'a/4', 'ab', 'b', 'b/1', 'c');
    assert.deepEqual(await scanKeys(store), all);
    assert.deepEqual(await scanKeys(store, { prefix: bytes() }), all);
    assert.deepEqual(await scanKeys(store, { prefix: bytes(), reverse: true }), [...all].reverse());
  });

  test('a scan sees the store as it started, not writes committed during it', async (t) => {
    const store = await seeded(t);
    const seen: string[] = [];
    for await (const [key] of store.iterate({ prefix: text('a/') })) {
      if (seen.length === 0) await store.write([put(text('a/9')), del(text('a/4'))]);
      seen.push(hex(key));
    }
    assert.deepEqual(seen, h('a/1', 'a/2', 'a/3', 'a/4'));
    assert.deepEqual(await scanKeys(store, { prefix: text('a/') }), h('a/1', 'a/2', 'a/3', 'a/9'));
  });

  test('scans left early release their snapshot: 300 of them across 300 commits', async (t) => {
    const store = await seeded(t);
    for (let i = 0; i < 300; i++) {
      for await (const entry of store.iterate()) {
        assert.ok(entry);
        break;
      }
      await store.write([put(text('counter'), text(String(i)))]);
    }
    assert.deepEqual(store.getSync(text('counter')), text('299'));
  });
}

/** A fresh store holding the keys the scan tests select from, each with value `value of <key>`. */
async function openSeeded(openFresh: OpenFresh, t: TestContext): Promise<KVStore> {
  const { store } = await openFresh(t);
  const keys = ['a', 'a/1', 'a/2', 'a/3', 'a/4', 'ab', 'b', 'b/1', 'c'];
  await store.write(keys.map((key) => put(text(key), text(`value of ${key}`))));
  return store;
}

function registerOrderTests(openFresh: OpenFresh): void {
  test('keys with 0x00 and 0xff bytes scan in bytewise order, forward and reverse', async (t) => {
    const { store } = await openFresh(t);
    const keys = [
      bytes(0x00),
      bytes(0x00, 0x00),
      bytes(0x00, 0xff),
      bytes(0x01),
      bytes(0x61),
      bytes(0x61, 0x00),
      bytes(0x61, 0x00, 0x00),
      bytes(0x61, 0x01),
      bytes(0x61, 0xff),
      bytes(0x61, 0xff, 0xff),
      bytes(0x62),
      bytes(0xff),
      bytes(0xff, 0x00),
      bytes(0xff, 0xff),
      bytes(0xff, 0xff, 0xff),
    ];
    // 7 is coprime with 15, so this visits every key once, out of order.
    const shuffled = keys.map((_, i) => keys[(i * 7) % keys.length] ?? bytes());
    await store.write(shuffled.map((key) => put(key, key)));
    const expected = keys.map(hex);
    assert.deepEqual(await scanKeys(store), expected);
    assert.deepEqual(await scanKeys(store, { reverse: true }), [...expected].reverse());
    assert.deepEqual(await scanKeys(store, { prefix: bytes(0xff) }), hexSorted(keys.slice(11)));
    assert.deepEqual(
      await scanKeys(store, { prefix: bytes(0xff, 0xff), reverse: true }),
      hexSorted(keys.slice(13)).reverse(),
    );
    const a = bytes(0x61, 0xff);
    assert.deepEqual(await scanKeys(store, { prefix: a }), hexSorted(keys.slice(8, 10)));
    assert.deepEqual(await scanKeys(store, { prefix: bytes(0x00) }), hexSorted(keys.slice(0, 3)));
    assert.deepEqual(
      await scanKeys(store, { prefix: bytes(0x00), reverse: true }),
      hexSorted(keys.slice(0, 3)).reverse(),
    );
    const belowZeroZero = { lt: bytes(0x00, 0x00), reverse: true };
    assert.deepEqual(await scanKeys(store, belowZeroZero), [hex(bytes(0x00))]);
  });

  test('order is bytewise over UTF-8, not UTF-16: U+FF61 sorts before U+1F600', async (t) => {
    const { store } = await openFresh(t);
    const halfwidth = text('\uFF61');
    const emoji = text('\u{1F600}');
    // In UTF-16 the emoji (a surrogate pair starting 0xD83D) would sort first.
    assert.ok('\u{1F600}' < '\uFF61');
    await store.write([put(emoji), put(halfwidth), put(text('z'))]);
    assert.deepEqual(await scanKeys(store), [hex(text('z')), hex(halfwidth), hex(emoji)]);
  });
}

function registerLifecycleTests(backend: KVStoreBackend, openFresh: OpenFresh): void {
  test('close is idempotent and every later call fails with CLOSED', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('k'), text('v'))]);
    await store.close();
    await store.close();
    assert.throws(() => store.getSync(text('k')), { code: 'CLOSED' });
    await rejectsWithCode(store.get(text('k')), 'CLOSED');
    await rejectsWithCode(store.getMany([text('k')]), 'CLOSED');
    await rejectsWithCode(store.write([put(text('k'), text('w'))]), 'CLOSED');
    await rejectsWithCode(scanKeys(store), 'CLOSED');
  });

  test('a scan in progress when the store closes fails with CLOSED at its next step', async (t) => {
    const { store } = await openFresh(t);
    await store.write([put(text('a')), put(text('b')), put(text('c'))]);
    const iterator = store.iterate()[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    await store.close();
    await rejectsWithCode(iterator.next(), 'CLOSED');
  });

  test('close waits for writes in flight; reopening finds all acknowledged', async (t) => {
    const { store, directory } = await openFresh(t);
    await store.write([put(text('first'), text('1'))]);
    const inFlight = store.write([put(text('second'), text('2')), del(text('first'))]);
    await store.close();
    await inFlight;
    const reopened = await backend.open(directory);
    t.after(() => reopened.close());
    assert.equal(reopened.getSync(text('first')), undefined);
    assert.deepEqual(reopened.getSync(text('second')), text('2'));
    assert.deepEqual(await scanKeys(reopened), [hex(text('second'))]);
  });
}

function registerVolumeTests(openFresh: OpenFresh): void {
  test('a 1 MiB value round-trips through get and scans', async (t) => {
    const { store } = await openFresh(t);
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 11)) & 0xff;
    await store.write([put(text('big'), big), put(text('small'), text('s'))]);
    assert.deepEqual(store.getSync(text('big')), big);
    const scanned: Uint8Array[] = [];
    for await (const [, value] of store.iterate()) scanned.push(value);
    assert.deepEqual(scanned, [big, text('s')]);
  });

  test('100k keys written in shuffled batches scan back complete and in order', async (t) => {
    const { store } = await openFresh(t);
    const count = 100_000;
    const batchSize = 10_000;
    // 65_537 is coprime with 100_000, so this is a fixed permutation of 0..count-1.
    const order = Array.from({ length: count }, (_, i) => (i * 65_537) % count);
    const keyOf = (i: number): Uint8Array => text(`k/${i.toString(16).padStart(6, '0')}`);
    for (let start = 0; start < count; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      await store.write(batch.map((i) => put(keyOf(i), text(String(i)))));
    }
    let next = 0;
    for await (const [key, value] of store.iterate({ prefix: text('k/') })) {
      // One cheap comparison per entry; the assertion names the first entry out of place.
      const expectedValue = text(String(next));
      if (Buffer.compare(key, keyOf(next)) !== 0 || Buffer.compare(value, expectedValue) !== 0) {
        assert.fail(`entry ${next} is ${hex(key)} = ${hex(value)}, expected ${hex(keyOf(next))}`);
      }
      next++;
    }
    assert.equal(next, count);
    assert.deepEqual(await scanKeys(store, { prefix: text('k/'), reverse: true, limit: 2 }), [
      hex(keyOf(count - 1)),
      hex(keyOf(count - 2)),
    ]);
  });
}
