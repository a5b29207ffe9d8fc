/**
 * Our engine against an independent implementation, TF.js (pure-JS 'cpu' backend), as issue 3
 * asks: for every case of cases.ts both engines get the same initial weights and batches, and
 * the forward outputs, evaluate() before and after training, every step's loss and all
 * weights after the steps (moving statistics included) agree within tolerance.ts's 1e-5
 * relative. Where TF.js departs from Keras 3 the TF.js side runs Keras 3's formula instead
 * (float64 optimizer updates on TF.js gradients, activations and losses written with TF.js
 * ops), and the test name says which. Every case runs on each backend of backends.ts. Set
 * CONFORMANCE_REPORT=1 to print the largest errors.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { loadModel, type Backend, type Model } from 'nnlang';
import { Rng } from '../../src/kernels/random.js';
import { casesFor, testBackends } from './backends.js';
import { CASES } from './cases.js';
import { initialWeights, joinBatches, makeBatches, type Batch } from './random-data.js';
import { modelSummary, nnSource, renderCall, type ConformanceCase } from './spec.js';
import { lossEntry, type LossEntry } from './tfjs-losses.js';
import {
  buildTfjsModel,
  hasConstraints,
  layerFormulas,
  setTfjsWeights,
  tfjsWeights,
} from './tfjs-model.js';
import { optimizerDeparture, tfjsOptimizer } from './tfjs-optimizer.js';
import { checkFitEpoch, tfjsFitEpoch } from './fit-both.js';
import {
  evaluateMasked,
  MASKED_LOSS_FORMULA,
  maskedOutput,
  trainMaskedStep,
} from './tfjs-masked-loss.js';
import { Comparisons, describeByGroup, ErrorLog } from './tolerance.js';

const log = new ErrorLog();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  if (process.env['CONFORMANCE_REPORT']) console.log(log.lines().join('\n'));
});

/** Every Keras 3 formula a case relies on (empty: TF.js end to end). */
function formulasOf(c: ConformanceCase): string[] {
  const loss = lossEntry(c.loss).formula;
  const optimizer = optimizerDeparture(c.optimizer, hasConstraints(c));
  const masked = maskedOutput(c) ? [MASKED_LOSS_FORMULA] : [];
  return [
    ...layerFormulas(c),
    ...(loss ? [loss] : []),
    ...masked,
    ...(optimizer ? [optimizer] : []),
  ];
}

function caseName(c: ConformanceCase): string {
  const formulas = formulasOf(c);
  const training =
    c.steps === 0
      ? 'no training'
      : `${c.steps} ${c.viaFit ? 'fit batches' : 'steps'} × ${c.batchSize}`;
  const against = formulas.length ? `vs Keras 3 formula: ${formulas.join('; ')}` : 'vs TF.js';
  return `${c.label} — ${modelSummary(c)} · ${renderCall(lossEntry(c.loss).keras)} · ${renderCall(c.optimizer)} · ${training} [${against}]`;
}

/** Tensors for TF.js: inputs [rows, inputs] and targets [rows, units] (class indices: [rows, 1]). */
function tensorsOf(b: Batch, c: ConformanceCase): [tf.Tensor2D, tf.Tensor2D] {
  const cols = b.yTfjs.length / b.rows;
  return [tf.tensor2d(b.x, [b.rows, c.inputs]), tf.tensor2d(b.yTfjs, [b.rows, cols])];
}

/** Keras 3's evaluate on the TF.js model: TF.js's loss plus the regularization losses it omits. */
function kerasEvaluate(model: tf.LayersModel, b: Batch, c: ConformanceCase): number {
  const [x, y] = tensorsOf(b, c);
  if (maskedOutput(c)) {
    const value = evaluateMasked(model, lossEntry(c.loss), x, y);
    tf.dispose([x, y]);
    return value;
  }
  const loss = model.evaluate(x, y, { batchSize: b.rows }) as tf.Scalar;
  const penalties = model.calculateLosses();
  const total = loss.dataSync()[0]! + penalties.reduce((s, p) => s + p.dataSync()[0]!, 0);
  tf.dispose([x, y, loss, ...penalties]);
  return total;
}

function tfjsPredict(model: tf.LayersModel, b: Batch, c: ConformanceCase): Float32Array {
  return tf.tidy(
    () =>
      (model.predict(tf.tensor2d(b.x, [b.rows, c.inputs])) as tf.Tensor).dataSync() as Float32Array,
  );
}

/**
 * What TF.js answers for a case: the same for every backend of ours (the same weights and
 * batches from the case's seed), so it is computed once and each backend's run is compared
 * with it, as it was compared with a fresh TF.js model.
 */
interface Reference {
  forward: Float32Array;
  before: number;
  /** Each step's loss, or the fit epoch's. */
  losses: number[];
  weights: Float32Array[];
  after: number;
}
const references = new Map<ConformanceCase, Promise<Reference>>();

/** The case's TF.js model with `weights`: predicts, evaluates, trains (or fits), evaluates. */
async function tfjsReference(
  c: ConformanceCase,
  weights: Float32Array[],
  shapes: number[][],
  batches: Batch[],
): Promise<Reference> {
  const entry = lossEntry(c.loss);
  const { model, constraints } = buildTfjsModel(c);
  const { optimizer } = tfjsOptimizer(c.optimizer, constraints);
  try {
    setTfjsWeights(model, weights, shapes);
    model.compile({ optimizer, loss: entry.tfjs });
    const all = joinBatches(batches);
    // Copies: the reference outlives the tensors whose data these are.
    const forward = Float32Array.from(tfjsPredict(model, all, c));
    const before = kerasEvaluate(model, all, c);
    if (c.steps === 0) return { forward, before, losses: [], weights: [], after: NaN };
    const losses: number[] = [];
    if (c.viaFit) {
      const [x, y] = tensorsOf(all, c);
      losses.push(...(await tfjsFitEpoch(c.batchSize, { model, x, y })));
    } else {
      for (const b of batches) {
        const [x, y] = tensorsOf(b, c);
        losses.push(
          maskedOutput(c)
            ? trainMaskedStep(model, entry, x, y)
            : ((await model.trainOnBatch(x, y)) as number),
        );
        tf.dispose([x, y]);
      }
    }
    const trained = tfjsWeights(model).map((w) => Float32Array.from(w));
    return { forward, before, losses, weights: trained, after: kerasEvaluate(model, all, c) };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function runCase(c: ConformanceCase, backend: Backend): Promise<string[]> {
  const entry: LossEntry = lossEntry(c.loss);
  const ours = loadModel(nnSource(c, entry.keras), { seed: c.seed, backend });
  const specs = ours.weightSpecs();
  const rng = new Rng(c.seed);
  const weights = initialWeights(specs, rng);
  ours.setWeights(weights);
  const cmp = new Comparisons(log, c.group, c.label);
  const outShape = ours.outputShape!.slice(1) as number[];
  const units = outShape.reduce((a, b) => a * b, 1);
  const batches = makeBatches(rng, {
    steps: c.steps,
    rows: c.batchSize,
    inputs: c.inputs,
    units,
    // A per-step output: targets drawn per step (one-hot per step, not per sample).
    rowsPerSample: units / outShape.at(-1)!,
    kind: entry.targets,
    oneHotForTfjs: entry.tfjsOneHot === true,
    ...(c.tokens ? { tokens: c.tokens } : {}),
  });
  let reference = references.get(c);
  if (!reference) {
    const shapes = specs.map((s) => s.shape);
    reference = tfjsReference(c, weights, shapes, batches);
    references.set(c, reference);
  }
  const theirs = await reference;
  const all = joinBatches(batches);
  const evaluate = (when: string, value: number) =>
    cmp.check(
      'evaluate',
      when,
      [ours.evaluate(all.x, all.y, { batchSize: all.rows }) as number],
      [value],
    );
  cmp.check('forward', 'before training', ours.predict(all.x), theirs.forward);
  evaluate('before training', theirs.before);
  if (c.steps > 0) {
    if (c.viaFit) {
      checkFitEpoch(cmp, c.batchSize, { model: ours, x: all.x, y: all.y }, theirs.losses);
    } else {
      for (const [step, b] of batches.entries()) {
        const loss = ours.trainOnBatch(b.x, b.y);
        cmp.check('loss', `at step ${step + 1}`, [loss], [theirs.losses[step]!]);
      }
    }
    cmp.weightsAfterTraining(specs, weights, ours.getWeights(), theirs.weights);
    evaluate('after training', theirs.after);
  }
  return cmp.failures;
}

for (const b of testBackends()) {
  const cases = casesFor(b, CASES);
  if (cases.length === 0) continue;
  describeByGroup(
    `conformance with TF.js (and Keras 3 formulas where TF.js departs) on the ${b.name} backend`,
    cases,
    caseName,
    (c) => runCase(c, b.backend),
  );
}
