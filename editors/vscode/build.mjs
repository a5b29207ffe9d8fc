#!/usr/bin/env node
/**
 * Builds the VS Code extension into a .vsix, without publishing:
 *   1. bundles src/extension.ts with esbuild into out/extension.js (CommonJS, `vscode` left
 *      external, vscode-languageclient bundled in), so the .vsix needs no node_modules;
 *   2. copies the one TextMate grammar (grammar/nn.tmLanguage.json) and the LICENSE in;
 *   3. runs `vsce package --no-dependencies`.
 * Usage: node editors/vscode/build.mjs [--out <file.vsix>] [--no-package]
 *        node editors/vscode/build.mjs --bundle <file.js>   (step 1 only, into <file.js>)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const manifest = createRequire(import.meta.url)('./package.json');
const vsix = resolve(
  outIndex >= 0 ? args[outIndex + 1] : join(here, `${manifest.name}-${manifest.version}.vsix`),
);

const bundleIndex = args.indexOf('--bundle');
const bundleOnly = bundleIndex >= 0 ? resolve(args[bundleIndex + 1]) : undefined;

if (!bundleOnly) rmSync(join(here, 'out'), { recursive: true, force: true });
await build({
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: bundleOnly ?? join(here, 'out', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
if (bundleOnly) process.exit(0);

mkdirSync(join(here, 'syntaxes'), { recursive: true });
copyFileSync(
  join(root, 'grammar', 'nn.tmLanguage.json'),
  join(here, 'syntaxes', 'nn.tmLanguage.json'),
);
copyFileSync(join(root, 'LICENSE'), join(here, 'LICENSE'));

if (!args.includes('--no-package')) {
  const vsce = join(
    dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')),
    'vsce',
  );
  // stdin closed: vsce's "continue? [y/N]" prompts fail the build instead of waiting.
  const run = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix],
    { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (run.status !== 0) {
    console.error(`vsce package failed (${run.status ?? run.signal})`);
    process.exit(1);
  }
  console.log(`${vsix} (${(statSync(vsix).size / 1024).toFixed(1)} KiB)`);
}
