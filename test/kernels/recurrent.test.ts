/**
 * The embedding and recurrent kernels against their float64 twins, and every gradient against
 * finite differences of the twin: LSTM, GRU and SimpleRNN, with and without bias,
 * return_sequences and go_backwards, and each cell activation.
 */
import { describe, expect, it } from 'vitest';
import { embeddingBackward, embeddingForward, tokenMask } from '../../src/kernels/embedding.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose, finiteDifference, randomArray } from './naive.js';
import { naiveEmbedding, naiveRecurrent } from './naive-recurrent.js';
import { cases, dropInputs, run } from './recurrent-cases.js';

describe('embedding', () => {
  it('gathers rows by truncated id, and scatter-adds the gradient (repeated ids add up)', () => {
    const rng = new Rng(4);
    const [vocab, dim, count] = [7, 3, 10];
    const table = randomArray(rng, vocab * dim);
    const ids = Float32Array.from([0, 6, 3.9, 3, 1, 1, 0.2, 5, 2, 6]);
    const y = new Float32Array(count * dim);
    expect(embeddingForward(ids, table, y, count, vocab, dim)).toBe(-1);
    expectClose(y, naiveEmbedding(ids, table, count, dim), 0, 0, 'y');
    const dy = randomArray(rng, count * dim);
    const dTable = new Float32Array(vocab * dim).fill(99);
    embeddingBackward(ids, dy, dTable, count, vocab, dim);
    const fd = finiteDifference((p) => naiveEmbedding(ids, p, count, dim), table, dy);
    expectClose(dTable, fd, 1e-5, 1e-6, 'dtable');
  });

  it("mask_zero's mask is 1 where an id is not 0 (Keras's not_equal(inputs, 0))", () => {
    const ids = Float32Array.from([0, 3, 0.5, 0, 7, -0]);
    const mask = new Float32Array(6).fill(99);
    tokenMask(ids, mask, 6);
    expect(Array.from(mask)).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('reports the first id outside the vocabulary (negative, too large, NaN)', () => {
    const table = new Float32Array(4 * 2);
    const y = new Float32Array(3 * 2);
    for (const [ids, at] of [
      [[0, 4, 1], 1],
      [[1, 2, -1], 2],
      [[Number.NaN, 0, 0], 0],
      [[3.99, -0.5, 0], -1], // truncation toward zero: 3 and 0
    ] as const)
      expect(embeddingForward(Float32Array.from(ids), table, y, 3, 4, 2)).toBe(at);
  });
});

describe('recurrent layers', () => {
  for (const [name, c] of cases()) {
    it(`${name}: forward vs the float64 twin, every gradient vs finite differences`, () => {
      const r = run(c, new Rng(name.length * 31 + 7));
      const y = (
        x: ArrayLike<number>,
        k: ArrayLike<number>,
        u: ArrayLike<number>,
        b: ArrayLike<number> | null,
      ) => naiveRecurrent(c, dropInputs(c, x), k, u, b, c.states);
      expectClose(r.y, y(r.x, r.kernel, r.recurrent, r.bias), 1e-5, 1e-6, 'y');
      const tol = [2e-4, 2e-5] as const;
      expectClose(
        r.dx,
        finiteDifference((p) => y(p, r.kernel, r.recurrent, r.bias), r.x, r.dy),
        ...tol,
        'dx',
      );
      expectClose(
        r.dKernel,
        finiteDifference((p) => y(r.x, p, r.recurrent, r.bias), r.kernel, r.dy),
        ...tol,
        'dkernel',
      );
      expectClose(
        r.dRecurrentKernel,
        finiteDifference((p) => y(r.x, r.kernel, p, r.bias), r.recurrent, r.dy),
        ...tol,
        'drecurrent_kernel',
      );
      if (r.bias)
        expectClose(
          r.dBias!,
          finiteDifference((p) => y(r.x, r.kernel, r.recurrent, p), r.bias, r.dy),
          ...tol,
          'dbias',
        );
    });
  }
});
