/**
 * What interop reports: each thing a format holds that nnlang cannot represent (or the other
 * way round), named by its path in the file, so nothing is dropped without a word.
 */

/** One thing that cannot cross, at its JSON path (`modelTopology.config.layers[3].config.kernel_constraint`). */
export interface InteropProblem {
  path: string;
  message: string;
  /** A warning keeps the conversion going (the model's numbers are intact); an error stops it. */
  severity: 'error' | 'warning';
}

/** A conversion that could not be done: the file it read and every problem found. */
export class InteropError extends Error {
  constructor(
    readonly file: string,
    readonly problems: InteropProblem[],
  ) {
    super(
      problems
        .filter((p) => p.severity === 'error')
        .map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`)
        .join('\n'),
    );
  }
}

/** Collects problems while a conversion walks a file. */
export class Problems {
  readonly list: InteropProblem[] = [];

  error(path: string, message: string): void {
    this.list.push({ path, message, severity: 'error' });
  }

  warn(path: string, message: string): void {
    this.list.push({ path, message, severity: 'warning' });
  }

  get failed(): boolean {
    return this.list.some((p) => p.severity === 'error');
  }

  /** Throws an InteropError naming `file` when an error was found. */
  throwIfFailed(file: string): void {
    if (this.failed) throw new InteropError(file, this.list);
  }
}

/** `a.b[2].c`: a JSON path, with keys that are not plain words quoted. */
export function jsonPath(base: string, ...keys: (string | number)[]): string {
  let path = base;
  for (const k of keys) {
    if (typeof k === 'number') path += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) path += path ? `.${k}` : k;
    else path += `[${JSON.stringify(k)}]`;
  }
  return path;
}
