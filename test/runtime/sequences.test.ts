/**
 * Embedding and the recurrent layers through the runtime: Keras's initial LSTM bias (ones on
 * the forget gate with unit_forget_bias), a clear error for a token id outside the vocabulary,
 * and `nn train` refusing to scale the token columns an Embedding reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../src/cli/train.js';

describe('sequence layers in the runtime', () => {
  it("initializes LSTM's bias as Keras: zeros, ones on the forget gate, zeros", () => {
    const m = loadModel('Input(shape=(3, 2)) -> LSTM(2)', { seed: 1 });
    expect(Array.from(m.getWeights()[2]!)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const off = loadModel('Input(shape=(3, 2)) -> LSTM(2, unit_forget_bias=False)', { seed: 1 });
    expect(Array.from(off.getWeights()[2]!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('names the layer, the id and its place when a token id is outside the vocabulary', () => {
    const m = loadModel('Input(3) -> Embedding(5, 2) -> Flatten() -> Dense(1)', { seed: 1 });
    expect(m.predict([[0, 4.7, 1]])).toHaveLength(1); // 4.7 truncates to 4, as Keras casts
    expect(() =>
      m.predict([
        [0, 1, 2],
        [3, 5, 0],
      ]),
    ).toThrow(
      "layer 'embedding': token id 5 (sample 1, position 1) is outside the vocabulary [0, 5)",
    );
    expect(() => m.predict([[-1, 0, 0]])).toThrow('token id -1 (sample 0, position 0)');
  });

  it('nn train reads token columns as they are and refuses to scale them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-tokens-'));
    const rows = [
      'label,a,b,c',
      ...Array.from({ length: 12 }, (_, i) => `${i % 2},${i % 7},3,${(i * 5) % 7}`),
    ];
    writeFileSync(join(dir, 'tokens.csv'), rows.join('\n') + '\n');
    const source = (fit: string) =>
      `Input(3) -> Embedding(7, 2) -> LSTM(2) -> Dense(1, sigmoid)\ncompile(adam, binary_crossentropy)\nfit(data='tokens.csv', target='label', epochs=1, ${fit})\n`;
    const run = (name: string, fit: string) => {
      writeFileSync(join(dir, name), source(fit));
      let out = '';
      const code = runTrain(
        join(dir, name),
        { seed: 1, out: join(dir, `${name}.nnw`) },
        { write: (s: string) => (out += s) },
        (s) => (out += s),
      );
      return { code, out };
    };
    // The ids go up to 6 of a vocabulary of 7: unscaled, every one is a row of the table.
    expect(run('raw.nn', 'batch_size=4').code).toBe(0);
    expect(() => run('scaled.nn', "batch_size=4, scaling='standard'")).toThrow(
      'starts with Embedding, which reads its columns as token ids',
    );
  });
});
