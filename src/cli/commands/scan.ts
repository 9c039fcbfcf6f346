/** `stemedb scan --subject S [--predicate P] [--limit N]`: a subject's assertions. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { AssertionOutput } from '../../records/index.js';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';

interface ScanOptions {
  readonly subject: string;
  readonly predicate?: string;
  readonly limit?: string;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description("list a subject's assertions (JSON Lines with --json)")
    .requiredOption('-s, --subject <subject>', 'the subject')
    .option('-p, --predicate <predicate>', 'only this predicate')
    .option('-n, --limit <count>', 'at most this many')
    .action(async (options: ScanOptions, command: Command) => {
      const globals = globalOptions(command);
      const limit =
        options.limit === undefined ? undefined : positiveInteger(options.limit, 'limit');
      const query = limit === undefined ? {} : { limit };
      await withDatabase(globals, {}, async (db) => {
        const found =
          options.predicate === undefined
            ? db.bySubject(options.subject, query)
            : db.bySubjectPredicate(options.subject, options.predicate, query);
        let count = 0;
        for await (const assertion of found) {
          if (limit !== undefined && count >= limit) break;
          count++;
          if (globals.json) printJson(assertion);
          else printLine(describeAssertion(assertion));
        }
        if (!globals.json && count === 0) {
          process.stderr.write(`no assertions about ${options.subject}\n`);
        }
      });
    });
}

/** One line per assertion: when, predicate, value, confidence, signers, hash. */
export function describeAssertion(assertion: AssertionOutput & { hash: string }): string {
  const when = new Date(assertion.timestamp).toISOString();
  const value = JSON.stringify(assertion.object.value);
  const signers = assertion.signatures.length;
  const signed = signers === 0 ? '' : `  signed×${signers}`;
  return (
    `${when}  ${assertion.predicate} = ${value}  confidence ${assertion.confidence}` +
    `${signed}  ${assertion.hash}`
  );
}

export function positiveInteger(text: string, field: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`must be a whole number, 1 or more, got "${text}"`, field);
  }
  return value;
}
