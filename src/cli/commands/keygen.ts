/**
 * `stemedb keygen [--out file]`: a new Ed25519 signing key as JSON `{ "agentId", "seed" }`. The
 * seed is secret: a key file is created with mode 0600 and never overwritten.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { generateSigningKey, toHex } from '../../records/index.js';
import { globalOptions, printJson, printLine } from '../cli-context.js';
import { CliError } from '../cli-errors.js';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create an Ed25519 signing key (for `put --sign-with`)')
    .option('-o, --out <file>', 'write the key here (mode 0600) instead of stdout')
    .action(async (options: { out?: string }, command: Command) => {
      const globals = globalOptions(command);
      const key = generateSigningKey();
      const json = { agentId: toHex(key.agentId), seed: toHex(key.seed) };
      if (options.out === undefined) {
        printJson(json);
        return;
      }
      try {
        const text = `${JSON.stringify(json, null, 2)}\n`;
        fs.writeFileSync(options.out, text, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        const exists = (error as { code?: unknown }).code === 'EEXIST';
        const reason = exists ? 'it already exists' : (error as Error).message;
        throw new CliError('INVALID_ARGUMENT', `cannot write key file ${options.out}: ${reason}`);
      }
      if (globals.json) printJson({ agentId: json.agentId, file: options.out });
      else printLine(`wrote key of agent ${json.agentId} to ${options.out}`);
    });
}
