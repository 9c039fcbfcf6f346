/** `stats`: counts from the ingestor, offsets from the journal, and the ingestor's health. */
import fs from 'node:fs';
import { describeDurability } from '../durability/index.js';
import { IoError } from '../errors.js';
import { parseSegmentFileName } from '../journal/index.js';
import type { DbStats } from './db-types.js';
import type { OpenedDatabase } from './open-database.js';

export function collectStats(db: OpenedDatabase): DbStats {
  const { journal, ingestor } = db;
  const stats: DbStats = {
    ...ingestor.counters,
    journal: {
      startOffset: journal.startOffset,
      endOffset: journal.endOffset,
      durableOffset: journal.durableOffset,
      segments: countSegments(db.journalDirectory),
    },
    ingestedOffset: ingestor.cursor,
    durability: describeDurability(journal.durability),
    store: db.storeEngine,
  };
  const rebuiltAtOpen = db.storeDiscarded ?? ingestor.rebuiltAtOpen;
  if (rebuiltAtOpen !== undefined) stats.rebuiltAtOpen = rebuiltAtOpen;
  const failure = ingestor.failure;
  if (failure !== undefined) stats.ingestFailure = { code: failure.code, message: failure.message };
  return stats;
}

function countSegments(directory: string): number {
  try {
    const names = fs.readdirSync(directory);
    return names.filter((name) => parseSegmentFileName(name) !== undefined).length;
  } catch (error) {
    throw new IoError(directory, 'cannot list journal directory', { cause: error });
  }
}
