/**
 * The `nn` command the tests run as a child process: `src/cli/main.ts` bundled once per test
 * run by `test/global-setup.ts`, so that each of the hundred-odd spawns starts in ~0.5 s instead
 * of compiling the sources again through tsx (~2 s each, most of the CLI tests' time). The bundle
 * is `dist/cli.js` with its packages inlined (all but h5wasm; see `global-setup.ts`), so the
 * tests still run the sources of this checkout, as users run the built command.
 */
import { join } from 'node:path';

export const root = new URL('../', import.meta.url).pathname;

/** Inside the checkout (so its imports resolve from `node_modules`), ignored by git. */
export const cliBundle = join(root, '.tmp-test', 'cli.mjs');

/** The command and first arguments that start `nn`. */
export function nnCommand(): [string, string[]] {
  return [process.execPath, [cliBundle]];
}
