/**
 * CSV text → header and records: quoting, line endings, BOM, blank lines, and the line each
 * record starts on (counted by hand in the inputs below, as an editor numbers them).
 */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  ProblemList,
  describeBadCell,
  parseCell,
  parseCsv,
} from '../../src/data/csv.js';

function errorOf(f: () => unknown): DataError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('parseCsv', () => {
  it.each([
    ['LF', 'a,b\n1,2\n3,4\n'],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n'],
    ['CR', 'a,b\r1,2\r3,4\r'],
    ['BOM and CRLF', '\uFEFFa,b\r\n1,2\r\n3,4'],
    ['no final newline', 'a,b\n1,2\n3,4'],
  ])('%s: same header, records and lines', (_, text) => {
    expect(parseCsv(text, 't.csv')).toEqual({
      header: ['a', 'b'],
      headerLine: 1,
      records: [
        ['1', '2'],
        ['3', '4'],
      ],
      lines: [2, 3],
    });
  });

  it('keeps commas, doubled quotes and line breaks inside quotes, and trims around the delimiter', () => {
    const text = '"w, cm",name\n1,"Smith, J."\n2,"O""Brien"\n3,"two\nlines"\n 4 ,  "x"  \n';
    expect(parseCsv(text, 't.csv')).toEqual({
      header: ['w, cm', 'name'],
      headerLine: 1,
      records: [
        ['1', 'Smith, J.'],
        ['2', 'O"Brien'],
        ['3', 'two\nlines'],
        ['4', 'x'],
      ],
      lines: [2, 3, 4, 6],
    });
  });

  it('gives a record spanning lines the line it starts on, with CRLF inside the quotes too', () => {
    const text = 'a,b\r\n"x\r\ny\r\nz",1\r\n2,3\r\n';
    expect(parseCsv(text, 't.csv').lines).toEqual([2, 5]);
  });

  it('skips blank and whitespace-only lines but keeps counting them', () => {
    const text = '\n\na,b\n\n1,2\n   \n\t\n3,4\n\n';
    const csv = parseCsv(text, 't.csv');
    expect(csv.headerLine).toBe(3);
    expect(csv.lines).toEqual([5, 8]);
  });

  it('keeps ragged records for the caller to report', () => {
    expect(parseCsv('a,b,c\n1,2\n1,2,3,4\n', 't.csv').records).toEqual([
      ['1', '2'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('reads tab-separated text with the tab delimiter', () => {
    expect(parseCsv('a\tb\n1\t2\n', 't.tsv', '\t').records).toEqual([['1', '2']]);
  });

  it.each([
    [
      '',
      'e.csv: the file is empty; expected a header line naming the columns, then one line per sample.',
      undefined,
    ],
    [
      '\n \n\r\n',
      'e.csv: the file is empty; expected a header line naming the columns, then one line per sample.',
      undefined,
    ],
    [
      'a,b\n1,2\n3,"4\n5,6\n',
      'e.csv, line 3: a quoted value is never closed (the file ends inside the quotes).',
      3,
    ],
    [
      'a,b\n"1\n2",3\n4,"5,6\n7\n',
      'e.csv, line 4: a quoted value is never closed (the file ends inside the quotes).',
      4,
    ],
    [
      'a,b\n1,"2"x\n',
      'e.csv, line 2: text after a closing quote; a quoted value must be followed by a comma or the end of the line.',
      2,
    ],
  ])('rejects %j', (text, message, line) => {
    const err = errorOf(() => parseCsv(text, 'e.csv'));
    expect(err.message).toBe(message);
    expect(err.line).toBe(line);
    expect(err.file).toBe('e.csv');
  });
});

describe('parseCell', () => {
  it.each([
    ['0', 0],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['2.5E+2', 250],
    ['3.4028234663852886e38', 3.4028234663852886e38],
  ])('%s → %d', (cell, value) => {
    expect(parseCell(cell)).toBe(value);
  });

  it.each([
    '',
    'abc',
    '1,5',
    '0x1F',
    '1_000',
    'NaN',
    'nan',
    'inf',
    '-Infinity',
    '1e999',
    '3.5e38',
    '1 2',
    '--1',
    'e5',
    '.',
  ])('%j is not a usable number', (cell) => {
    expect(parseCell(cell)).toBeNaN();
  });

  it.each([
    ['', "column 'x' is empty"],
    ['abc', "column 'x': 'abc' is not a number"],
    ['NaN', "column 'x': 'NaN' is not a finite number"],
    ['-inf', "column 'x': '-inf' is not a finite number"],
    ['1e39', "column 'x': '1e39' is too large for a 32-bit float"],
    ['a\tb\nc', "column 'x': 'a\\tb\\nc' is not a number"],
    ['x'.repeat(60), `column 'x': '${'x'.repeat(37)}…' is not a number`],
  ])('describes %j', (cell, text) => {
    expect(describeBadCell('x', cell)).toBe(text);
  });
});

describe('ProblemList', () => {
  it('throws nothing when empty', () => {
    expect(() => new ProblemList().throwIfAny('f.csv')).not.toThrow();
  });

  it('words a single row as file, line: problems', () => {
    const problems = new ProblemList();
    problems.add(7, 'a', 'first');
    problems.add(7, 'b', 'second');
    const err = errorOf(() => problems.throwIfAny('f.csv'));
    expect(err.message).toBe('f.csv, line 7: first; second');
    expect([err.line, err.column]).toEqual([7, 'a']);
  });

  it('lists the first 10 rows, spells out 3 problems per row, and counts the rest', () => {
    const problems = new ProblemList();
    for (let line = 2; line <= 13; line++) problems.add(line, undefined, `p${line}`);
    for (let k = 0; k < 4; k++) problems.add(13, undefined, 'more');
    problems.add(14, undefined, 'x');
    for (let k = 0; k < 4; k++) problems.add(14, undefined, 'y');
    expect(problems.count).toBe(13);
    const lines = errorOf(() => problems.throwIfAny('f.csv')).message.split('\n');
    expect(lines[0]).toBe('f.csv: 13 rows cannot be used:');
    expect(lines.slice(1, 11)).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((l) => `  line ${l}: p${l}`),
    );
    expect(lines.slice(11)).toEqual(['  … and 3 more rows']);
  });

  it('caps one row at three problems', () => {
    const problems = new ProblemList();
    problems.add(2, undefined, 'a');
    problems.add(3, undefined, 'b');
    for (const t of ['c', 'd', 'e', 'f']) problems.add(3, undefined, t);
    expect(errorOf(() => problems.throwIfAny('f.csv')).message).toBe(
      'f.csv: 2 rows cannot be used:\n  line 2: a\n  line 3: b; c; d; and 2 more problems on this line',
    );
  });
});
