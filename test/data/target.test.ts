/**
 * Target encodings: labels and numbers → one-hot rows, class indices, 0/1 or real values,
 * and the mismatches with the loss and the model's output units. Expected encodings are
 * written out by hand from the rows: classes sorted as sklearn's LabelEncoder sorts them.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { DataError, parseTable, type TableOptions } from '../../src/data/index.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
const iris = readFileSync(fixture('iris-mini.csv'), 'utf8');
const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];
// iris-mini.csv rows: virginica, setosa, versicolor, setosa, virginica, versicolor
const IRIS_SPARSE = [2, 0, 1, 0, 2, 1];

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

const rowsOf = (a: Float32Array, cols: number) =>
  Array.from({ length: a.length / cols }, (_, r) =>
    Array.from(a.subarray(r * cols, (r + 1) * cols)),
  );

describe('label targets (iris-mini.csv: 6 rows, species in shuffled order)', () => {
  it('one_hot: classes sorted, one row of y per sample, a 1 at the class', () => {
    const t = parseTable(iris, 'iris-mini.csv', {
      target: 'species',
      encoding: 'one_hot',
      outputUnits: 3,
    });
    expect(t.classes).toEqual(IRIS_CLASSES);
    expect([t.rows, t.yCols, t.targetName]).toEqual([6, 3, 'species']);
    expect(rowsOf(t.y!, 3)).toEqual(
      IRIS_SPARSE.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))),
    );
    expect(t.features).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(rowsOf(t.x, 4)[0]).toEqual([6.3, 3.3, 6.0, 2.5].map(Math.fround));
  });

  it.each<[string, TableOptions]>([
    ['sparse', { encoding: 'sparse', outputUnits: 3 }],
    [
      'auto with 3 units (Keras: sparse when y has one column and the model several units)',
      { encoding: 'auto', outputUnits: 3 },
    ],
    ['no encoding given', {}],
  ])('%s: the class index', (_, options) => {
    const t = parseTable(iris, 'iris-mini.csv', options);
    expect(t.yCols).toBe(1);
    expect(Array.from(t.y!)).toEqual(IRIS_SPARSE);
    expect(t.classes).toEqual(IRIS_CLASSES);
  });

  it('a fixed class order from training is kept, whatever the rows hold', () => {
    const t = parseTable(iris, 'iris-mini.csv', {
      encoding: 'sparse',
      classes: ['virginica', 'setosa', 'versicolor'],
    });
    expect(Array.from(t.y!)).toEqual([0, 1, 2, 1, 0, 2]);
  });

  it('binary: two labels become 0 and 1 in sorted order', () => {
    const t = parseTable('x,answer\n1,yes\n2,no\n3,yes\n', 'yn.csv', {
      encoding: 'binary',
      outputUnits: 1,
    });
    expect([Array.from(t.y!), t.classes, t.yCols]).toEqual([[1, 0, 1], ['no', 'yes'], 1]);
  });

  it('auto with one output unit is binary', () => {
    const t = parseTable('x,answer\n1,yes\n2,no\n', 'yn.csv', { encoding: 'auto', outputUnits: 1 });
    expect(Array.from(t.y!)).toEqual([1, 0]);
  });

  it('sorts by code point, as NumPy does (not by UTF-16 unit, not by first appearance)', () => {
    const t = parseTable('x,c\n1,b\n2,😀\n3,ｚ\n4,B\n5,a\n6,é\n', 'u.csv', { encoding: 'sparse' });
    expect(t.classes).toEqual(['B', 'a', 'b', 'é', 'ｚ', '😀']);
    expect(Array.from(t.y!)).toEqual([2, 5, 4, 0, 1, 3]);
  });

  it.each<[string, TableOptions, string]>([
    [
      'binary with 3 classes',
      { encoding: 'binary' },
      "iris-mini.csv: column 'species' has 3 classes ('setosa', 'versicolor', 'virginica'), but binary_crossentropy needs exactly 2: use categorical_crossentropy (or sparse_categorical_crossentropy) with 3 output units and softmax.",
    ],
    [
      'one_hot, 3 classes, 2 units',
      { encoding: 'one_hot', outputUnits: 2 },
      "iris-mini.csv: column 'species' has 3 classes ('setosa', 'versicolor', 'virginica'), but the model outputs 2 units.",
    ],
    [
      'sparse, 3 classes, 4 units',
      { encoding: 'sparse', outputUnits: 4 },
      "iris-mini.csv: column 'species' has 3 classes ('setosa', 'versicolor', 'virginica'), but the model outputs 4 units.",
    ],
    [
      'regression on labels',
      { encoding: 'regression' },
      "iris-mini.csv: column 'species' holds labels ('setosa', 'versicolor', 'virginica'), not numbers, so it cannot be a regression target; for classes use categorical_crossentropy or sparse_categorical_crossentropy.",
    ],
    [
      'a class listed twice',
      { classes: ['setosa', 'setosa'] },
      "iris-mini.csv: the class 'setosa' is listed twice.",
    ],
  ])('%s → a table-level error', (_, options, message) => {
    const err = errorOf(() => parseTable(iris, 'iris-mini.csv', options));
    expect(err.message).toBe(message);
    expect(err.column).toBe('species');
  });

  it.each<[string, string, TableOptions, string]>([
    [
      'one label only',
      'x,c\n1,a\n2,a\n',
      { encoding: 'sparse' },
      "c.csv: column 'c' has only 1 class ('a'); there is nothing to classify.",
    ],
    [
      'binary, one label only',
      'x,c\n1,a\n2,a\n',
      { encoding: 'binary' },
      "c.csv: column 'c' has only 1 class ('a'); a binary target needs 2 classes.",
    ],
    [
      'binary labels on 2 units',
      'x,c\n1,a\n2,b\n',
      { encoding: 'binary', outputUnits: 2 },
      "c.csv: column 'c' is a binary target (one 0/1 value per sample), but the model outputs 2 units; binary_crossentropy needs 1 (e.g. Dense(1, sigmoid)).",
    ],
  ])('%s', (_, text, options, message) => {
    expect(errorOf(() => parseTable(text, 'c.csv', options)).message).toBe(message);
  });

  it('a label unknown to training is an error on its line', () => {
    const text = 'a,species\n1,setosa\n2,virginca\n';
    const err = errorOf(() =>
      parseTable(text, 'eval.csv', { classes: IRIS_CLASSES, encoding: 'one_hot' }),
    );
    expect(err.message).toBe(
      "eval.csv, line 3: column 'species': 'virginca' is not one of the classes 'setosa', 'versicolor', 'virginica'",
    );
    expect([err.line, err.column]).toEqual([3, 'species']);
  });
});

describe('numeric targets', () => {
  it.each<[string, string, TableOptions, number[], number]>([
    [
      'regression, as is',
      'x,y\n0,0\n1,0.8\n2,-2.25\n',
      { encoding: 'regression' },
      [0, 0.8, -2.25].map(Math.fround),
      1,
    ],
    ['regression by default', 'x,y\n0,1e-3\n1,5\n', {}, [Math.fround(1e-3), 5], 1],
    [
      'binary 0/1',
      'a,b,y\n0,0,0\n1,0,1\n0,1,1\n1,1,0\n',
      { encoding: 'binary', outputUnits: 1 },
      [0, 1, 1, 0],
      1,
    ],
    ['auto, one unit: binary', 'a,y\n0,1\n1,0\n', { encoding: 'auto', outputUnits: 1 }, [1, 0], 1],
    [
      'sparse integers',
      'a,y\n0,2\n1,0\n2,1\n',
      { encoding: 'sparse', outputUnits: 3 },
      [2, 0, 1],
      1,
    ],
    [
      'sparse written as 1.0',
      'a,y\n0,1.0\n1,0\n',
      { encoding: 'sparse', outputUnits: 2 },
      [1, 0],
      1,
    ],
    [
      'one_hot from integers',
      'a,y\n0,2\n1,0\n',
      { encoding: 'one_hot', outputUnits: 4 },
      [0, 0, 1, 0, 1, 0, 0, 0],
      4,
    ],
    [
      'one_hot without units: max + 1 classes',
      'a,y\n0,2\n1,0\n',
      { encoding: 'one_hot' },
      [0, 0, 1, 1, 0, 0],
      3,
    ],
  ])('%s', (_, text, options, y, yCols) => {
    const t = parseTable(text, 'n.csv', options);
    expect(Array.from(t.y!)).toEqual(y);
    expect([t.yCols, t.classes]).toEqual([yCols, null]);
  });

  it.each<[string, string, TableOptions, string]>([
    [
      'binary needs 0/1',
      'a,y\n0,1\n1,2\n2,0.5\n',
      { encoding: 'binary' },
      "n.csv: 2 rows cannot be used:\n  line 3: column 'y': '2' is not 0 or 1, as binary_crossentropy needs\n  line 4: column 'y': '0.5' is not 0 or 1, as binary_crossentropy needs",
    ],
    [
      'sparse needs integers in range',
      'a,y\n0,3\n1,1.5\n2,-1\n',
      { encoding: 'sparse', outputUnits: 3 },
      "n.csv: 3 rows cannot be used:\n  line 2: column 'y': '3' is not a class index (an integer from 0 to 2)\n  line 3: column 'y': '1.5' is not a class index (an integer from 0 to 2)\n  line 4: column 'y': '-1' is not a class index (an integer from 0 to 2)",
    ],
    [
      'regression needs numbers',
      'a,y\n0,1\n1,2\n2,3\n3,x\n4,nan\n',
      { encoding: 'regression' },
      "n.csv: 2 rows cannot be used:\n  line 5: column 'y': 'x' is not a number\n  line 6: column 'y': 'nan' is not a finite number",
    ],
    [
      'regression on 2 units',
      'a,y\n0,1\n',
      { encoding: 'regression', outputUnits: 2 },
      "n.csv: column 'y' is one value per sample, but the model outputs 2 units; a regression target from one column needs 1.",
    ],
    [
      'binary on 3 units',
      'a,y\n0,1\n',
      { encoding: 'binary', outputUnits: 3 },
      "n.csv: column 'y' is a binary target (one 0/1 value per sample), but the model outputs 3 units; binary_crossentropy needs 1 (e.g. Dense(1, sigmoid)).",
    ],
  ])('%s', (_, text, options, message) => {
    expect(errorOf(() => parseTable(text, 'n.csv', options)).message).toBe(message);
  });
});
