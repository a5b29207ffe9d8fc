/**
 * A real editor's client: Neovim's built-in LSP client, driven headless, opens a sample with a
 * mistake and prints the diagnostics `nn lsp` sent it. Skipped, with a notice, where `nvim` is
 * absent; CI installs Debian's neovim (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const present = nvim.status === 0;
if (!present) console.warn('[skipped] test/lsp/neovim.test.ts: no nvim (apt-get install neovim)');

describe.skipIf(!present)('Neovim’s LSP client', () => {
  it('receives the checker’s diagnostics from nn lsp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-nvim-'));
    const file = join(dir, 'model.nn');
    writeFileSync(file, 'model m {\n  Input(4) -> Dens(3, softmax)\n}\n');
    const r = spawnSync(
      'nvim',
      [
        '--headless',
        '--clean',
        '-u',
        'NONE',
        '-c',
        `luafile ${join(root, 'test/lsp/neovim/smoke.lua')}`,
        file,
      ],
      { encoding: 'utf8', env: { ...process.env, NN_ROOT: root }, timeout: 60_000 },
    );
    expect(r.stdout).toBe("DIAGNOSTICS\n2:15 NN2001 Unknown layer 'Dens'.\n");
  }, 70_000);
});
