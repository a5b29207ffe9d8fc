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
    // The packages are bundled too: Node resolving and compiling chevrotain's 650 lodash-es
    // modules and ajv's hundred CommonJS files took ~0.7 s of CPU at every spawn (1.2 s → 0.5 s
    // for `nn --version`). h5wasm stays an import: it finds its WebAssembly beside its own
    // files, and the CLI loads it only for .h5 files.
    external: ['h5wasm'],
    // The CommonJS packages (ajv, protobufjs, vscode-languageserver) require Node's modules.
    banner: {
      js: "import { createRequire as nnCreateRequire } from 'node:module';\nconst require = nnCreateRequire(import.meta.url);",
    },
    outfile: temporary,
    logLevel: 'warning',
  });
  renameSync(temporary, cliBundle);
}
