/**
 * Every fixtures/diagnostics/NAME.nn is checked and its diagnostics compared with NAME.expected
 * (one line each: `line:column severity code message`, then `  hint: …` when there is one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, messages } from 'nnlang';
import { expectGolden } from '../golden.js';

const dir = new URL('../fixtures/diagnostics/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.nn'))
  .sort();

describe('diagnostics fixtures', () => {
  it.each(fixtures)('%s', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    const { diagnostics } = check(source, name);
    const text = diagnostics
      .map((d) => {
        const at = `${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column}`;
        return `${at} ${d.severity} ${d.code} ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ''}`;
      })
      .join('\n');
    expectGolden(new URL(name.replace(/\.nn$/, '.expected'), dir).pathname, text + '\n');
  });
});

describe('the message table', () => {
  it('gives every message its own code', () => {
    const byCode = new Map<string, string[]>();
    for (const [key, m] of Object.entries(messages))
      byCode.set(m.code, [...(byCode.get(m.code) ?? []), key]);
    expect([...byCode].filter(([, keys]) => keys.length > 1)).toEqual([]);
  });
});
