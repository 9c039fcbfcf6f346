/**
 * Test-only pause points for the ingestor of databases opened in this process, used by the crash
 * tests to kill a process between two ingest batches or during a store write. Not part of the
 * public API (`src/index.ts` does not export it).
 */
import type { IngestHooks } from '../ingest/index.js';

let installed: IngestHooks | undefined;

/** Hooks for the ingestor of every database opened after this call; undefined removes them. */
export function setIngestHooksForTesting(hooks: IngestHooks | undefined): void {
  installed = hooks;
}

export function ingestHooksForTesting(): IngestHooks | undefined {
  return installed;
}
