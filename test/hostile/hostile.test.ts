/**
 * The hostile-input corpus (`test/hostile/cases/`): each `<case>.nn` runs through the `nn`
 * command as its `<case>.expected.json` says (`args`, `exit`, `words`), in a fresh temporary
 * folder that holds copies of the case's files (`<case>.X.Y` is copied as `X.Y`). Beside that
 * folder sit sentinel files (`outside.csv`, `outside.nnw`) that nothing may read into output
 * or overwrite. Every case: no internal error (no NN9001, exit code never 70), nothing written
 * outside the case's folder, at most 300 lines of output (50 diagnostics with their code frames). A case with `fails` names the item of
 * issue 7 (owned elsewhere) whose bug it shows; it runs as `it.fails` and flips when fixed.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

interface Expected {
  /** The command and its flags; the case's .nn file is inserted after the command. */
  args: string[];
  exit: number;
  /** Words the output (stdout and stderr) must contain. */
  words: string[];
  /** Words the output must not contain. */
  absent?: string[];
  /** Copy samples/<csv>.csv into the folder as <csv>.csv. */
  csv?: string;
  /** Symlinks to make in the folder: name → target. */
  symlinks?: Record<string, string>;
  /** Files the run must create in its folder. */
  creates?: string[];
  /** The output may hold no control character but newline. */
  noControl?: boolean;
  /** Why this case fails today: the issue item that will fix it. */
  fails?: string;
}

const root = new URL('../../', import.meta.url).pathname;
const casesDir = join(root, 'test/hostile/cases');
const mainUrl = new URL('../../src/cli/main.ts', import.meta.url).href;
const MAX_LINES = 300;
const scratch = mkdtempSync(join(tmpdir(), 'nn-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const files = readdirSync(casesDir);
const cases = files.filter((f) => f.endsWith('.nn')).map((f) => f.slice(0, -3));

/** Every file under a folder with its size and modification time, one line each. */
function listing(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (p === skip) continue;
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) walk(p);
      else out.push(`${p.slice(dir.length)} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

let runs = 0;

/**
 * Runs `nn` in this process, in `cwd`: a fresh instance of src/cli/main.ts per run (its query
 * string makes it a new module), its output captured, its exit code read from process.exitCode.
 * A throw that escapes, a stack overflow included, ends in main's exit 70.
 */
async function nn(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const capture = (chunk: string | Uint8Array): boolean => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const argv = process.argv;
  const home = process.cwd();
  process.argv = [argv[0]!, 'nn', ...args];
  process.exitCode = undefined;
  process.chdir(cwd);
  try {
    await import(/* @vite-ignore */ `${mainUrl}?run=${runs++}`);
    return { code: Number(process.exitCode ?? 0), out };
  } finally {
    process.chdir(home);
    process.argv = argv;
    process.exitCode = undefined;
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

async function run(name: string, expected: Expected): Promise<void> {
  const parent = mkdtempSync(join(scratch, `${name}-`));
  const folder = join(parent, 'case');
  mkdirSync(folder);
  const weather = join(root, 'samples/weather.csv');
  copyFileSync(weather, join(parent, 'outside.csv'));
  writeFileSync(join(parent, 'outside.nnw'), 'sentinel');
  copyFileSync(join(casesDir, `${name}.nn`), join(folder, `${name}.nn`));
  for (const f of files)
    if (f.startsWith(`${name}.`) && f !== `${name}.nn` && !f.endsWith('.expected.json'))
      copyFileSync(join(casesDir, f), join(folder, f.slice(name.length + 1)));
  if (expected.csv)
    copyFileSync(join(root, `samples/${expected.csv}.csv`), join(folder, `${expected.csv}.csv`));
  for (const [link, target] of Object.entries(expected.symlinks ?? {}))
    symlinkSync(target, join(folder, link));
  const before = listing(parent, folder);

  const [command, ...flags] = expected.args;
  const { code, out } = await nn([command!, `${name}.nn`, ...flags], folder);
  // HOSTILE_SHOW=1 prints what each case gave, to write or review its expected.json.
  if (process.env['HOSTILE_SHOW']) console.log(`== ${name}: exit ${code}\n${out.slice(0, 600)}`);

  expect(out, 'an internal error').not.toMatch(/NN9001|internal error/);
  expect(code, out).not.toBe(70);
  expect(listing(parent, folder), 'something was written outside the case folder').toEqual(before);
  expect(readFileSync(join(parent, 'outside.nnw'), 'utf8')).toBe('sentinel');
  expect(out.split('\n').length, 'too much output').toBeLessThanOrEqual(MAX_LINES);
  if (expected.noControl) expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  expect(code, out).toBe(expected.exit);
  for (const word of expected.words) expect(out).toContain(word);
  for (const word of expected.absent ?? []) expect(out).not.toContain(word);
  for (const f of expected.creates ?? []) expect(statSync(join(folder, f)).isFile()).toBe(true);
}

describe('hostile inputs through the nn command', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(20));
  for (const name of cases) {
    const expected = JSON.parse(
      readFileSync(join(casesDir, `${name}.expected.json`), 'utf8'),
    ) as Expected;
    if (expected.fails)
      it.fails(`${name} (fails today: ${expected.fails})`, () => run(name, expected), 60_000);
    else it(name, () => run(name, expected), 60_000);
  }
});
