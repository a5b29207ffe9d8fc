/** The library checks fit()'s, predict()'s and evaluate()'s options as the CLI checks its flags. */
import { describe, expect, it } from 'vitest';
import { InputError, loadModel, ModelError } from '../../src/index.js';

const source = `Input(2) -> Dense(1, sigmoid); compile(adam, binary_crossentropy)`;
const x = [
  [0, 0],
  [1, 1],
];
const y = [[0], [1]];

describe('fit options', () => {
  const cases: [string, object, RegExp][] = [
    ['batchSize: 0', { batchSize: 0 }, /batchSize must be an integer ≥ 1, not 0/],
    ['batchSize: 1.5', { batchSize: 1.5 }, /batchSize must be an integer ≥ 1, not 1.5/],
    ['epochs: -1', { epochs: -1 }, /epochs must be an integer ≥ 1, not -1/],
    ['epochs: NaN', { epochs: NaN }, /epochs must be an integer/],
    ['an unknown name', { epoch: 3 }, /unknown option 'epoch'; the options are 'epochs'/],
    ['a snake_case name', { batch_size: 3 }, /unknown option 'batch_size'/],
    ['validationSplit: 1', { validationSplit: 1 }, /validationSplit must be a number in \[0, 1\)/],
    ['shuffle: "yes"', { shuffle: 'yes' }, /shuffle must be true or false/],
    ['callbacks not an array', { callbacks: {} }, /callbacks must be an array/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what} with an InputError`, () => {
      const model = loadModel(source, { seed: 1 });
      const call = () => model.fit(x, y, options);
      expect(call).toThrow(InputError);
      expect(call).toThrow(message);
    });
  }

  it('checks predict() and evaluate() batch sizes too', () => {
    const model = loadModel(source, { seed: 1 });
    expect(() => model.predict(x, { batchSize: 0 })).toThrow(InputError);
    expect(() => model.evaluate(x, y, { batchSize: -2 })).toThrow(InputError);
  });

  it('takes a batchSize beyond the data as one batch (no plan for rows that do not exist), same numbers', () => {
    const model = loadModel(source, { seed: 1 });
    const huge = { batchSize: 1e9 };
    expect(model.predict(x, huge)).toEqual(model.predict(x));
    expect(model.predict([[1, 0]], huge)).toEqual(model.predict([[1, 0]]));
    expect(model.predict(new Float32Array([1, 0]), huge)).toEqual(model.predict([[1, 0]]));
    expect(model.evaluate(x, y, huge)).toEqual(model.evaluate(x, y));
  });

  it('throws typed errors only: a broken source is a ModelError', () => {
    expect(() => loadModel('Input(2) -> Dense(0)')).toThrow(ModelError);
  });
});
