/**
 * Tables for train/evaluate/predict: error messages with their exact line numbers (counted by
 * hand in the fixtures), CSV forms, column selection, predict mode, files and limits.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  DataError,
  parseTable,
  readTable,
  type Table,
  type TableOptions,
} from '../../src/data/index.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

function errorOf(f: () => unknown): DataError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).not.toMatch(/\n\s+at /);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('bad cells and ragged rows (bad-cells.csv)', () => {
  it('lists the first 10 bad rows with their editor line numbers, column names and values', () => {
    const err = errorOf(() => readTable(fixture('bad-cells.csv'), { target: 'label' }));
    expect(err.message).toBe(
      [
        `${fixture('bad-cells.csv')}: 11 rows cannot be used:`,
        "  line 4: column 'a': 'x' is not a number",
        "  line 5: column 'b' is empty",
        "  line 6: column 'b': 'NaN' is not a finite number",
        '  line 7: 2 values, but the header has 3 columns',
        '  line 8: 4 values, but the header has 3 columns',
        "  line 9: column 'a': '1e999' is too large for a 32-bit float",
        "  line 10: column 'label' is empty",
        "  line 11: column 'b': 'Infinity' is not a finite number",
        "  line 12: column 'b': '0x1F' is not a number",
        "  line 14: column 'a': '1 2' is not a number",
        '  … and 1 more row',
      ].join('\n'),
    );
    expect([err.file, err.line, err.column]).toEqual([fixture('bad-cells.csv'), 4, 'a']);
  });

  it('reports a bad cell of a record spanning lines at the line the record starts', () => {
    const text = 'a,b,note\r\n1,2,"two\r\nlines"\r\nx,3,"three\r\nmore\r\nlines"\r\n\r\n4,z,ok\r\n';
    const err = errorOf(() => parseTable(text, 'm.csv', { target: 'note' }));
    expect(err.message).toBe(
      "m.csv: 2 rows cannot be used:\n  line 4: column 'a': 'x' is not a number\n  line 8: column 'b': 'z' is not a number",
    );
  });

  it.each([
    ['crlf', 'a,b\r\n1,2\r\n3\r\n'],
    ['bom', '\uFEFFa,b\n1,2\n3\n'],
    ['blank lines before the header', '\n\na,b\n1,2\n3\n'],
  ])('ragged row line numbers: %s', (_, text) => {
    const lines = text.split(/\r?\n/);
    const bad = lines.indexOf('3') + 1;
    expect(errorOf(() => parseTable(text, 'r.csv', {})).message).toBe(
      `r.csv, line ${bad}: 1 value, but the header has 2 columns`,
    );
  });
});

describe('CSV forms', () => {
  it('quoted fields with commas, doubled quotes and line breaks (quoted.csv)', () => {
    const t = readTable(fixture('quoted.csv'), {});
    expect(t.features).toEqual(['width, cm', 'height, cm']);
    expect(t.classes).toEqual(['O"Brien', 'Smith, J.', 'two\nlines']);
    expect(Array.from(t.y!)).toEqual([1, 0, 2, 1]);
    expect(Array.from(t.x)).toEqual([1.5, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each([
    ['LF', 'a,b,y\n1,2,3\n4,5,6\n'],
    ['CRLF', 'a,b,y\r\n1,2,3\r\n4,5,6\r\n'],
    ['BOM + CRLF', '\uFEFFa,b,y\r\n1,2,3\r\n4,5,6'],
    ['spaces around cells', ' a , b , y \n 1 ,2, 3\n4 , 5,6 \n'],
  ])('%s gives the same table', (_, text) => {
    const t = parseTable(text, 'f.csv', {});
    expect([Array.from(t.x), Array.from(t.y!), t.features, t.targetName]).toEqual([
      [1, 2, 4, 5],
      [3, 6],
      ['a', 'b'],
      'y',
    ]);
  });

  it('reads .tsv files as tab-separated', () => {
    const t = readTable(fixture('table.tsv'), {});
    expect([Array.from(t.x), Array.from(t.y!)]).toEqual([
      [1, 2],
      [2.5, 4.5],
    ]);
  });

  it('reads the samples: iris.csv has 150 rows of 3 species, xor.csv is binary', () => {
    const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
    const irisTable = readTable(`${samples}iris.csv`, {
      target: 'species',
      encoding: 'one_hot',
      outputUnits: 3,
    });
    expect([irisTable.rows, irisTable.classes, irisTable.features.length]).toEqual([
      150,
      IRIS_CLASSES,
      4,
    ]);
    expect(
      Array.from(
        { length: 3 },
        (_, k) => irisTable.y!.filter((v, i) => v === 1 && i % 3 === k).length,
      ),
    ).toEqual([50, 50, 50]);
    const xor = readTable(`${samples}xor.csv`, { target: 'y', encoding: 'binary', outputUnits: 1 });
    expect(Array.from(xor.y!)).toEqual([0, 1, 1, 0]);
  });
});

describe('choosing columns', () => {
  const text = 'a,b,c,d\n1,2,3,4\n5,6,7,8\n';
  it.each<[string, TableOptions, string[], string, number[], number[]]>([
    ['default: the last column', {}, ['a', 'b', 'c'], 'd', [1, 2, 3, 5, 6, 7], [4, 8]],
    ['by index', { target: 0 }, ['b', 'c', 'd'], 'a', [2, 3, 4, 6, 7, 8], [1, 5]],
    ['by negative index', { target: -2 }, ['a', 'b', 'd'], 'c', [1, 2, 4, 5, 6, 8], [3, 7]],
    ['by name', { target: 'b' }, ['a', 'c', 'd'], 'b', [1, 3, 4, 5, 7, 8], [2, 6]],
    [
      'named features in their order',
      { target: 'a', features: ['d', 'b'] },
      ['d', 'b'],
      'a',
      [4, 2, 8, 6],
      [1, 5],
    ],
  ])('target %s', (_, options, features, target, x, y) => {
    const t = parseTable(text, 'c.csv', options);
    expect([t.features, t.targetName, Array.from(t.x), Array.from(t.y!)]).toEqual([
      features,
      target,
      x,
      y,
    ]);
  });

  it.each<[string, TableOptions, string[]]>([
    ['all columns', { hasTarget: false }, ['a', 'b', 'c', 'd']],
    [
      'a column named like the target is left out',
      { hasTarget: false, target: 'd' },
      ['a', 'b', 'c'],
    ],
    ['training features', { hasTarget: false, target: 'd', features: ['c', 'a'] }, ['c', 'a']],
  ])('predict mode (no target): %s', (_, options, features) => {
    const t: Table = parseTable(text, 'p.csv', { ...options, classes: ['no', 'yes'] });
    expect([t.features, t.y, t.yCols, t.targetName, t.classes]).toEqual([
      features,
      null,
      0,
      null,
      ['no', 'yes'],
    ]);
    expect(t.x.length).toBe(2 * features.length);
  });

  it.each<[string, string, TableOptions, string]>([
    [
      'an unknown target',
      text,
      { target: 'D' },
      "c.csv: there is no column named 'D'; the columns are 'a', 'b', 'c', 'd'. Did you mean 'd'?",
    ],
    [
      'an index out of range',
      text,
      { target: 4 },
      'c.csv: there is no column 4: the file has 4 columns (0 to 3).',
    ],
    [
      'a fractional index',
      text,
      { target: 1.5 },
      'c.csv: there is no column 1.5: the file has 4 columns (0 to 3).',
    ],
    [
      'missing features',
      text,
      { features: ['a', 'e', 'f'] },
      "c.csv: the feature columns 'e', 'f' are missing; the columns are 'a', 'b', 'c', 'd'.",
    ],
    [
      'a feature named twice',
      text,
      { features: ['a', 'b', 'a'] },
      "c.csv: the feature column 'a' is listed twice.",
    ],
    [
      'the target as a feature',
      text,
      { features: ['a', 'd'] },
      "c.csv: column 'd' is the target, so it cannot also be a feature.",
    ],
    [
      'only a target column',
      'y\n1\n',
      {},
      "c.csv: there are no feature columns: the only column is the target 'y'.",
    ],
    [
      'a header of numbers',
      '0,0,0\n1,0,1\n',
      {},
      "c.csv, line 1: the first line must name the columns, but it holds numbers (0,0,0); add a header line such as 'x1,x2,y'.",
    ],
    [
      'a duplicate name',
      'a,b,a\n1,2,3\n',
      {},
      "c.csv, line 1: the column name 'a' appears twice (columns 1 and 3).",
    ],
    ['an empty name', 'a,,y\n1,2,3\n', {}, 'c.csv, line 1: column 2 of the header has no name.'],
    ['a header only', '\na,b\n\n', {}, 'c.csv: there are no data rows after the header (line 2).'],
    [
      'an empty file',
      '',
      {},
      'c.csv: the file is empty; expected a header line naming the columns, then one line per sample.',
    ],
  ])('%s is a DataError', (_, input, options, message) => {
    expect(errorOf(() => parseTable(input, 'c.csv', options)).message).toBe(message);
  });
});

describe('files and limits', () => {
  it('a missing file is a DataError, not an exception from fs', () => {
    expect(errorOf(() => readTable('/no/such/dir/t.csv', {})).message).toBe(
      '/no/such/dir/t.csv: cannot read the file: no such file.',
    );
  });

  it('a directory is a DataError', () => {
    expect(errorOf(() => readTable(fixture(''), {})).message).toMatch(
      /cannot read the file: it is a directory\.$/,
    );
  });

  it('refuses absurd sizes before allocating them', () => {
    const err = errorOf(() =>
      parseTable('a,y\n1,0\n2,1\n', 'big.csv', { encoding: 'one_hot', outputUnits: 2 ** 31 }),
    );
    expect(err.message).toBe(
      'big.csv: 2 rows × 2147483648 columns of targets is 4.29e+9 floats, more than the 2147483648 a table can hold.',
    );
  });
});
