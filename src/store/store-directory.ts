/** Filesystem steps every store backend takes before it hands its directory to an engine. */
import fs from 'node:fs';
import path from 'node:path';
import { syncDirectory } from '../durability/index.js';
import { IoError } from '../errors.js';

/** Creates `directory` if needed and makes each new directory entry durable. */
export function createStoreDirectory(directory: string): void {
  let created: string | undefined;
  try {
    created = fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new IoError(directory, 'cannot create store directory', { cause: error });
  }
  if (created === undefined) return;
  // Sync the parent of every directory just made, from `directory`'s parent up to `created`'s.
  for (let current = directory; ; current = path.dirname(current)) {
    const parent = path.dirname(current);
    syncDirectory(parent);
    if (current === created || parent === current) return;
  }
}

/** The canonical path of an existing store directory (symlinks resolved). */
export function realStorePath(directory: string): string {
  try {
    return fs.realpathSync(directory);
  } catch (error) {
    throw new IoError(directory, 'cannot resolve store directory', { cause: error });
  }
}
