/** Canonical signature order and the union of two signature sets over one claim. */
import { InvalidArgumentError } from '../errors.js';
import { SIGNATURES_MAX_COUNT } from '../limits.js';
import { bytesEqual, compareBytes } from './bytes.js';
import { contentAddress } from './encode-record.js';
import type { Assertion, Signature } from './record-types.js';

/** A new array of `signatures` in canonical order: ascending agent id, bytewise. */
export function sortSignatures(signatures: readonly Signature[]): Signature[] {
  return [...signatures].sort((a, b) => compareBytes(a.agentId, b.agentId));
}

/**
 * The one record holding the signatures of both `a` and `b`, which must be the same claim (equal
 * content addresses; otherwise `InvalidArgumentError`). Each agent appears once. Where both carry
 * a signature by the same agent, the one with the earlier timestamp is kept, then the bytewise
 * smaller signature, so the merge is commutative, associative and idempotent: replicas that merge
 * in any order agree. Signatures are not verified here; see `verifySignatures`.
 */
export function mergeSignatures(a: Assertion, b: Assertion): Assertion {
  if (!bytesEqual(contentAddress(a), contentAddress(b))) {
    throw new InvalidArgumentError('only signatures of the same assertion can be merged');
  }
  const left = sortSignatures(a.signatures);
  const right = sortSignatures(b.signatures);
  const merged: Signature[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const x = left[i];
    const y = right[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : compareBytes(x.agentId, y.agentId);
    if (order < 0 && x !== undefined) {
      merged.push(x);
      i++;
    } else if (order > 0 && y !== undefined) {
      merged.push(y);
      j++;
    } else if (x !== undefined && y !== undefined) {
      merged.push(preferred(x, y));
      i++;
      j++;
    }
  }
  if (merged.length > SIGNATURES_MAX_COUNT) {
    throw new InvalidArgumentError(`more than ${SIGNATURES_MAX_COUNT} signatures`, 'signatures');
  }
  return { ...a, signatures: merged };
}

function preferred(x: Signature, y: Signature): Signature {
  if (x.timestamp !== y.timestamp) return x.timestamp < y.timestamp ? x : y;
  return compareBytes(x.signature, y.signature) <= 0 ? x : y;
}
