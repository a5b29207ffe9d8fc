/**
 * Quick fixes: each case's action is applied, the result re-checked, and the diagnostic it
 * fixes is gone without a new error.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compiler.js';
import { applyEdits, LanguageService } from '../../src/service/index.js';

const cases: { name: string; source: string; code: string; title: RegExp; expect?: string }[] = [
  {
    name: 'did-you-mean on an activation',
    source: "Input(4) -> Dense(8, activation='rleu') -> Dense(3, softmax)\n",
    code: 'NN2001',
    title: /'relu'/,
    expect: "activation='relu'",
  },
  {
    name: 'did-you-mean on a keyword',
    source:
      'Input(4) -> Dense(8, activaton=relu, kernel_initializer=he_normal) -> Dense(3, softmax)\n',
    code: 'NN2002',
    title: /'activation'/,
    expect: 'activation=relu',
  },
  {
    name: 'did-you-mean on a constant',
    source: 'units = 8\nInput(4) -> Dense(unit) -> Dense(3, softmax)\n',
    code: 'NN2010',
    title: /'units'/,
    expect: 'Dense(units)',
  },
  {
    name: 'did-you-mean on a layer',
    source: 'Input(4) -> Dnse(8) -> Dense(3, softmax)\n',
    code: 'NN2001',
    title: /'Dense'/,
  },
  {
    name: 'legacy lr',
    source: 'Input(4) -> Dense(3, softmax)\ncompile(Adam(lr=0.01), categorical_crossentropy)\n',
    code: 'NN2009',
    title: /learning_rate/,
    expect: 'Adam(learning_rate=0.01)',
  },
  {
    name: 'Keras prefix',
    source: 'Input(4) -> keras.layers.Dense(3, softmax)\n',
    code: 'NN1011',
    title: /Remove/,
    expect: 'Input(4) -> Dense(3, softmax)',
  },
  {
    name: 'missing input shape',
    source: 'model m {\n  Dense(8, relu, kernel_initializer=he_normal) -> Dense(3, softmax)\n}\n',
    code: 'NN3002',
    title: /Input\(shape=/,
    expect: 'Input(shape=(1,)) -> Dense(8',
  },
  {
    name: 'missing input shape, sized by inline weights',
    source: 'Dense(1, sigmoid, weights=[[[1], [1]], [-1]])\n',
    code: 'NN3002',
    title: /Input\(shape=\(2,\)\)/,
  },
  {
    name: 'loss that does not fit one unit',
    source: 'Input(4) -> Dense(1, sigmoid)\ncompile(adam, categorical_crossentropy)\n',
    code: 'NN4001',
    title: /binary_crossentropy/,
    expect: 'compile(adam, binary_crossentropy)',
  },
  {
    name: 'loss that does not fit one unit, with softmax',
    source:
      "Input(4) -> Dense(1, activation='softmax')\ncompile(adam, 'sparse_categorical_crossentropy')\n",
    code: 'NN4001',
    title: /sigmoid/,
    expect: "compile(adam, 'binary_crossentropy')",
  },
  {
    name: 'binary loss after softmax',
    source: 'Input(4) -> Dense(3, softmax)\ncompile(adam, binary_crossentropy)\n',
    code: 'NN4004',
    title: /categorical_crossentropy/,
  },
  {
    name: 'categorical loss after sigmoid',
    source: 'Input(4) -> Dense(3, sigmoid)\ncompile(adam, categorical_crossentropy)\n',
    code: 'NN4004',
    title: /softmax/,
    expect: 'Dense(3, softmax)',
  },
  {
    name: 'probabilities loss after a linear output',
    source: 'Input(4) -> Dense(3)\ncompile(adam, categorical_crossentropy)\n',
    code: 'NN4004',
    title: /softmax/,
    expect: "Dense(3, activation='softmax')",
  },
  {
    name: 'fit without compile',
    source: "model m {\n  Input(4) -> Dense(3, softmax)\n  fit(data='x.csv', target='y')\n}\n",
    code: 'NN4002',
    title: /compile/,
    expect: '  compile(adam, categorical_crossentropy)\n  fit(',
  },
  {
    name: 'He initializer for ReLU',
    source: 'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\n',
    code: 'NN5003',
    title: /he_normal/,
    expect: "Dense(8, relu, kernel_initializer='he_normal')",
  },
  {
    name: 'He initializer replaces a written Glorot',
    source: "Input(4) -> Dense(8, relu, kernel_initializer='glorot_normal') -> Dense(3, softmax)\n",
    code: 'NN5003',
    title: /he_normal/,
    expect: "Dense(8, relu, kernel_initializer='he_normal')",
  },
  {
    name: 'softmax on one unit',
    source: 'Input(4) -> Dense(1, softmax)\n',
    code: 'NN5006',
    title: /sigmoid/,
    expect: 'Dense(1, sigmoid)',
  },
  {
    name: 'vanishing gradients: every saturating hidden layer',
    source:
      "Input(4) -> Dense(8, sigmoid) -> Dense(8, activation='tanh') -> Dense(8, sigmoid) -> Dense(3, softmax)\n",
    code: 'NN5001',
    title: /relu/,
    expect: "Dense(8, relu) -> Dense(8, activation='relu') -> Dense(8, relu)",
  },
  {
    name: 'Dropout last',
    source:
      'model m {\n  Input(4)\n    -> Dense(8, relu, kernel_initializer=he_normal)\n    -> Dense(3, softmax)\n    -> Dropout(0.5)\n}\n',
    code: 'NN5005',
    title: /Move/,
    expect: '    -> Dropout(0.5)\n    -> Dense(3, softmax)\n}',
  },
  {
    name: 'stacked linear layers',
    source: 'Input(4) -> Dense(8) -> Dense(3, softmax)\n',
    code: 'NN5002',
    title: /relu/,
  },
  {
    name: "Keras's call form of a merge",
    source: 'x = Input(4)\nh = x -> Dense(4)\nz = Add()(h, x)\nz -> Dense(1)\n',
    code: 'NN2027',
    title: /\(h, x\) -> Add\(\)/,
    expect: 'z = (h, x) -> Add()\n',
  },
  {
    name: "Keras's call form of one layer",
    source: 'model m {\n  x = Input(4)\n  Dense(8, name="d")(x)\n}\n',
    code: 'NN2027',
    title: /x -> Dense/,
    expect: '  x -> Dense(8, name="d")\n',
  },
  {
    name: 'did-you-mean on a result',
    source: 'inputs = Input(4)\nhidden = input -> Dense(4)\nhidden -> Dense(1)\n',
    code: 'NN2025',
    title: /'inputs'/,
    expect: 'hidden = inputs -> Dense(4)',
  },
  {
    name: 'a layer with no input in a graph',
    source: 'model m {\n  x = Input(4)\n  h = x -> Dense(4)\n  Dense(1)\n}\n',
    code: 'NN2026',
    title: /Start the chain from 'h'/,
    expect: '  h -> Dense(1)\n',
  },
  {
    name: 'an unused result made an output',
    source: 'x = Input(4)\nh = x -> Dense(4)\nside = h -> Dense(2)\nh -> Dense(1)\n',
    code: 'NN2028',
    title: /Make 'side' an output/,
    expect: '\nh -> Dense(2)\n',
  },
];

describe('code actions', () => {
  const service = new LanguageService({
    onError: (e) => {
      throw e;
    },
  });
  for (const c of cases)
    it(`${c.code}: ${c.name}`, () => {
      const before = service.diagnostics(c.source);
      const diagnostic = before.find((d) => d.code === c.code);
      expect(diagnostic, JSON.stringify(before.map((d) => d.code))).toBeDefined();
      const actions = service.codeActions(c.source, diagnostic!);
      const action = actions.find((a) => a.diagnostic.code === c.code && c.title.test(a.title));
      expect(action, JSON.stringify(actions.map((a) => a.title))).toBeDefined();
      const fixed = applyEdits(c.source, action!.edits);
      if (c.expect) expect(fixed).toContain(c.expect);
      const after = check(fixed).diagnostics;
      expect(after.map((d) => d.code)).not.toContain(c.code);
      // The fix brings no new error.
      const errors = (ds: { code: string; severity: string }[]) =>
        ds.filter((d) => d.severity === 'error').map((d) => d.code);
      for (const code of errors(after)) expect(errors(before)).toContain(code);
    });

  it("offers no rewrite of Keras's call form after a chain, whose meaning is unclear", () => {
    const text = 'x = Input(4)\ny = Input(4)\nx -> Dense(8)(y)\n';
    const d = service.diagnostics(text).find((d) => d.code === 'NN2027')!;
    expect(d).toBeDefined();
    expect(service.codeActions(text, d).filter((a) => a.diagnostic.code === 'NN2027')).toEqual([]);
  });

  it('offers nothing where there is nothing to fix', () => {
    const text = 'Input(4) -> Dense(3, softmax)\n';
    expect(
      service.codeActions(text, {
        start: { line: 0, character: 0 },
        end: { line: 1, character: 0 },
      }),
    ).toEqual([]);
  });
});
