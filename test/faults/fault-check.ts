/**
 * The one check of the real-fault layer, used unchanged for the healthy engine and for its
 * deliberately broken variants: it returns the violations it found instead of asserting, so a
 * test can require none (healthy) or some (broken).
 *
 * What it demands of one scenario (RELIABILITY.md invariants 1-3, 7 and 8):
 * - no append is acknowledged after the first injected failure;
 * - an injected failure surfaces as a typed error (JOURNAL_FAILED from `append`, caused by
 *   FSYNC_FAILED/EIO for a failed sync or IO_ERROR for a short write or ENOSPC), and the journal
 *   then rejects a further append with JOURNAL_FAILED;
 * - reopened without faults, the journal holds records 0..k-1 of what was issued, in order,
 *   byte-identical, with every acknowledged record among them — except that under `batched` a
 *   failed fsync may take the records acknowledged after the last successful sync (at or past the
 *   `durable` offset the child saw): the level never promised they were on disk, and the journal
 *   cuts what the failed sync leaves in doubt.
 */
import { Journal } from '../../src/index.js';
import { indexOfPayload } from '../support/journal-files.js';
import type { FaultScenario } from './fault-workload.js';
import { describeError, payloadFor } from './fault-workload.js';

export interface InjectedFault {
  call: string;
  failure: 'eio' | 'short' | 'enospc';
  bytes: number;
  path: string;
}

/** The lines a child printed for one scenario, between its `begin` and `end` lines. */
export interface ScenarioTranscript {
  index: number;
  lines: string[];
  issued: number;
}

export interface ScenarioCheck {
  violations: string[];
  faults: InjectedFault[];
  acknowledged: number;
  recovered: number;
}

/** Splits a child's stdout into its scenarios; fails if a scenario did not run to its end. */
export function splitTranscripts(lines: string[], expected: number): ScenarioTranscript[] {
  const transcripts: ScenarioTranscript[] = [];
  let current: ScenarioTranscript | undefined;
  for (const line of lines) {
    const [word, indexText, issuedText] = line.split(' ');
    if (word === 'begin') {
      current = { index: Number(indexText), lines: [], issued: 0 };
    } else if (word === 'end' && current !== undefined) {
      current.issued = Number(issuedText);
      transcripts.push(current);
      current = undefined;
    } else {
      current?.lines.push(line);
    }
  }
  if (transcripts.length !== expected) {
    throw new Error(`the child finished ${transcripts.length} of ${expected} scenarios`);
  }
  return transcripts;
}

export function parseFault(line: string): InjectedFault | undefined {
  const match = /^fault (\S+) (eio|short|enospc) (\d+) (.+)$/.exec(line);
  if (match === null) return undefined;
  const [, call = '', failure, bytes = '0', path = ''] = match;
  return { call, failure: failure as InjectedFault['failure'], bytes: Number(bytes), path };
}

/** Checks one scenario's transcript, then reopens its journal (in this process, unfaulted). */
export async function checkScenario(
  scenario: FaultScenario,
  transcript: ScenarioTranscript,
): Promise<ScenarioCheck> {
  const violations: string[] = [];
  const faults: InjectedFault[] = [];
  const acknowledged: number[] = [];
  const offsets = new Map<number, number>();
  const afterFault: number[] = [];
  const reports = new Map<string, string>();
  for (const line of transcript.lines) {
    const fault = parseFault(line);
    const [word = '', rest = ''] = line.split(' ');
    if (fault !== undefined) faults.push(fault);
    else if (word === 'ack') {
      acknowledged.push(Number(rest));
      offsets.set(Number(rest), Number(line.split(' ')[2]));
      if (faults.length > 0) afterFault.push(Number(rest));
    } else if (!reports.has(word)) reports.set(word, rest);
  }
  if (afterFault.length > 0) {
    violations.push(`appends ${afterFault.slice(0, 5).join(', ')} (${afterFault.length} in all) ` +
      'were acknowledged after the injected failure');
  }
  violations.push(...checkSurfaced(scenario, faults, reports));
  const durable = Number(reports.get('durable') ?? Number.POSITIVE_INFINITY);
  const mayBeLost = (id: number): boolean =>
    scenario.level === 'batched' && scenario.kind === 'sync' && (offsets.get(id) ?? -1) >= durable;
  const promised = acknowledged.filter((id) => !mayBeLost(id));
  const recovered = await checkReopened(scenario, transcript.issued, promised, violations);
  return { violations, faults, acknowledged: acknowledged.length, recovered };
}

/** The typed error an injected failure must surface as, and the fail-stop that must follow. */
function checkSurfaced(
  scenario: FaultScenario,
  faults: InjectedFault[],
  reports: Map<string, string>,
): string[] {
  const closeFailure = reports.get('close') === 'ok' ? undefined : reports.get('close');
  const surfaced = reports.get('open-error') ?? reports.get('error') ?? closeFailure;
  if (faults.length === 0) {
    if (surfaced === undefined) return [];
    return [`the journal failed (${surfaced}) with no injected fault`];
  }
  if (surfaced === undefined) return ['the injected failure never surfaced as an error'];
  const violations: string[] = [];
  const cause = scenario.kind === 'sync' ? /FSYNC_FAILED.*\/EIO$/ : /IO_ERROR/;
  if (!cause.test(surfaced)) violations.push(`the failure surfaced as ${surfaced}`);
  if (reports.has('error')) {
    if (!surfaced.startsWith('JOURNAL_FAILED/')) {
      violations.push(`a failed append was rejected with ${surfaced}, not JOURNAL_FAILED`);
    }
    const probe = reports.get('probe');
    if (probe === undefined || !probe.startsWith('JOURNAL_FAILED/')) {
      const answer = probe ?? 'an acknowledgement';
      violations.push(`the failed journal answered a further append with ${answer}`);
    }
  }
  return violations;
}

/**
 * Reopens the journal and demands records 0..k-1 in order, byte-identical to what was issued,
 * with k at most `issued` and above every acknowledged id. Returns k (0 if the open failed).
 */
async function checkReopened(
  scenario: FaultScenario,
  issued: number,
  acknowledged: number[],
  violations: string[],
): Promise<number> {
  let journal: Journal;
  try {
    journal = await Journal.open(scenario.directory, { maxSegmentBytes: scenario.maxSegmentBytes });
  } catch (error) {
    violations.push(`the journal does not reopen: ${describeError(error)}`);
    return 0;
  }
  let count = 0;
  try {
    for await (const record of journal.iterate()) {
      const expected = payloadFor(scenario.sizeSeed, count);
      if (!Buffer.from(record.payload).equals(expected)) {
        const found = `#${indexOfPayload(record.payload)} of ${record.payload.length} bytes`;
        violations.push(`record ${count} at offset ${record.offset} holds payload ${found}, ` +
          'not the one issued');
        break;
      }
      count++;
    }
  } catch (error) {
    const reason = describeError(error);
    violations.push(`reading the reopened journal failed after ${count} records: ${reason}`);
  } finally {
    await journal.close();
  }
  if (count > issued) violations.push(`${count} records recovered but only ${issued} were issued`);
  const missing = acknowledged.filter((id) => id >= count);
  if (missing.length > 0) {
    const some = missing.slice(0, 5).join(', ');
    violations.push(`acknowledged records ${some} (${missing.length} in all) ` +
      `are missing after reopen (${count} records recovered)`);
  }
  return count;
}
