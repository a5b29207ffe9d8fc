/**
 * The CLI's sandbox for paths written in a .nn file (`fit(data=…)`, `ModelCheckpoint(filepath)`):
 * they resolve against the .nn file's folder and may not leave it — by `..`, an absolute path or
 * a symlink — unless the command line allows a folder with `--allow-paths DIR`. Paths given on
 * the command line itself (`--data`, `--out`, `--weights`) are the user's and are not sandboxed;
 * the library (`loadModel`, `fit`, `saveWeights`) takes whatever path its caller gives it.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CallBinding } from '../check/index.js';
import { makeDiagnostic, renderDiagnostic, type MessageKey } from '../diagnostics/index.js';
import { LineMap, type Range } from '../source/index.js';

/** A resolved path, or the complete message (a rendered diagnostic when located) saying why not. */
export type PathResult = { path: string } | { error: string };

/** Where a .nn file's paths may lead: its own folder and the folders given with --allow-paths. */
export class PathSandbox {
  private readonly roots: string[];

  constructor(
    readonly nnFile: string,
    allowPaths: readonly string[] = [],
  ) {
    this.roots = [dirname(resolve(nnFile)), ...allowPaths.map((d) => resolve(d))].map(real);
  }

  /** The folder relative paths resolve against: the .nn file's. */
  get base(): string {
    return dirname(resolve(this.nnFile));
  }

  /** The absolute path a written path names, or null when it leads outside every allowed folder. */
  resolve(written: string): string | null {
    const path = resolve(this.base, written);
    const target = real(path);
    return this.roots.some((root) => inside(root, target)) ? path : null;
  }
}

/** The data file `fit(data=…)` names, checked against the sandbox; a located NN6020 otherwise. */
export function sandboxedDataPath(
  sandbox: PathSandbox,
  written: string,
  at: Range,
  source: string,
): PathResult {
  const path = sandbox.resolve(written);
  return path === null ? { error: located(sandbox, 'pathOutside', at, written, source) } : { path };
}

/**
 * Checks every `ModelCheckpoint(filepath)` of a model's fit() before training (a located NN6021
 * for a name not ending in '.nnw', NN6020 for one leading outside), and returns the path mapper
 * the save function applies to each formatted checkpoint path.
 */
export function checkpointPaths(
  sandbox: PathSandbox,
  fitRange: Range | undefined,
  source: string,
  bindings: readonly CallBinding[],
): { error: string } | { map: (path: string) => PathResult } {
  if (fitRange) {
    for (const b of bindings) {
      if (b.entry !== 'ModelCheckpoint') continue;
      if (b.range.start.offset < fitRange.start.offset || b.range.end.offset > fitRange.end.offset)
        continue;
      const arg = b.args.find((a) => a.param === 'filepath');
      if (!arg) continue;
      const written = literal(source.slice(arg.valueRange.start.offset, arg.valueRange.end.offset));
      if (written === null) continue;
      if (!written.endsWith('.nnw'))
        return { error: located(sandbox, 'checkpointNotNnw', arg.valueRange, written, source) };
      if (sandbox.resolve(written) === null)
        return { error: located(sandbox, 'pathOutside', arg.valueRange, written, source) };
    }
  }
  const map = (path: string): PathResult => {
    const resolved = sandbox.resolve(path);
    if (!path.endsWith('.nnw'))
      return { error: `ModelCheckpoint's 'filepath' ${show(path)} must end in '.nnw'.` };
    if (resolved === null)
      return {
        error: `ModelCheckpoint's 'filepath' ${show(path)} leads outside the folder of ${show(sandbox.nnFile)}; run with --allow-paths DIR to allow it.`,
      };
    return { path: resolved };
  };
  return { map };
}

/** A string literal's value as written ('…' or "…" with simple escapes), or null for anything else. */
function literal(text: string): string | null {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text.at(-1) !== quote || text.length < 2) return null;
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}

function located(
  sandbox: PathSandbox,
  key: MessageKey,
  at: Range,
  written: string,
  source: string,
): string {
  const d = makeDiagnostic(key, at, { path: show(written), root: show(sandbox.base) });
  return renderDiagnostic(d, new LineMap(source), sandbox.nnFile).trimEnd();
}

/** A path quoted for a message: control characters escaped, very long paths cut in the middle. */
function show(path: string): string {
  const escaped = path.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  const cut = escaped.length > 120 ? `${escaped.slice(0, 58)}…${escaped.slice(-58)}` : escaped;
  return `'${cut}'`;
}

/** The path with every symlink resolved, dangling ones included, as far as the path exists. */
function real(path: string, depth = 0): string {
  try {
    return realpathSync(path);
  } catch {
    if (depth < 40 && isSymlink(path))
      return real(resolve(dirname(path), readlinkSync(path)), depth + 1);
    const parent = dirname(path);
    return parent === path ? path : join(real(parent, depth), basename(path));
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
