/**
 * The package a user installs: `npm pack --dry-run --json` lists the files the tarball would
 * hold. The licence, the README and every document the README links must be in it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

describe('npm pack', () => {
  it('ships LICENSE, the README and the docs the README links', () => {
    const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [packed] = JSON.parse(json) as { files: { path: string }[] }[];
    const files = new Set(packed!.files.map((f) => f.path));
    for (const required of ['LICENSE', 'README.md', 'package.json'])
      expect(files).toContain(required);
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const linkedDocs = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!);
    expect(linkedDocs).toEqual(
      expect.arrayContaining(['docs/weights-format.md', 'docs/architecture.md']),
    );
    for (const doc of linkedDocs) expect(files, doc).toContain(doc);
    expect([...files].filter((f) => f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
  }, 60_000);

  it('says it is MIT-licensed in package.json and LICENSE alike, and ESM-only in the README', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
      license: string;
      type: string;
    };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(`${root}LICENSE`, 'utf8')).toMatch(/^MIT License/);
    expect(pkg.type).toBe('module');
    expect(readFileSync(`${root}README.md`, 'utf8')).toMatch(
      /ESM-only[\s\S]*await import\('nnlang'\)/,
    );
  });
});
