/** Runs once before the test files: bundles the CLI the tests spawn (see `cli-bundle.ts`). */
import { build } from 'esbuild';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliBundle, root } from './cli-bundle.js';

export default async function setup(): Promise<void> {
  mkdirSync(dirname(cliBundle), { recursive: true });
  // Written beside and renamed, so a test run started meanwhile never spawns half a file.
  const temporary = `${cliBundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: temporary,
    logLevel: 'warning',
  });
  renameSync(temporary, cliBundle);
}
