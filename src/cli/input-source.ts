/**
 * Records to `put`, from a file or stdin, each with where it came from, so a refusal can name the
 * line. Three forms are read:
 * - JSON Lines: one record per line (a line may also hold an array of records); blank lines skip.
 * - One JSON document: a record or an array of records, pretty-printed or not.
 * The first non-blank line decides: if it is a whole JSON value the input is JSON Lines, otherwise
 * it is read as one document (at most `CLI_DOCUMENT_MAX_BYTES`).
 *
 * A source can be read more than once (`put` validates everything, then writes): stdin is first
 * copied to a temporary file, which `dispose` removes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { CLI_DOCUMENT_MAX_BYTES } from '../limits.js';
import { CliError } from './cli-errors.js';

export interface InputItem {
  /** `file:3` for line 3, `file:3[1]` for the second record of an array on line 3, `file[4]`. */
  readonly location: string;
  readonly value: unknown;
}

export interface InputSource {
  /** The file name as given, or `<stdin>`. */
  readonly name: string;
  /** Every record in input order; each call reads the input again from the start. */
  items(): AsyncGenerator<InputItem>;
  /** Removes the copy of stdin, if any. */
  dispose(): Promise<void>;
}

/** A source over `file`, or over stdin when `file` is undefined or `-`. */
export async function openInputSource(file: string | undefined): Promise<InputSource> {
  if (file !== undefined && file !== '-') {
    if (!fs.existsSync(file)) throw new CliError('NOT_FOUND', `no such input file: ${file}`);
    return { name: file, items: () => readItems(file, file), dispose: async () => {} };
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'stemedb-stdin-'));
  const copy = path.join(directory, 'input');
  await pipeline(process.stdin, fs.createWriteStream(copy));
  return {
    name: '<stdin>',
    items: () => readItems(copy, '<stdin>'),
    dispose: async () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}

async function* readItems(file: string, name: string): AsyncGenerator<InputItem> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  let firstValueSeen = false;
  let isDocument = false;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      const parsed = parseJson(line);
      if (!parsed.ok) {
        // A first line that is no JSON value on its own starts a multi-line document.
        isDocument = !firstValueSeen;
        if (isDocument) break;
        throw new CliError('INVALID_ARGUMENT', `${name}:${lineNumber}: ${parsed.error}`);
      }
      firstValueSeen = true;
      yield* itemsOf(parsed.value, `${name}:${lineNumber}`);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (isDocument) yield* readDocument(file, name);
}

function* readDocument(file: string, name: string): Generator<InputItem> {
  const sizeBytes = fs.statSync(file).size;
  if (sizeBytes > CLI_DOCUMENT_MAX_BYTES) {
    throw new CliError(
      'TOO_LARGE',
      `${name}: a JSON document of ${sizeBytes} bytes is over the limit of ` +
        `${CLI_DOCUMENT_MAX_BYTES} bytes; write it as JSON Lines (one record per line) instead`,
    );
  }
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const where = parsed.position === undefined ? '' : `:${lineColumn(text, parsed.position)}`;
    throw new CliError('INVALID_ARGUMENT', `${name}${where}: ${parsed.error}`);
  }
  yield* itemsOf(parsed.value, name);
}

function* itemsOf(value: unknown, location: string): Generator<InputItem> {
  if (!Array.isArray(value)) {
    yield { location, value };
    return;
  }
  for (let i = 0; i < value.length; i++) yield { location: `${location}[${i}]`, value: value[i] };
}

type Parsed =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string; readonly position: number | undefined };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    // JSON has no NaN or Infinity: say so, instead of "unexpected token N".
    const special = /(?:^|[\s:,[])(-?Infinity|NaN)(?=[\s,}\]]|$)/.exec(text)?.[1];
    const reason =
      special === undefined
        ? `not valid JSON (${shorten(message)})`
        : `not valid JSON: ${special} is not a JSON number`;
    const at = position === undefined ? undefined : Number(position);
    return { ok: false, error: reason, position: at };
  }
}

function shorten(message: string): string {
  return message.length <= 120 ? message : `${message.slice(0, 117)}...`;
}

/** `line:column`, both from 1, of the character at `position`. */
function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}
