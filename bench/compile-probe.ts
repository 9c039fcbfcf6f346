/**
 * Compiles a benchmark child (`rss-probe.ts` and everything it imports) to plain JavaScript, so
 * that the child runs on bare `node` as a user runs the built package: under tsx the child would
 * also carry the loader's own worker thread and heap (about 33 MiB of resident memory on Node 20),
 * which no StemeDB user pays and which would be charged to every engine's peak.
 *
 * The output goes to `node_modules/.cache/stemedb-bench-probe/`: inside the checkout, so the
 * compiled files resolve `classic-level`, `lmdb` and the rest from its `node_modules`, and with a
 * `package.json` of its own that makes them ES modules (a directory under `node_modules` is
 * otherwise outside the project's `"type": "module"`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIRECTORY = path.join(REPOSITORY, 'node_modules', '.cache', 'stemedb-bench-probe');

/**
 * Compiles `entry` (a `.ts` file under the checkout) with the project's compiler settings and
 * returns the path of its `.js` output. Rejects with the compiler's output if it reports errors.
 */
export async function compileBenchChild(entry: string): Promise<string> {
  fs.rmSync(OUT_DIRECTORY, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIRECTORY, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIRECTORY, 'package.json'), '{ "type": "module" }\n');
  const config = {
    extends: path.join(REPOSITORY, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false,
      rootDir: REPOSITORY,
      outDir: OUT_DIRECTORY,
      sourceMap: false,
    },
    files: [entry],
    include: [],
  };
  const configPath = path.join(OUT_DIRECTORY, 'tsconfig.json');
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  const tsc = path.join(
    path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  const child = spawn(process.execPath, [tsc, '-p', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`compiling ${entry} failed (tsc exited ${code}):\n${output}`);
  const relative = path.relative(REPOSITORY, entry).replace(/\.ts$/, '.js');
  const compiled = path.join(OUT_DIRECTORY, relative);
  if (!fs.existsSync(compiled)) throw new Error(`tsc did not write ${compiled}`);
  return compiled;
}
