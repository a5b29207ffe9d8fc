/** Hover at cursor positions marked `¦`: words the hover must say. */
import { describe, expect, it } from 'vitest';
import { LanguageService } from '../../src/service/index.js';
import { cursor } from './cursor.js';

const iris = `units = 8
model iris {
  Input(4)
    -> Dense(units, relu, kernel_initializer='he_normal')
    -> Dense(3, softmax)
  compile(Adam(lr=0.01), categorical_crossentropy, metrics=['accuracy'])
}
`;

/** `¦` marks the cursor in a copy of `iris`: at the first occurrence of `before`, after it. */
function at(before: string, offset = 1): string {
  const i = iris.indexOf(before);
  if (i < 0) throw new Error(before);
  return iris.slice(0, i + offset) + '¦' + iris.slice(i + offset);
}

const cases: { name: string; source: string; says: string[] }[] = [
  {
    name: 'a layer: signature, doc, shape, parameters and bytes',
    source: at('Dense(units'),
    says: [
      'Dense(units, activation=None',
      'fully connected',
      'output (None, 8)',
      '40 parameters (160.00 B)',
    ],
  },
  { name: 'the last layer', source: at('Dense(3'), says: ['output (None, 3)', '27 parameters'] },
  {
    name: 'a bare activation',
    source: at('relu,'),
    says: ['relu(', 'activation', 'Rectified linear unit', 'Defaults'],
  },
  {
    name: 'an initializer in a string',
    source: at("'he_normal'", 2),
    says: ['HeNormal', 'initializer'],
  },
  {
    name: 'an optimizer call',
    source: at('Adam('),
    says: ['Adam(learning_rate=0.001', 'optimizer'],
  },
  { name: 'a legacy keyword', source: at('lr='), says: ['learning_rate', 'Step size'] },
  {
    name: 'a loss',
    source: at('categorical_crossentropy'),
    says: ['categorical_crossentropy(', 'loss', 'one-hot'],
  },
  { name: 'a metric in a list', source: at("'accuracy'", 2), says: ['metric'] },
  {
    name: 'a keyword argument',
    source: at('kernel_initializer'),
    says: ['Dense(kernel_initializer=…)', 'initializer', "default 'glorot_uniform'"],
  },
  {
    name: 'a named constant where it is used',
    source: at('units,'),
    says: ['units = 8', 'constant'],
  },
  { name: 'a named constant where it is defined', source: at('units = '), says: ['units = 8'] },
  {
    name: 'a model',
    source: at('iris {'),
    says: ['model iris', '2 layers', 'input (None, 4)', '67 parameters'],
  },
  {
    name: 'a positional value: its parameter',
    source: at('3,'),
    says: ['Dense(units=…)', 'int, required'],
  },
  { name: 'a string value: its parameter', source: "fit(data='x¦.csv')\n", says: ['fit(data=…)'] },
  { name: 'compile', source: at('compile'), says: ['compile(optimizer='] },
  { name: 'a layer without an input shape', source: 'Dense(8¦)\n', says: [] },
];

describe('hover', () => {
  const service = new LanguageService({
    onError: (e) => {
      throw e;
    },
  });
  for (const c of cases)
    it(c.name, () => {
      const { text, position } = cursor(c.source);
      const h = service.hover(text, position);
      for (const s of c.says) expect(h?.contents).toContain(s);
    });

  it('covers the word under the cursor', () => {
    const { text, position } = cursor(at('Dense(3', 2));
    expect(service.hover(text, position)?.range).toEqual({
      start: { line: 4, character: 7 },
      end: { line: 4, character: 12 },
    });
  });

  it('says nothing on punctuation, numbers of no name, comments and blank space', () => {
    for (const s of ['Input(4) -¦> Dense(3)', 'Input(4) -> Dense(3)   ¦ ', '# De¦nse\n', '¦']) {
      const { text, position } = cursor(s);
      expect(service.hover(text, position)).toBeNull();
    }
  });

  it('says a layer has no shape yet when the model has no input', () => {
    const { text, position } = cursor('D¦ense(8)\n');
    expect(service.hover(text, position)?.contents).toContain('unknown until the input shape is');
  });
});
