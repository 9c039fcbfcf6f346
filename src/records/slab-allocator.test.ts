// Proves the slab allocator: every array it gives is its own span of exactly the asked length,
// zero-filled and aligned, across slab boundaries, and long arrays get buffers of their own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlabAllocator } from './slab-allocator.js';

const SLAB_BYTES = 4096;
const MAX_BYTES = 256;

test('arrays never overlap, also across slabs, and each is zeroed, aligned, of its length', () => {
  for (const alignBytes of [1, 8]) {
    const slabs = new SlabAllocator(SLAB_BYTES, MAX_BYTES, alignBytes);
    const arrays: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; total < 3 * SLAB_BYTES; i++) {
      const length = 1 + ((i * 37) % MAX_BYTES);
      const bytes = slabs.allocate(length);
      assert.equal(bytes.length, length);
      assert.equal(bytes.byteOffset % alignBytes, 0);
      assert.ok(bytes.every((byte) => byte === 0), `array ${i} is zeroed`);
      bytes.fill(1 + (i % 250));
      arrays.push(bytes);
      total += length;
    }
    arrays.forEach((bytes, i) => {
      assert.ok(bytes.every((byte) => byte === 1 + (i % 250)), `array ${i} intact`);
    });
    const slabsUsed = new Set(arrays.map((bytes) => bytes.buffer)).size;
    assert.ok(slabsUsed >= 3, 'the arrays span several slabs');
  }
});

test('an array longer than the limit gets a buffer of its own', () => {
  const slabs = new SlabAllocator(SLAB_BYTES, MAX_BYTES);
  const long = slabs.allocate(MAX_BYTES + 1);
  assert.deepEqual([long.byteOffset, long.buffer.byteLength], [0, MAX_BYTES + 1]);
  assert.equal(slabs.allocate(MAX_BYTES).buffer.byteLength, SLAB_BYTES);
});
