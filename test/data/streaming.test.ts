/**
 * The streaming table reader: the same table and the same messages from the text and from its
 * bytes, problems of features and targets merged in line order, and many bad rows counted.
 */
import { describe, expect, it } from 'vitest';
import { DataError, parseTable } from '../../src/data/index.js';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('reading a table in one pass', () => {
  const text = '\uFEFFa,b,label\r\n1,"two\r\nlines",x\r\n\r\n3,4,größe\r\n5,6,x\r\n';

  it('gives the same messages from the text and from its bytes', () => {
    const bytes = new TextEncoder().encode(text);
    const a = messageOf(() => parseTable(text, 'f.csv', { target: 'label' }));
    const b = messageOf(() => parseTable(bytes, 'f.csv', { target: 'label' }));
    expect(a).toBe(b);
    expect(a).toContain("line 2: column 'b': 'two\\r\\nlines' is not a number");
  });

  it('reads rows after quoted line breaks and blank lines into x', () => {
    const good = 'a,b,label\n1,"2",x\n\n3,4,y\n5,6,x';
    const table = parseTable(new TextEncoder().encode(good), 'f.csv', { target: 'label' });
    expect(table.rows).toBe(3);
    expect(Array.from(table.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.x.length).toBe(6);
  });

  it('lists feature and target problems in line order', () => {
    const csv = 'a,y\n1,0\nq,0\n2,7\n3\n4,1\n';
    const message = messageOf(() => parseTable(csv, 'f.csv', { target: 'y', encoding: 'binary' }));
    expect(message.split('\n')).toEqual([
      'f.csv: 3 rows cannot be used:',
      "  line 3: column 'a': 'q' is not a number",
      "  line 4: column 'y': '7' is not 0 or 1, as binary_crossentropy needs",
      '  line 5: 1 value, but the header has 2 columns',
    ]);
  });

  it('counts every bad row past the listed ones', () => {
    const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? `${i},1` : `x${i},1`));
    const csv = `a,y\n${rows.join('\n')}\n`;
    const message = messageOf(() => parseTable(csv, 'f.csv', { target: 'y' }));
    expect(message).toMatch(/^f\.csv: 20 rows cannot be used:/);
    expect(message).toContain('… and 10 more rows');
  });
});
