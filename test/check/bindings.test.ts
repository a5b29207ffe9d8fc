/**
 * The check result's record of bindings and comments, for the language server: every bound
 * call (nested ones too) with the catalog parameter each written argument bound to, rendered
 * as `line:col-line:col` spans and compared with bindings/NAME.expected.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, type Range } from 'nnlang';
import { expectGolden } from '../golden.js';

const dir = new URL('./bindings/', import.meta.url);
const at = (r: Range) => `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;

describe('bindings and comments in the check result', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.nn')))('%s', (name) => {
    const result = check(readFileSync(new URL(name, dir), 'utf8'), name);
    const lines = result.bindings.map((b) => {
      const args = b.args.map(
        (a) =>
          `    ${a.param} = ${at(a.valueRange)}${a.keywordRange ? ` (name ${at(a.keywordRange)})` : ''}`,
      );
      return [`${at(b.range)} ${b.kind} ${b.entry} (callee ${at(b.calleeRange)})`, ...args].join(
        '\n',
      );
    });
    const comments = result.comments.map((c) => `${at(c.range)} comment ${c.text}`);
    expectGolden(
      new URL(name.replace(/\.nn$/, '.expected'), dir).pathname,
      [...lines, ...comments].join('\n') + '\n',
    );
  });

  it('is plain data', () => {
    const result = check('Input(4) -> Dense(2)  # x\ncompile(adam, mse)\n');
    expect(JSON.parse(JSON.stringify(result.bindings))).toEqual(result.bindings);
    expect(result.comments).toEqual([
      {
        text: '# x',
        range: expect.objectContaining({ start: expect.objectContaining({ line: 1, column: 23 }) }),
      },
    ]);
  });
});
