/**
 * Everything the catalog marks unsupported — optimizers, layers, callbacks, losses, activations,
 * regularizers — is a warning
 * for `nn check` (NN2015), and every command that runs the engine (`nn train`, `plan`, `predict`,
 * `evaluate`, the library's loadModel) refuses it with that same code before anything runs: no
 * epoch, no data read, no weights file.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, loadModel, ModelError } from 'nnlang';
import { catalog, type CatalogKind } from '../../src/catalog/index.js';
import { CliError } from '../../src/cli/engine.js';
import { runPlan } from '../../src/cli/plan.js';
import { runEvaluate, runPredict } from '../../src/cli/predict.js';
import { runTrain } from '../../src/cli/train.js';

const dir = mkdtempSync(join(tmpdir(), 'nn-refusals-'));
writeFileSync(join(dir, 'd.csv'), 'a,b,c,d,y\n1,2,3,4,0\n2,3,4,5,1\n');

const fit = "fit(data='d.csv', target='y', epochs=1)";
const dense = (optimizer: string, loss = 'mse', more = '') =>
  `Input(4) -> Dense(1, sigmoid)\ncompile(optimizer=${optimizer}, loss=${loss})\n${more || fit}\n`;

/**
 * A model that uses each unsupported layer validly (shapes that Keras accepts). Every layer of
 * the catalog runs today; an entry marked unsupported later needs its source here.
 */
const layerSources: Record<string, string> = {};
const callbackSources: Record<string, string> = {
  CSVLogger: "CSVLogger('log.csv')",
  LearningRateScheduler: 'LearningRateScheduler(0)',
  TensorBoard: 'TensorBoard()',
  BackupAndRestore: "BackupAndRestore('backup')",
  LambdaCallback: 'LambdaCallback()',
};

const unsupported = (kind: CatalogKind) =>
  catalog
    .entries(kind)
    .filter((e) => e.unsupported)
    .map((e) => e.name);

const cases: [string, string][] = [
  ...unsupported('optimizer').map((name): [string, string] => [name, dense(`${name}()`)]),
  ...unsupported('layer').map((name): [string, string] => [
    name,
    `${layerSources[name]}\ncompile(adam, mse)\n${fit}\n`,
  ]),
  ...unsupported('callback').map((name): [string, string] => [
    name,
    dense('adam', 'mse', `fit(data='d.csv', target='y', callbacks=[${callbackSources[name]}])`),
  ]),
  ...unsupported('loss').map((name): [string, string] => [name, dense('adam', `'${name}'`)]),
  ...unsupported('activation').map((name): [string, string] => [
    name,
    `Input(4) -> Dense(4, activation='${name}') -> Dense(1)\ncompile(adam, mse)\n${fit}\n`,
  ]),
  ...unsupported('regularizer').map((name): [string, string] => [
    name,
    `Input(4) -> Dense(4, 'relu', kernel_initializer='he_normal', kernel_regularizer=${name}()) -> Dense(1)\ncompile(adam, mse)\n${fit}\n`,
  ]),
];

describe('what the engine cannot run is refused before anything runs, with NN2015', () => {
  it('covers every unsupported entry of the catalog that a model can use', () => {
    expect(cases.map(([name]) => name)).toEqual(
      expect.arrayContaining(['Ftrl', 'Lion', 'Lamb', 'Adafactor', 'Muon', 'CSVLogger']),
    );
    for (const [name, source] of cases) expect(source, name).not.toContain('undefined');
  });

  it.each(cases)('%s', (name, source) => {
    const codes = check(source).diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes, name).toEqual(['warning NN2015']);
    expect(() => loadModel(source, { file: 'm.nn' })).toThrow(ModelError);
    expect(() => loadModel(source, { file: 'm.nn' })).toThrow(/^m\.nn:\d+:\d+ NN2015 /);

    const file = join(dir, `${name}.nn`);
    writeFileSync(file, source);
    const out = join(dir, `${name}.nnw`);
    const commands: [string, (err: (s: string) => void) => unknown][] = [
      ['train', (err) => runTrain(file, { out }, { write: () => true }, err)],
      ['plan', (err) => runPlan(file, { training: true }, () => undefined, err)],
      ['predict', (err) => runPredict(file, { weights: out }, () => undefined, err)],
      ['evaluate', (err) => runEvaluate(file, { weights: out }, () => undefined, err)],
    ];
    for (const [command, run] of commands) {
      const err: string[] = [];
      expect(() => run((s) => err.push(s)), command).toThrow(CliError);
      expect(err.join('\n'), command).toMatch(/ - warning NN2015: /);
    }
    expect(existsSync(out)).toBe(false);
  });
});
