/**
 * The chunked reader for plain CSV files (src/data/plain.ts): readTable must give exactly what
 * csv-parse's reading of the same bytes gives — the table, or the same DataError — whether the
 * file is plain (read in chunks) or not (read again whole).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTable, readTable, type TableOptions } from '../../src/data/index.js';
import { plainNumber } from '../../src/data/plain.js';

const dir = mkdtempSync(join(tmpdir(), 'nn-plain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table (arrays as plain lists, -0 spelled out) or the error, as comparable text. */
function outcome(read: () => unknown): string {
  try {
    return JSON.stringify(read(), (_k, v: unknown) =>
      v instanceof Float32Array ? Array.from(v, (n) => (Object.is(n, -0) ? '-0' : n)) : v,
    );
  } catch (err) {
    return `${String(err)} ${JSON.stringify(err)}`;
  }
}

function same(text: string, options: TableOptions): void {
  const path = join(dir, 'data.csv');
  writeFileSync(path, text);
  const chunked = outcome(() => readTable(path, options));
  const whole = outcome(() => parseTable(readFileSync(path), path, options));
  expect(chunked).toBe(whole);
}

const files = [
  'a,b,y\n1,2,0\n3,4,1\n',
  'a,b,y\r\n1,2,0\r\n\r\n3,4,1',
  '\uFEFFa,b,y\n\n1,2,0\n3,4,1\n\n',
  'a,b,y\n1,2\n3,4,1,5\n1,x,0\n,4,1\nnan,inf,1\n1e40,3,0\n',
  'a,b,y\n1e3,2.5e-3,0\n-0,+.5,1\n5.,.5,1\n0.12345678901234567,123456789012345678,0\n',
  'a,b,y\n1,2,cat\n3,4,dog\n5,6,é\n7,8,\n',
  'a,b,y\n1,2,"cat"\n3,4,dog\n',
  'a,b,y\n 1,2,0\n3,4 ,1\n',
  'a,b,y\n1,2,0\r\n3,4,1\n',
  'a,b,y\r1,2,0\r3,4,1\r',
  'a,b,y\n1,2,0\n3,4,"1\n',
  'a,a,y\n1,2,0\n',
  'a,b,y\n',
  '',
];

describe('reading plain CSV files in chunks', () => {
  it('agrees with csv-parse on tables and messages', () => {
    for (const text of files) {
      for (const options of [{}, { encoding: 'binary' }, { encoding: 'regression' }] as const) {
        same(text, options);
      }
    }
  });

  it('agrees across chunk boundaries, with CRLF, long cells and many labels', () => {
    const rows = Array.from({ length: 120_000 }, (_, i) =>
      i === 100_001 ? `${i},zz,c1` : `${(i * 0.37).toFixed(2 + (i % 4))},${i % 7},c${i % 3}`,
    );
    same(`a,b,y\r\n${rows.join('\r\n')}\r\n`, { encoding: 'sparse' });
    same(`a,b,y\n1,2,${'z'.repeat(2_500_000)}\n3,4,q\n`, {});
    const labels = Array.from({ length: 70_000 }, (_, i) => `${i},v${i}`);
    same(`x,y\n${labels.join('\n')}`, { encoding: 'sparse' });
  });

  it('parses numbers exactly as Number() does', () => {
    let seed = 7;
    const next = (k: number) => (seed = (seed * 16807) % 2147483647) % k;
    const rows = Array.from({ length: 20_000 }, (_, i) => {
      const digits = Array.from({ length: 1 + next(16) }, () => next(10)).join('');
      const p = next(digits.length + 1);
      return `${next(3) === 0 ? '-' : ''}${digits.slice(0, p)}.${digits.slice(p)},${i % 2}`;
    });
    same(`a,y\n${rows.join('\n')}\n`, { encoding: 'binary' });
    for (const row of rows) {
      const cell = row.slice(0, row.indexOf(','));
      const buf = Buffer.from(cell);
      const fields = { buf, starts: Int32Array.of(0), ends: Int32Array.of(buf.length), count: 1 };
      const v = plainNumber(fields, 0);
      if (!Number.isNaN(v)) expect(Object.is(v, Number(cell))).toBe(true);
    }
  });
});
