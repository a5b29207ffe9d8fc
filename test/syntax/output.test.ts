/**
 * What `nn check` prints stays readable on hostile input: control characters from the source
 * are escaped, long lines are cut around the culprit, and a file prints at most `--max-errors`
 * diagnostics, then how many more there were.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, renderDiagnostic } from 'nnlang';
import { runCheck } from '../../src/cli/check.js';
import { maxFrameWidth } from '../../src/diagnostics/render.js';

function rendered(source: string): string {
  const { diagnostics, lines } = check(source, 'x.nn');
  return diagnostics.map((d) => renderDiagnostic(d, lines)).join('');
}

describe('code frames', () => {
  it('escape control characters from the source', () => {
    const text = rendered('Dense(2, activation=\u001b[2J\u202erelu)\n');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('\\x1b');
  });

  it('keep the caret under the culprit after an escape', () => {
    const text = rendered('x = \u0007 + 1\n');
    const lines = text.split('\n');
    const frame = lines.findIndex((l) => l.includes('\\x07') && l.includes(' | '));
    expect(lines[frame + 1]!.indexOf('~')).toBe(lines[frame]!.indexOf('\\x07'));
  });

  it('cut a long line around the culprit', () => {
    const source = 'x = ' + 'a'.repeat(5000) + ' $ ' + 'b'.repeat(5000) + '\n';
    const text = rendered(source);
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(maxFrameWidth + 20);
    const lines = text.split('\n');
    const frame = lines.findIndex((l) => l.includes('$') && l.includes('|'));
    expect(lines[frame + 1]!.indexOf('~')).toBe(lines[frame]!.indexOf('$'));
  });
});

describe('nn check --max-errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nn-check-'));
  const file = join(dir, 'many.nn');
  writeFileSync(file, Array.from({ length: 80 }, () => 'Dense(2, sofmax)').join('\n') + '\n');

  function run(maxErrors?: number): string {
    let out = '';
    runCheck([file], { format: 'text', maxErrors }, (s) => (out += s));
    return out;
  }

  it('prints 50 diagnostics per file by default, then how many more', () => {
    const out = run();
    expect(out.match(/ - (error|warning|info|hint) NN/g)).toHaveLength(50);
    expect(out).toMatch(/and \d+ more diagnostics in .*many\.nn/);
    expect(out).toContain('Found 80 errors');
  });

  it('prints as many as asked, or all with 0', () => {
    expect(run(3).match(/ - (error|warning|info|hint) /g)).toHaveLength(3);
    expect(run(0)).not.toContain('more diagnostic');
  });
});
