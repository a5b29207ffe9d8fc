/** Signature help at cursor positions marked `¦`: the callee's signature and active parameter. */
import { describe, expect, it } from 'vitest';
import { LanguageService } from '../../src/service/index.js';
import { cursor } from './cursor.js';

const cases: { source: string; label: string; active: string | null }[] = [
  { source: 'Input(4) -> Dense(¦', label: 'Dense(units, activation=None', active: 'units' },
  { source: 'Input(4) -> Dense(8, ¦)', label: 'Dense(', active: 'activation' },
  { source: 'Input(4) -> Dense(8, relu, use_bias=¦', label: 'Dense(', active: 'use_bias' },
  {
    source: 'Input(4) -> Dense(8, kernel_initializer=HeNormal(¦)',
    label: 'HeNormal(seed=None',
    active: 'seed',
  },
  {
    source: 'Input(4) -> Dense(8, kernel_initializer=HeNormal(), ¦)',
    label: 'Dense(',
    active: null,
  },
  { source: 'Input(4) -> Dense(3)\ncompile(adam, ¦', label: 'compile(optimizer=', active: 'loss' },
  {
    source: 'Input(4) -> Dense(3)\ncompile(Adam(lr=¦',
    label: 'Adam(learning_rate=',
    active: 'learning_rate',
  },
  {
    source: 'Input(4) -> Dense(3)\nfit(callbacks=[EarlyStopping(patience=3), ModelCheckpoint(¦)])',
    label: 'ModelCheckpoint(filepath',
    active: 'filepath',
  },
  {
    source: 'Input(4) -> Dense(3)\nfit(epochs=3,\n    batch_size=¦\n)',
    label: 'fit(',
    active: 'batch_size',
  },
  { source: 'Input(shape=(4, ¦))', label: 'Input(', active: 'shape' },
];

describe('signature help', () => {
  const service = new LanguageService({
    onError: (e) => {
      throw e;
    },
  });
  for (const c of cases)
    it(c.source.replace(/\n/g, '⏎'), () => {
      const { text, position } = cursor(c.source);
      const help = service.signatureHelp(text, position);
      expect(help?.label.startsWith(c.label), help?.label).toBe(true);
      const active =
        help!.activeParameter < 0 ? null : help!.parameters[help!.activeParameter]!.name;
      // After a keyword argument, the next one has no position: only a keyword could name it.
      if (c.active === null) expect(active === null || active === 'activation').toBe(true);
      else expect(active).toBe(c.active);
      for (const p of help!.parameters) expect(help!.label.slice(...p.label)).toContain(p.name);
    });

  it('has none outside a call', () => {
    for (const s of ['Input(4) -> ¦', 'Dense(3) ¦', '# Dense(¦']) {
      const { text, position } = cursor(s);
      expect(service.signatureHelp(text, position)).toBeNull();
    }
  });
});
