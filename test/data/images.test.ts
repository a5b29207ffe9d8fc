/**
 * An image model reads a CSV's pixel columns as `nn train`, `evaluate` and `predict` do — the
 * table's features in column order, one flat sample each — so Input(shape=(28, 28, 1)) takes
 * the 784 pixel columns row-major: p0…p27 are the top row. Pooling over whole rows and whole
 * columns of the MNIST test images shows it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';
import { readTable } from '../../src/data/index.js';

const csv = fileURLToPath(new URL('../../samples/mnist-test.csv.gz', import.meta.url));

describe('image input from a CSV', () => {
  it('Input(shape=(28, 28, 1)) reads the pixel columns p0…p783 row-major', () => {
    const table = readTable(csv, { target: 'label', encoding: 'sparse' });
    expect(table.features.slice(0, 3)).toEqual(['p0', 'p1', 'p2']);
    expect(table.features).toHaveLength(784);
    const pixel = (sample: number, row: number, col: number) =>
      table.x[sample * 784 + table.features.indexOf(`p${row * 28 + col}`)]!;
    const rows = loadModel('Input(shape=(28, 28, 1)) -> MaxPooling2D((1, 28)) -> Flatten()');
    const cols = loadModel('Input(shape=(28, 28, 1)) -> MaxPooling2D((28, 1)) -> Flatten()');
    const n = 5;
    const x = table.x.subarray(0, n * 784);
    const [rowMax, colMax] = [rows.predict(x), cols.predict(x)];
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < 28; i++) {
        const line = Array.from({ length: 28 }, (_, j) => pixel(s, i, j));
        const column = Array.from({ length: 28 }, (_, j) => pixel(s, j, i));
        expect(rowMax[s * 28 + i], `sample ${s}, row ${i}`).toBe(Math.max(...line));
        expect(colMax[s * 28 + i], `sample ${s}, column ${i}`).toBe(Math.max(...column));
      }
    }
    // The digits are not symmetric: rows and columns differ, so the test tells them apart.
    expect(Array.from(rowMax.subarray(0, 28))).not.toEqual(Array.from(colMax.subarray(0, 28)));
  });
});
