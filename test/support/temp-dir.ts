/** Temporary directories for tests on the real file system, removed when the test ends. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** What each test must close before its directories go, in the order registered. */
const closers = new WeakMap<TestContext, Array<() => unknown>>();

export function makeTempDir(t: TestContext | undefined, prefix = 'stemedb-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // A test's `after` hooks run in the order they were registered, so this one would run before the
  // hook that closes a store opened later in the directory, while LevelDB may still be adding
  // files to it. So whatever was registered with `closeAtEnd` is closed first.
  t?.after(async () => {
    await runClosers(t);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 25 });
  });
  return dir;
}

/**
 * Closes `resource` when test `t` ends, before any directory `makeTempDir` made for `t` is
 * removed, whichever was registered first. Each closer runs once.
 */
export function closeAtEnd(t: TestContext, close: () => unknown): void {
  let list = closers.get(t);
  if (list === undefined) {
    list = [];
    closers.set(t, list);
  }
  list.push(close);
  t.after(() => runClosers(t));
}

async function runClosers(t: TestContext | undefined): Promise<void> {
  if (t === undefined) return;
  const list = closers.get(t) ?? [];
  while (list.length > 0) await (list.shift() as () => unknown)();
}
