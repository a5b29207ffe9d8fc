/**
 * README's "Ship a model" section stays true: its shell commands run through the `nn` command on
 * a temporary copy of the iris sample (the repo's samples are not touched), and its TypeScript
 * snippet — taken verbatim from README.md — runs against the emitted module and prints what the
 * `// …` comments after its console.log lines say.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { nn, root } from '../cli/spawn.js';

const heading = '## Ship a model';

/** The fenced blocks of one README section, by language: the section ends at the next heading. */
function sectionBlocks(readme: string, title: string): { lang: string; body: string }[] {
  const start = readme.indexOf(`\n${title}\n`);
  if (start < 0) throw new Error(`README.md has no '${title}' section`);
  const rest = readme.slice(start + title.length + 2);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    body: m[2]!,
  }));
}

/** Type-stripped JavaScript, as a bundler or tsx would run the file. */
function transpile(code: string): string {
  const out = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    reportDiagnostics: true,
  });
  expect(out.diagnostics ?? []).toEqual([]);
  return out.outputText;
}

describe("README's Ship a model section", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = sectionBlocks(readme, heading);
  const shell = blocks.find((b) => b.lang === 'sh');
  const snippet = blocks.find((b) => b.lang === 'ts');

  it('has a shell block and a TypeScript block', () => {
    expect(shell?.body).toMatch(/^nn train /m);
    expect(shell?.body).toMatch(/^nn emit /m);
    expect(snippet?.body).toContain('console.log(');
  });

  it('runs as written: train, emit, then the snippet prints what its comments say', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nn-readme-emit-'));
    for (const f of ['iris.nn', 'iris.csv']) copyFileSync(join(root, 'samples', f), join(tmp, f));
    // The README's commands, with the sample's paths pointing into the temporary copy.
    const commands = shell!.body
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line.length > 0);
    expect(commands.length).toBe(2);
    for (const command of commands) {
      const [program, ...args] = command.split(/\s+/);
      expect(program).toBe('nn');
      const mapped = args.map((a) =>
        a === 'samples/iris.nn' ? join(tmp, 'iris.nn') : a.endsWith('.ts') ? join(tmp, a) : a,
      );
      if (mapped[0] === 'train') mapped.push('--quiet');
      const r = nn(...mapped);
      expect(r.code, `${command}\n${r.err}`).toBe(0);
    }

    // The module and the snippet, transpiled side by side in an ES-module folder, so the
    // snippet's `./iris.js` import resolves unchanged.
    const module = readFileSync(join(tmp, 'iris.ts'), 'utf8');
    writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(tmp, 'iris.js'), transpile(module));
    writeFileSync(join(tmp, 'main.js'), transpile(snippet!.body));
    const run = spawnSync(process.execPath, ['main.js'], { cwd: tmp, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);

    // Each console.log line's trailing comment is the line it prints.
    const expected = snippet!.body
      .split('\n')
      .filter((line) => line.startsWith('console.log('))
      .map((line) => {
        const comment = /\);\s*\/\/ (.*)$/.exec(line);
        expect(comment, `no output comment on: ${line}`).not.toBeNull();
        return comment![1]!;
      });
    expect(expected.length).toBeGreaterThan(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual(expected);
  }, 30_000);
});
