/** The claims the database kill tests write: claim `id` is fully determined by its number. */
import { parseAssertionInput, toOutput } from '../../src/records/index.js';
import type { AssertionInput } from '../../src/records/index.js';

/** Subjects the claims spread over, so each subject gathers many. */
export const SUBJECT_COUNT = 13;

export function subjectOf(id: number): string {
  return `subject-${id % SUBJECT_COUNT}`;
}

export function claimOf(id: number): AssertionInput {
  return {
    subject: subjectOf(id),
    predicate: `predicate-${id % 3}`,
    object: { type: 'number', value: id },
    confidence: 0.5,
    timestamp: 1_700_000_000_000 + id,
  };
}

/** The content address of claim `id`, as hex. */
export function hashOf(id: number): string {
  return toOutput(parseAssertionInput(claimOf(id))).hash as string;
}
