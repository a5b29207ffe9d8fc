/**
 * The VS Code extension builds into a .vsix (`npm run vsix`, about a second) holding the
 * manifest, a self-contained bundle, the grammar, the language configuration and the snippets;
 * its TypeScript type-checks; its snippets expand to valid `.nn`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/compiler.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const extensionDir = join(root, 'editors', 'vscode');

/** The files of a zip archive by name (stored or deflated entries, as vsce writes them). */
function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    files.set(name, method === 8 ? inflateRawSync(raw) : raw);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

let dir: string;
let files: Map<string, Buffer>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nn-vsix-'));
  const vsix = join(dir, 'nnlang.vsix');
  execFileSync(process.execPath, [join(extensionDir, 'build.mjs'), '--out', vsix], {
    cwd: root,
    stdio: 'pipe',
  });
  files = readZip(readFileSync(vsix));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (name: string) => {
  const file = files.get(name);
  if (!file) throw new Error(`${name} is not in the .vsix`);
  return file.toString('utf8');
};

describe('the VS Code extension', () => {
  it('packages the manifest, bundle, grammar, configuration and snippets', () => {
    for (const name of [
      'extension/package.json',
      'extension/out/extension.js',
      'extension/syntaxes/nn.tmLanguage.json',
      'extension/language-configuration.json',
      'extension/snippets/nn.json',
      'extension/LICENSE.txt',
      'extension.vsixmanifest',
    ])
      expect(files.has(name), name).toBe(true);
    expect([...files.keys()].filter((n) => /\.ts$|node_modules|\/src\//.test(n))).toEqual([]);
  });

  it("ships the repository's grammar, and a manifest that points at what it ships", () => {
    expect(JSON.parse(text('extension/syntaxes/nn.tmLanguage.json'))).toEqual(
      JSON.parse(readFileSync(join(root, 'grammar', 'nn.tmLanguage.json'), 'utf8')),
    );
    const manifest = JSON.parse(text('extension/package.json'));
    expect(manifest.main).toBe('./out/extension.js');
    const { languages, grammars, snippets } = manifest.contributes;
    expect(languages[0]).toMatchObject({ id: 'nn', extensions: ['.nn'] });
    for (const path of [
      languages[0].configuration,
      grammars[0].path,
      snippets[0].path,
      manifest.main,
    ])
      expect(files.has(join('extension', path)), path).toBe(true);
    expect(Object.keys(manifest.contributes.configuration.properties)).toEqual([
      'nnlang.server.path',
      'nnlang.trace.server',
    ]);
  });

  it('bundles the language client: the bundle requires only vscode and Node built-ins', () => {
    const bundle = text('extension/out/extension.js');
    const required = new Set(
      [...bundle.matchAll(/\brequire\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2]!),
    );
    expect(required.has('vscode')).toBe(true);
    const builtins = new Set(builtinModules);
    const foreign = [...required].filter(
      (m) => m !== 'vscode' && !builtins.has(m.replace(/^node:/, '')),
    );
    expect(foreign).toEqual([]);
    expect(bundle).toContain('lsp');
    expect(bundle).toContain('--stdio');
  });

  it('has a language configuration with # comments, brackets and quotes', () => {
    const config = JSON.parse(text('extension/language-configuration.json'));
    expect(config.comments.lineComment).toBe('#');
    const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
    expect(opens).toEqual(expect.arrayContaining(['(', '[', '{', "'", '"']));
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    expect(increase.test('model iris {')).toBe(true);
    expect(increase.test('model iris {   # comment')).toBe(true);
    expect(increase.test('  fit(')).toBe(true);
    expect(increase.test('  Dense(8, relu)')).toBe(false);
    expect(decrease.test('}')).toBe(true);
    expect(decrease.test('  )')).toBe(true);
  });

  it('has snippets that expand to valid .nn', () => {
    const snippets: Record<string, { prefix: string; body: string[] }> = JSON.parse(
      text('extension/snippets/nn.json'),
    );
    expect(Object.values(snippets).map((s) => s.prefix)).toEqual(
      expect.arrayContaining(['model', 'Dense', 'Input', 'compile', 'fit']),
    );
    // Each placeholder takes its default (a choice its first option).
    const expand = (body: string[]) =>
      body
        .join('\n')
        .replace(/\$\{\d+:([^}]*)\}/g, '$1')
        .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
        .replace(/\$\d+/g, '')
        .replace(/\t/g, '  ');
    const s = (name: string) => expand(snippets[name]!.body);
    const sources = [
      s('Model block'),
      `model m {\n  ${s('Input')}\n    -> ${s('Dense')}\n    ${s('Chain step')}\n  ${s('compile')}\n  ${s('fit')}\n}`,
    ];
    for (const source of sources) {
      const errors = check(source).diagnostics.filter((d) => d.severity === 'error');
      expect(errors, source).toEqual([]);
    }
  });

  it('type-checks (tsc -p editors/vscode)', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(extensionDir, 'tsconfig.json')], {
      stdio: 'pipe',
    });
  }, 60_000);
});
