/**
 * Starting a child under `tsx` costs about a second of compiling and module loading, more than
 * a kill cycle's own work. So the kill tests bundle the child once per run into one ES module
 * (with esbuild, which tsx is built on) beside the packages it imports, and start that with plain
 * node. If esbuild cannot be loaded, children start under tsx as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildCommand {
  readonly args: readonly string[];
  /** Removes the bundle. */
  readonly dispose: () => void;
}

interface EsbuildModule {
  build(options: Record<string, unknown>): Promise<unknown>;
}

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/** The node arguments that run `entry` (a .ts file). */
export async function childCommand(entry: string): Promise<ChildCommand> {
  let esbuild: EsbuildModule;
  try {
    esbuild = (await import('esbuild')) as EsbuildModule;
  } catch {
    return { args: ['--import', 'tsx', entry], dispose: () => undefined };
  }
  // Inside node_modules, so the bundle's package imports resolve to the repository's packages.
  const cacheRoot = path.join(REPOSITORY, 'node_modules', '.cache');
  fs.mkdirSync(cacheRoot, { recursive: true });
  const directory = fs.mkdtempSync(path.join(cacheRoot, 'stemedb-child-'));
  const outfile = path.join(directory, `${path.basename(entry, '.ts')}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return { args: [outfile], dispose: () => fs.rmSync(directory, { recursive: true, force: true }) };
}
