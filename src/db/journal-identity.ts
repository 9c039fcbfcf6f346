/**
 * The journal's identity: a random id in `<journal>/IDENTITY`, written once with `atomicWrite`
 * before the journal's first segment exists. The ingestor keeps the same id in the store
 * (`META:ingest.journal-id`); a store whose id differs was derived from another journal (a
 * directory restored from different backups, say) and is rebuilt from this one.
 *
 * The journal ignores files that are not segments, so the file can live beside them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { atomicWrite } from '../durability/index.js';
import { IoError } from '../errors.js';

export const JOURNAL_IDENTITY_FILE = 'IDENTITY';
const IDENTITY_BYTES = 16;
const IDENTITY_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The id of the journal in `journalDirectory` (which must exist). A missing or unreadable id is
 * replaced by a fresh one, which makes the store rebuild: the safe side when in doubt.
 */
export function readOrCreateJournalIdentity(journalDirectory: string): string {
  const file = path.join(journalDirectory, JOURNAL_IDENTITY_FILE);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new IoError(file, 'cannot read journal identity', { cause: error });
    }
  }
  if (text !== undefined && IDENTITY_PATTERN.test(text)) return text;
  const id = randomBytes(IDENTITY_BYTES).toString('hex');
  atomicWrite(file, new TextEncoder().encode(`${id}\n`));
  return id;
}
