/** Temporary directories for tests on the real file system, removed when the test ends. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export function makeTempDir(t: TestContext | undefined, prefix = 'stemedb-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // A test's `after` hooks run in the order they were registered, so this one can run before the
  // hook that closes a store made later; LevelDB's background compaction may still be adding a
  // file then, which makes one pass of the removal meet a directory that is not empty.
  t?.after(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 25 }));
  return dir;
}
