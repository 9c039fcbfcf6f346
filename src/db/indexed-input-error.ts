/**
 * Errors of `putMany` that say which input was bad: the same codes as a single write's errors,
 * with the input's position in `index` and at the front of `field` (`[3].subject`).
 */
import { InvalidArgumentError, InvalidSignatureError } from '../errors.js';

export class IndexedInvalidArgumentError extends InvalidArgumentError {
  readonly index: number;

  constructor(index: number, message: string, field: string | undefined) {
    super(message, field === undefined ? `[${index}]` : `[${index}].${field}`);
    this.index = index;
  }
}

export class IndexedInvalidSignatureError extends InvalidSignatureError {
  readonly index: number;

  constructor(index: number, message: string) {
    super(`[${index}]: ${message}`);
    this.index = index;
  }
}

/** `error`, raised for input `index`, as the matching indexed error; other errors unchanged. */
export function withIndex(error: unknown, index: number): unknown {
  if (error instanceof InvalidArgumentError) {
    const prefix = error.field === undefined ? '' : `${error.field}: `;
    const message = error.message.startsWith(prefix)
      ? error.message.slice(prefix.length)
      : error.message;
    return new IndexedInvalidArgumentError(index, message, error.field);
  }
  if (error instanceof InvalidSignatureError) {
    return new IndexedInvalidSignatureError(index, error.message);
  }
  return error;
}
