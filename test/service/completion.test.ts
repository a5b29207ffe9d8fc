/** Completion at cursor positions marked `¦`: labels that must and must not be offered. */
import { describe, expect, it } from 'vitest';
import { LanguageService } from '../../src/service/index.js';
import { cursor } from './cursor.js';

const cases: { name: string; source: string; has: string[]; not?: string[]; none?: boolean }[] = [
  {
    name: 'layers after ->',
    source: 'Input(4) -> ¦',
    has: ['Dense', 'Dropout'],
    not: ['Input', 'relu', 'compile'],
  },
  { name: 'layers after -> on the next line', source: 'Input(4)\n  -> D¦', has: ['Dense'] },
  {
    name: 'a statement start',
    source: 'x = 3\n¦',
    has: ['Input', 'Dense', 'compile', 'fit', 'model', 'x'],
  },
  {
    name: 'a statement start in a block',
    source: 'model m {\n  Input(4) -> Dense(3)\n  co¦\n}',
    has: ['compile', 'Dense'],
    not: ['model'],
  },
  {
    name: 'keywords and values of the second positional',
    source: 'Input(4) -> Dense(8, ¦)',
    has: ['activation=', 'use_bias=', 'relu', 'None'],
    not: ['units='],
  },
  {
    name: 'keywords minus the given ones',
    source: 'Input(4) -> Dense(8, use_bias=False, ¦)',
    has: ['activation='],
    not: ['units=', 'use_bias=', 'relu'],
  },
  {
    name: 'a keyword half typed',
    source: 'Input(4) -> Dense(8, kern¦',
    has: ['kernel_initializer='],
  },
  {
    name: 'after a keyword: initializers',
    source: 'Input(4) -> Dense(8, kernel_initializer=¦)',
    has: ['he_normal', 'HeNormal', 'glorot_uniform'],
    not: ['relu', 'adam'],
  },
  {
    name: 'after a keyword: half typed',
    source: 'Input(4) -> Dense(8, activation=re¦',
    has: ['relu', 'None'],
  },
  {
    name: 'inside a string: activations',
    source: "Input(4) -> Dense(8, activation='re¦')",
    has: ['relu', 'sigmoid'],
    not: ["'relu'", 'None'],
  },
  {
    name: 'inside an unterminated string',
    source: "Input(4) -> Dense(8, activation='¦",
    has: ['relu'],
  },
  {
    name: 'compile: optimizers first',
    source: 'Input(4) -> Dense(3)\ncompile(¦',
    has: ['optimizer=', 'loss=', 'adam', 'Adam'],
  },
  {
    name: 'compile: losses second',
    source: 'Input(4) -> Dense(3)\ncompile(adam, ¦',
    has: ['categorical_crossentropy', 'mse'],
    not: ['adam', 'optimizer='],
  },
  {
    name: 'metrics in a list',
    source: 'Input(4) -> Dense(3)\ncompile(adam, mse, metrics=[¦])',
    has: ['accuracy', 'mae'],
  },
  {
    name: 'metric names in a string of the list',
    source: "Input(4) -> Dense(3)\ncompile(adam, mse, metrics=['acc', '¦'])",
    has: ['accuracy'],
  },
  {
    name: 'callbacks in a list',
    source: 'Input(4) -> Dense(3)\nfit(callbacks=[Early¦',
    has: ['EarlyStopping'],
  },
  {
    name: 'a nested call: the optimizer',
    source: 'Input(4) -> Dense(3)\ncompile(Adam(¦',
    has: ['learning_rate=', 'beta_1='],
    not: ['units='],
  },
  {
    name: 'a nested call: a schedule',
    source: 'Input(4) -> Dense(3)\ncompile(Adam(learning_rate=¦',
    has: ['ExponentialDecay'],
  },
  {
    name: 'enum values',
    source: 'Input(4) -> Dense(3)\nfit(callbacks=[EarlyStopping(mode=¦)])',
    has: ["'min'", "'max'", "'auto'"],
  },
  {
    name: 'named constants in arguments',
    source: 'units = 8\nInput(4) -> Dense(¦',
    has: ['units', 'units='],
  },
  {
    name: "a model's constants stay in it",
    source: 'model a {\n  n = 3\n}\nmodel b {\n  Input(4) -> Dense(¦\n}',
    has: ['units='],
    not: ['n'],
  },
  {
    name: "a graph's results at a chain's head, named above only",
    source: 'model g {\n  x = Input(4)\n  h = x -> Dense(8)\n  ¦\n  late = h -> Dense(2)\n}',
    has: ['x', 'h', 'Input', 'Dense', 'compile'],
    not: ['late'],
  },
  {
    name: 'results stay in their model',
    source: 'model a {\n  x = Input(4)\n  x -> Dense(1)\n}\nmodel b {\n  y = Input(4)\n  ¦\n}',
    has: ['y'],
    not: ['x'],
  },
  {
    name: 'results and Input after =',
    source: 'x = Input(4)\nh = ¦',
    has: ['x', 'Input'],
    not: ['h', 'Dense'],
  },
  {
    name: 'results in a tuple',
    source: 'x = Input(4)\nh = x -> Dense(4)\n(h, ¦',
    has: ['x', 'h'],
  },
  {
    name: 'merge layers after a tuple',
    source: 'x = Input(4)\nh = x -> Dense(4)\n(h, x) -> ¦',
    has: ['Add', 'Concatenate', 'Multiply'],
    not: ['Dense', 'Input', 'x'],
  },
  {
    name: 'every layer after a call, not a tuple',
    source: 'x = Input(4)\nx -> Dense(4) -> ¦',
    has: ['Dense', 'Add'],
  },
  { name: 'nothing in a comment', source: 'Input(4) -> Dense(3)  # De¦', has: [], none: true },
  { name: 'nothing after model', source: 'model ¦', has: [], none: true },
  { name: 'nothing inside a number', source: 'Input(4) -> Dense(12¦3)', has: [], none: true },
];

describe('completion', () => {
  const service = new LanguageService({
    onError: (e) => {
      throw e;
    },
  });
  for (const c of cases)
    it(c.name, () => {
      const { text, position } = cursor(c.source);
      const labels = service.completions(text, position).map((i) => i.label);
      for (const l of c.has) expect(labels, l).toContain(l);
      for (const l of c.not ?? []) expect(labels, l).not.toContain(l);
      if (c.none) expect(labels).toEqual([]);
    });

  it('snippets for required arguments, and the word being typed as the replace range', () => {
    const { text, position } = cursor('Input(4) -> Den¦');
    const dense = service.completions(text, position).find((i) => i.label === 'Dense')!;
    expect(dense).toMatchObject({ insertText: 'Dense(${1:units})', snippet: true, kind: 'layer' });
    expect(dense.range).toEqual({
      start: { line: 0, character: 12 },
      end: { line: 0, character: 15 },
    });
    const conv = service.completions(text, position).find((i) => i.label === 'Conv2D')!;
    expect(conv.insertText).toBe('Conv2D(${1:filters}, ${2:kernel_size})');
  });

  it('inside a string, the replace range is the string content', () => {
    const { text, position } = cursor("Input(4) -> Dense(8, activation='re¦lu')");
    const relu = service.completions(text, position).find((i) => i.label === 'relu')!;
    expect(relu.insertText).toBe('relu');
    expect(relu.range).toEqual({
      start: { line: 0, character: 33 },
      end: { line: 0, character: 37 },
    });
  });

  it("a result's shape beside it, merge layers last after one input", () => {
    const { text, position } = cursor('x = Input(4)\nh = x -> Dense(8)\nh -> ¦');
    const items = service.completions(text, position);
    const labels = items.map((i) => i.label);
    expect(labels.indexOf('Add')).toBeGreaterThan(labels.indexOf('Dropout'));
    const at = cursor('x = Input(4)\nh = x -> Dense(8)\n¦').position;
    const h = service.completions(text.replace('h -> ', ''), at).find((i) => i.label === 'h');
    expect(h).toMatchObject({ kind: 'result', detail: '(None, 8)', insertText: 'h' });
  });

  it('metrics outside a list come wrapped in one', () => {
    const { text, position } = cursor('Input(4) -> Dense(3)\ncompile(adam, mse, metrics=¦');
    const acc = service.completions(text, position).find((i) => i.label === 'accuracy')!;
    expect(acc.insertText).toBe("['accuracy']");
  });
});
