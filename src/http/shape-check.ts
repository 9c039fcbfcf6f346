/**
 * Schema checks with one wording on every surface: a value that does not fit a schema of
 * `schemas.ts` becomes an `InvalidArgumentError` whose `field` is the path of the first bad value,
 * written as the records layer writes it (`object.value`, `signatures[2].agentId`, `[3].subject`).
 */
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { InvalidArgumentError } from '../errors.js';
import { recordSchemaFor } from './schemas.js';

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message: string;
}

const validators = new WeakMap<TSchema, Validator>();

/** The compiled validator of `schema`, compiled once per schema object. */
export function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** Throws `InvalidArgumentError` naming the first bad value unless `value` fits `schema`. */
export function checkShape(schema: TSchema, value: unknown, prefix = ''): void {
  const validator = validatorFor(schema);
  if (validator.Check(value)) return;
  throw shapeError(validator.Errors(value) as readonly SchemaError[], prefix);
}

/**
 * Checks one record of any kind: `type` picks the schema, as `parseRecordInput` does, and an
 * unknown `type` is refused with the records layer's wording.
 */
export function checkRecordShape(value: unknown, prefix = ''): void {
  const type =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)['type']
      : undefined;
  const schema = recordSchemaFor(type);
  if (schema === undefined) {
    throw new InvalidArgumentError('must be "assertion", "vote" or "epoch"', `${prefix}type`);
  }
  checkShape(schema, value, prefix);
}

function shapeError(errors: readonly SchemaError[], prefix: string): InvalidArgumentError {
  // Errors of `anyOf` and `false` schemas only repeat what the errors beside them say.
  const first = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean') ?? errors[0];
  if (first === undefined) return new InvalidArgumentError('is not valid', prefix || undefined);
  const path = fieldPath(first.instancePath, prefix);
  const join = (name: string): string => (path === '' ? name : `${path}.${name}`);
  const names = (key: string): string[] => {
    const list = first.params[key];
    return Array.isArray(list) ? list.map(String) : [];
  };
  switch (first.keyword) {
    case 'additionalProperties':
      return new InvalidArgumentError(
        'unknown field',
        join(names('additionalProperties')[0] ?? ''),
      );
    case 'required':
      return new InvalidArgumentError('is required', join(names('requiredProperties')[0] ?? ''));
    default:
      return new InvalidArgumentError(describeError(first, errors), path || undefined);
  }
}

function describeError(error: SchemaError, errors: readonly SchemaError[]): string {
  const { keyword, params } = error;
  switch (keyword) {
    case 'type': {
      const alternatives = errors
        .filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath)
        .map((e) => article(String(e.params['type'])));
      const last = alternatives.pop() ?? article(String(params['type']));
      const others = alternatives.join(', ');
      return `must be ${alternatives.length === 0 ? last : `${others} or ${last}`}`;
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
      return `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
    }
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])} here`;
    case 'pattern': {
      const digits = /\{(\d+)\}\$$/.exec(String(params['pattern']))?.[1];
      return digits === undefined ? error.message : `must be ${digits} hex digits`;
    }
    case 'minLength':
      return params['limit'] === 1 ? 'must not be empty' : error.message;
    case 'minimum':
    case 'maximum':
      return `must be ${params['comparison']} ${params['limit']}`;
    case 'minItems':
    case 'maxItems':
      const bound = keyword === 'minItems' ? 'at least' : 'at most';
      return `must have ${bound} ${params['limit']} items`;
    default:
      return error.message;
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `/signatures/2/agentId` → `signatures[2].agentId`, after `prefix` (`[3].` for a batch). */
function fieldPath(instancePath: string, prefix: string): string {
  let path = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  for (const segment of instancePath.split('/').slice(1)) {
    const name = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(name) ? `[${name}]` : path === '' ? name : `.${name}`;
  }
  return path;
}
