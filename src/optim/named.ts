/**
 * Named things as the checker hands them over — a bare string ('adam', 'he_normal') or a call
 * value (`{ call: 'Adam', args: { learning_rate: 0.001 } }`) — and a strict reader for their
 * arguments, shared by the optimizer, schedule, initializer, regularizer and constraint factories.
 */

import { SpecError } from './spec-error.js';

/** A Keras identifier: a string name, or a resolved call with keyword arguments. */
export type Named = string | { call: string; args: Record<string, unknown> };

/** The name of a Named spec and its arguments (empty for a bare string). */
export function splitNamed(spec: Named): { name: string; args: Record<string, unknown> } {
  if (typeof spec === 'string') return { name: spec, args: {} };
  if (typeof spec !== 'object' || spec === null || typeof spec.call !== 'string') {
    throw new SpecError(
      `Expected a name or a call such as Adam(learning_rate=0.001), found ${describeValue(spec)}.`,
    );
  }
  return { name: spec.call, args: spec.args ?? {} };
}

/** Keras spelling folded for lookups: 'GlorotUniform', 'glorot_uniform' and 'glorotuniform' meet. */
export function foldName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/**
 * Reads a call's keyword arguments with Keras's defaults and type checks; `done()` rejects any
 * argument nobody asked for, so a misspelt option fails loudly instead of being ignored.
 */
export class ArgReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly owner: string,
    private readonly args: Record<string, unknown>,
  ) {}

  /** A finite number (default when absent or null). */
  number(key: string, fallback: number): number {
    const v = this.optionalNumber(key);
    return v ?? fallback;
  }

  /** A finite number or null when absent. */
  optionalNumber(key: string): number | null {
    this.seen.add(key);
    const v = this.args[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.wrong(key, 'a finite number', v);
    return v;
  }

  /** A number or None: `fallback` only when the argument is absent, null when it is None. */
  nullableNumber(key: string, fallback: number | null): number | null {
    this.seen.add(key);
    if (this.args[key] === undefined) return fallback;
    return this.optionalNumber(key);
  }

  /** A number that must be given (Keras has no default for it). */
  requiredNumber(key: string): number {
    const v = this.optionalNumber(key);
    if (v === null) throw new SpecError(`${this.owner}: missing required argument '${key}'.`, key);
    return v;
  }

  /** A boolean (default when absent or null). */
  boolean(key: string, fallback: boolean): boolean {
    this.seen.add(key);
    const v = this.args[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw this.wrong(key, 'True or False', v);
    return v;
  }

  /** A string (default when absent or null). */
  string(key: string, fallback: string): string {
    this.seen.add(key);
    const v = this.args[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') throw this.wrong(key, 'a string', v);
    return v;
  }

  /** A list of finite numbers (required). */
  numberList(key: string): number[] {
    this.seen.add(key);
    const v = this.args[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw this.wrong(key, 'a list of numbers', v);
    }
    return v as number[];
  }

  /** An axis: an integer, a list of integers, or null (all axes). */
  axes(key: string, fallback: number | number[] | null): number[] | null {
    this.seen.add(key);
    const v = this.args[key] === undefined ? fallback : this.args[key];
    if (v === null) return null;
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
      throw this.wrong(key, 'an integer or a list of integers', v);
    }
    return list as number[];
  }

  /** Raw access for arguments another factory interprets (a learning-rate schedule). */
  raw(key: string): unknown {
    this.seen.add(key);
    return this.args[key];
  }

  /** Marks arguments as accepted without reading them (names, ignored legacy options). */
  ignore(...keys: string[]): void {
    for (const k of keys) this.seen.add(k);
  }

  /** Throws on any argument that was not read. */
  done(): void {
    const extra = Object.keys(this.args).filter((k) => !this.seen.has(k));
    if (extra.length > 0) {
      throw new SpecError(
        `${this.owner}: argument(s) not recognized: ${extra.map((k) => `'${k}'`).join(', ')}.`,
        extra[0],
      );
    }
  }

  /** A SpecError naming the owner, the argument and what it should have been. */
  invalid(key: string, message: string): SpecError {
    return new SpecError(`${this.owner}: invalid '${key}': ${message}`, key);
  }

  private wrong(key: string, expected: string, found: unknown): SpecError {
    return new SpecError(
      `${this.owner}: '${key}' must be ${expected}, found ${describeValue(found)}.`,
      key,
    );
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
