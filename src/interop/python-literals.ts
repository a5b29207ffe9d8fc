/**
 * Values as Python source: the only way names and numbers reach the emitted Python, so that a
 * model or layer name cannot break out of its string.
 */
import { isCallValue, type Value } from '../catalog/index.js';

/** A Python string literal (JSON's escapes are Python's; non-ASCII stays escaped). */
export function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A number as Python reads it back to the same double. */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'math.nan';
  if (n === Infinity) return 'math.inf';
  if (n === -Infinity) return '-math.inf';
  return String(n);
}

/** A plain value: None, True/False, numbers, strings, lists; a call is written by `call`. */
export function pyValue(
  v: Value | undefined,
  call?: (c: { call: string; args: Record<string, Value> }) => string,
): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v))
    return `(${v.map((x) => pyValue(x, call)).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (isCallValue(v) && call) return call(v);
  throw new Error(`no Python form for ${JSON.stringify(v)}`);
}

/** A dict of keyword values, `{"a": 1}`. */
export function pyDict(args: Record<string, Value>): string {
  const items = Object.entries(args).map(([k, v]) => `${pyString(k)}: ${pyValue(v)}`);
  return `{${items.join(', ')}}`;
}

/** `k=v, …` for a call. */
export function pyKeywords(
  args: Record<string, Value>,
  call?: Parameters<typeof pyValue>[1],
): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}=${pyValue(v, call)}`)
    .join(', ');
}

/** A Python identifier from a model name: letters, digits and underscores, not starting with a digit. */
export function pyIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) || id === '' ? `_${id}` : id;
}

/** CamelCase class name for a model: `mnist_cnn` → `MnistCnn`. */
export function pyClassName(name: string): string {
  const camel = pyIdentifier(name)
    .split('_')
    .filter((p) => p !== '')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return /^[A-Za-z]/.test(camel) ? camel : `Model${camel}`;
}

/** Text for a docstring or comment: names and file names keep only characters that cannot end it. */
export function pyDocText(s: string): string {
  return s.replace(/[^\w .,:+@=-]/g, '_');
}
