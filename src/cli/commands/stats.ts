/** `stemedb stats`: counts and sizes of the database. */
import type { Command } from 'commander';
import { globalOptions, printJson, printLine, withDatabase } from '../cli-context.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('print counts and sizes')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const stats = await withDatabase(globals, {}, (db) => db.stats());
      if (globals.json) printJson(stats);
      else for (const line of describeObject(stats)) printLine(line);
    });
}

/** `key: value` lines, nested objects indented. */
export function describeObject(value: unknown, indent = ''): string[] {
  if (typeof value !== 'object' || value === null) return [`${indent}${String(value)}`];
  const lines: string[] = [];
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      lines.push(`${indent}${key}:`, ...describeObject(entry, `${indent}  `));
    } else {
      const text = Array.isArray(entry) ? JSON.stringify(entry) : String(entry);
      lines.push(`${indent}${key}: ${text}`);
    }
  }
  return lines;
}
