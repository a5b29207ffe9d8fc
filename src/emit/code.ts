/**
 * The small vocabulary generated code is built from: functions with typed parameters, printed
 * as TypeScript or as JavaScript with JSDoc types, laid out the way Prettier lays them out.
 * Bodies are written once, in the subset of TypeScript that is also JavaScript except for
 * non-null assertions after an index (`x[i]!`), which the JavaScript target drops.
 */

export type Target = 'ts' | 'js';

/** A function of the generated module. Body lines are relative to the function's indentation. */
export interface Fn {
  name: string;
  params: readonly (readonly [string, string])[];
  ret: string;
  body: readonly string[];
  /** A one-line doc comment. */
  doc?: string;
  exported?: boolean;
}

/** Prettier's default print width, which the generated module is laid out for. */
export const width = 80;

/** A body line for the target: `]!` and `)!` lose their assertion in JavaScript. */
export function forTarget(line: string, target: Target): string {
  return target === 'ts' ? line : line.replace(/([\])])!(?!=)/g, '$1');
}

/** Prints a function at `indent` columns. */
export function printFn(fn: Fn, target: Target, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  const head = `${fn.exported ? 'export ' : ''}function ${fn.name}(`;
  if (target === 'ts') {
    if (fn.doc) out.push(`${pad}/** ${fn.doc} */`);
    const params = fn.params.map(([n, t]) => `${n}: ${t}`);
    const one = `${pad}${head}${params.join(', ')}): ${fn.ret} {`;
    if (one.length <= width) out.push(one);
    else {
      out.push(`${pad}${head}`);
      for (const p of params) out.push(`${pad}  ${p},`);
      out.push(`${pad}): ${fn.ret} {`);
    }
  } else {
    out.push(`${pad}/**`);
    if (fn.doc) out.push(`${pad} * ${fn.doc}`);
    for (const [n, t] of fn.params) out.push(`${pad} * @param {${t}} ${n}`);
    out.push(`${pad} * @returns {${fn.ret}}`, `${pad} */`);
    const names = fn.params.map(([n]) => n);
    const one = `${pad}${head}${names.join(', ')}) {`;
    if (one.length <= width) out.push(one);
    else {
      out.push(`${pad}${head}`);
      for (const p of names) out.push(`${pad}  ${p},`);
      out.push(`${pad}) {`);
    }
  }
  if (fn.body.length === 0) {
    out[out.length - 1] += '}';
    return out;
  }
  for (const line of fn.body) out.push(line === '' ? '' : `${pad}  ${forTarget(line, target)}`);
  out.push(`${pad}}`);
  return out;
}

/** `lines` indented by `by` columns (empty lines stay empty). */
export function indentLines(lines: readonly string[], by: number): string[] {
  const pad = ' '.repeat(by);
  return lines.map((l) => (l === '' ? '' : pad + l));
}

/** A for loop over i in [0, end) with a block body. */
export function loop(i: string, end: string, body: readonly string[]): string[] {
  return [`for (let ${i} = 0; ${i} < ${end}; ${i}++) {`, ...indentLines(body, 2), '}'];
}

/** The element count `n · size` as an expression of the batch `n`. */
export function times(size: number, n = 'n'): string {
  return size === 1 ? n : `${n} * ${size}`;
}

/**
 * A call statement `head(args);` in the body of a function at `indent` columns: on one line
 * when it fits in 80 columns, else one argument per line, as Prettier breaks a call. The lines
 * are relative to the body's indentation; `head` may be `lhs = callee`.
 */
export function printCall(name: string, args: readonly string[], indent: number): string[] {
  const one = `${name}(${args.join(', ')});`;
  if (indent + 2 + one.length <= 80) return [one];
  // An assignment whose head `x = f(` alone passes the width: Prettier's fluid layout breaks
  // after the '=' and prints the call on its own line, indented.
  const at = name.indexOf(' = ');
  if (at >= 0 && indent + 2 + name.length + 1 > 80) {
    const call = printCall(name.slice(at + 3), args, indent + 2);
    return [`${name.slice(0, at)} =`, ...call.map((l) => `  ${l}`)];
  }
  return [`${name}(`, ...args.map((a) => `  ${a},`), ');'];
}
