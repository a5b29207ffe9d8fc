/**
 * Graph models (Keras's functional API) against TF.js's tf.model(), as tfjs.test.ts does for
 * chains: for every case of graph-cases.ts both engines get the same initial weights and
 * batches, and the forward outputs, evaluate() before and after training, every step's loss
 * and all weights after the steps agree within tolerance.ts's 1e-5 relative. The TF.js model
 * is built from the case's statements (graph-tfjs.ts), not from our checker's graph, and
 * weights are matched by Keras's layer names, so a wrongly wired graph or a getWeights()
 * order other than Keras's fails. Where TF.js departs from Keras 3 the TF.js side runs Keras
 * 3's formula and the test name says which. CONFORMANCE_REPORT=1 prints the largest errors.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Backend, type Model } from 'nnlang';
import { casesFor, testBackends } from './backends.js';
import { compile } from '../../src/compiler.js';
import { Rng } from '../../src/kernels/random.js';
import { HAND_CASES, RANDOM_CASES } from './graph-cases.js';
import { graphSource, graphSummary, outputLosses, sizeOf, type GraphCase } from './graph-spec.js';
import {
  buildTfjsGraph,
  FROM_LOGITS,
  sequentialLike,
  tfjsSummaryRows,
  tfjsVariables,
  weightedLayers,
} from './graph-tfjs.js';
import { initialWeights, joinBatches, makeBatches, type Batch } from './random-data.js';
import { renderCall } from './spec.js';
import { lossEntry, type LossFn } from './tfjs-losses.js';
import { optimizerDeparture, tfjsOptimizer } from './tfjs-optimizer.js';
import { checkFitEpoch, tfjsFitEpoch } from './fit-both.js';
import { Comparisons, describeByGroup, ErrorLog } from './tolerance.js';

const CASES = [...HAND_CASES, ...RANDOM_CASES];
/** fit()'s batch size: the cases' data (3 × 6 rows) then ends with a smaller batch. */
const FIT_BATCH = 4;
const log = new ErrorLog();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  if (process.env['CONFORMANCE_REPORT']) console.log(log.lines().join('\n'));
});

const LOSS_WEIGHTS_FORMULA =
  'loss_weights, which TF.js ignores: Keras 3’s Σ weight·loss, each output’s loss reported unweighted';

function caseName(c: GraphCase): string {
  const entries = entriesOf(c);
  const formulas = [
    ...buildFormulas(c),
    ...entries.flatMap((e) => (e.formula ? [e.formula] : [])),
    ...[optimizerDeparture(c.optimizer, false)].filter((f): f is string => f !== null),
  ];
  if (c.lossWeights) formulas.push(LOSS_WEIGHTS_FORMULA);
  const against = formulas.length ? `vs Keras 3 formula: ${formulas.join('; ')}` : 'vs TF.js';
  const training = c.viaFit
    ? `fit on ${c.steps * c.batchSize} rows in batches of ${FIT_BATCH}`
    : `${c.steps} steps × ${c.batchSize}`;
  const losses = entries.map((e) => renderCall(e.keras)).join(', ');
  const weights = c.lossWeights ? ` weighted ${c.lossWeights.join(', ')}` : '';
  return `${c.label} — ${graphSummary(c)} · ${losses}${weights} · ${renderCall(c.optimizer)} · ${training} [${against}]`;
}

/** The layer formulas of a case's TF.js model (built and disposed: names only). */
function buildFormulas(c: GraphCase): string[] {
  const { model, formulas } = buildTfjsGraph(c, { logits: true });
  model.dispose();
  return formulas;
}

/**
 * The source's errors and warnings, but for the lectures' design advice (NN5xxx, such as
 * tanh in deep networks), which random graphs draw freely: an unused result, an unreachable
 * input or any graph mistake is a problem.
 */
function problems(source: string): string[] {
  return compile(source)
    .diagnostics.filter(
      (d) => (d.severity === 'error' || d.severity === 'warning') && !d.code.startsWith('NN5'),
    )
    .map((d) => `${d.code} ${d.message}`);
}

/** Each input's columns of a batch's x (inputs side by side, in input order). */
function splitInputs(b: Batch, sizes: readonly number[]): Float32Array[] {
  const cols = sizes.reduce((a, s) => a + s, 0);
  let offset = 0;
  return sizes.map((size) => {
    const part = new Float32Array(b.rows * size);
    for (let r = 0; r < b.rows; r++)
      part.set(b.x.subarray(r * cols + offset, r * cols + offset + size), r * size);
    offset += size;
    return part;
  });
}

/** A case's data, as each engine takes it: the inputs' columns and each output's targets. */
class Data {
  readonly parts: Float32Array[];
  constructor(
    /** x (all inputs side by side) and the first output's targets. */
    readonly batch: Batch,
    /** Each output's targets (ours, and TF.js's one-hot where the loss needs it). */
    readonly ys: Batch[],
    private readonly c: GraphCase,
  ) {
    this.parts = splitInputs(batch, c.inputs.map(sizeOf));
  }

  /** Ours: one array, or one per input (Keras's list). */
  ours(): Float32Array | Float32Array[] {
    return this.parts.length === 1 ? this.parts[0]! : this.parts;
  }

  /** Our targets: one array, or one per output. */
  oursY(): Float32Array | Float32Array[] {
    return this.ys.length === 1 ? this.ys[0]!.y : this.ys.map((b) => b.y);
  }

  /** TF.js's input tensors and targets, one per output (the caller disposes them). */
  tensors(): { x: tf.Tensor[]; y: tf.Tensor[] } {
    const rows = this.batch.rows;
    const x = this.parts.map((p, k) => tf.tensor(p, [rows, ...this.c.inputs[k]!.shape]));
    const y = this.ys.map((b) => tf.tensor2d(b.yTfjs, [rows, b.yTfjs.length / rows]));
    return { x, y };
  }
}

/** TF.js's targets argument: a tensor for one output, a list for several. */
const targetsArg = (y: tf.Tensor[]) => (y.length === 1 ? y[0]! : y);

/** A tfjs-layers loss name as its function: TF.js takes no list mixing names and functions. */
const lossFn = (l: string | LossFn): LossFn => {
  if (typeof l !== 'string') return l;
  const fn = (tf.metrics as unknown as Record<string, LossFn | undefined>)[l];
  if (!fn) throw new Error(`no tf.metrics.${l}`);
  return fn;
};

/** Each case's loss entry per output. */
const entriesOf = (c: GraphCase) => outputLosses(c).map(lossEntry);

/**
 * What TF.js answers for a case: the same for every backend of ours (the same weights and
 * batches from the case's seed), so it is computed once, with the batches it drew, and each
 * backend's run is compared with it as it was compared with a fresh TF.js model.
 */
interface Reference {
  /** TF.js's layers with weights, in its (Keras's) order. */
  layers: string[];
  /** Each output's batches: x with the first output's targets, then each output's targets. */
  perOutput: Batch[][];
  /** Each output's prediction before training (its activation applied). */
  forward: Float32Array[];
  /** evaluate()'s values before and after training, as TF.js returns them. */
  before: number[];
  after: number[];
  /** Each step's loss, or the fit epoch's. */
  losses: number[];
  weights: Float32Array[];
}
const references = new Map<GraphCase, Promise<Reference>>();

/** The loss weight of output k (1 without loss_weights). */
const weightOf = (c: GraphCase, k: number) => c.lossWeights?.[k] ?? 1;

/** The case's TF.js model with `weights`: predicts, evaluates, trains (or fits), evaluates. */
async function tfjsReference(
  c: GraphCase,
  specs: ReturnType<Model['weightSpecs']>,
  weights: Float32Array[],
  rng: Rng,
): Promise<Reference> {
  const entries = entriesOf(c);
  const { model, outputActivations } = buildTfjsGraph(c, { logits: true });
  const tfjsLosses = outputLosses(c).map((key, k) => {
    const fn = outputActivations[k] ? lossEntry(FROM_LOGITS[key]!.loss).tfjs : lossEntry(key).tfjs;
    if (!c.lossWeights) return fn;
    // TF.js ignores lossWeights: Keras 3's weight·loss, inside each output's loss.
    return (y: tf.Tensor, p: tf.Tensor) => tf.mul(lossFn(fn)(y, p), weightOf(c, k));
  });
  const { optimizer } = tfjsOptimizer(c.optimizer, new Map());
  try {
    const variables = tfjsVariables(model, specs);
    variables.forEach((v, i) => {
      const t = tf.tensor(weights[i]!, specs[i]!.shape);
      v.write(t);
      t.dispose();
    });
    model.compile({
      optimizer,
      loss: tfjsLosses.length === 1 ? tfjsLosses[0]! : tfjsLosses.map(lossFn),
    });
    // x with the first output's targets, then each further output's targets alone.
    const perOutput = entries.map((entry, k) =>
      makeBatches(rng, {
        steps: c.steps,
        rows: c.batchSize,
        inputs: k === 0 ? c.inputs.reduce((n, i) => n + sizeOf(i), 0) : 0,
        units: (model.outputs[k]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1),
        kind: entry.targets,
        oneHotForTfjs: entry.tfjsOneHot === true,
      }),
    );
    const { batches, all } = dataOf(c, perOutput);
    const evaluate = () => {
      const { x, y } = all.tensors();
      // Batches of the case's size: each input is sliced per batch.
      const theirs = [model.evaluate(x, targetsArg(y), { batchSize: c.batchSize })].flat();
      const values = theirs.map((t) => t.dataSync()[0]!);
      tf.dispose([...x, ...y, ...theirs]);
      return values;
    };
    const { x } = all.tensors();
    const predicted = tf.tidy(() =>
      [model.predict(x)].flat().map((y, k) => {
        if (outputActivations[k] === 'sigmoid') return tf.sigmoid(y);
        return outputActivations[k] === 'softmax' ? tf.softmax(y) : y;
      }),
    );
    // Copies: the reference outlives the tensors whose data these are.
    const forward = predicted.map((p) => Float32Array.from(p.dataSync()));
    tf.dispose([...x, ...predicted]);
    const before = evaluate();
    const losses: number[] = [];
    if (c.viaFit) {
      const { x, y } = all.tensors();
      losses.push(...(await tfjsFitEpoch(FIT_BATCH, { model, x, y: targetsArg(y) })));
    } else {
      for (const b of batches) {
        const { x, y } = b.tensors();
        // TF.js returns the total, then each output's loss, for several outputs.
        losses.push([await model.trainOnBatch(x, targetsArg(y))].flat()[0]!);
        tf.dispose([...x, ...y]);
      }
    }
    return {
      layers: weightedLayers(model),
      perOutput,
      forward,
      before,
      after: evaluate(),
      losses,
      weights: variables.map((v) => Float32Array.from(v.read().dataSync())),
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/** The steps' batches and all of them joined, as both engines take them. */
function dataOf(c: GraphCase, perOutput: Batch[][]): { batches: Data[]; all: Data } {
  const batches = perOutput[0]!.map(
    (b, i) =>
      new Data(
        b,
        perOutput.map((o) => o[i]!),
        c,
      ),
  );
  return { batches, all: new Data(joinBatches(perOutput[0]!), perOutput.map(joinBatches), c) };
}

async function runCase(c: GraphCase, backend: Backend): Promise<string[]> {
  const source = graphSource(c, (key) => lossEntry(key).keras);
  const found = problems(source);
  if (found.length) return [`the source does not check cleanly:\n${source}\n${found.join('\n')}`];
  const ours: Model = loadModel(source, { seed: c.seed, backend });
  const specs = ours.weightSpecs();
  const rng = new Rng(c.seed);
  const weights = initialWeights(specs, rng);
  ours.setWeights(weights);
  let reference = references.get(c);
  if (!reference) {
    reference = tfjsReference(c, specs, weights, rng);
    references.set(c, reference);
  }
  const theirs = await reference;
  const cmp = new Comparisons(log, c.group, c.label);
  const order = [...new Set(specs.map((s) => s.layer))];
  if (JSON.stringify(order) !== JSON.stringify(theirs.layers))
    cmp.failures.push(
      `getWeights() order: ours ${order.join(', ')}; Keras's (TF.js's) ${theirs.layers.join(', ')}`,
    );
  const { batches, all } = dataOf(c, theirs.perOutput);
  const evaluate = (when: string, values: number[]) => {
    const mine = [ours.evaluate(all.ours(), all.oursY(), { batchSize: c.batchSize })].flat();
    // TF.js's evaluate puts a stray value before its total and per-output losses when there
    // are several outputs (4 values for 2 outputs, 6 for 3): the last ones are Keras's list.
    // Keras 3 reports each output's loss unweighted (compile_utils.py), the total weighted.
    const reference = values
      .slice(-mine.length)
      .map((t, i) => t / (i === 0 ? 1 : weightOf(c, i - 1)));
    cmp.check('evaluate', when, mine, reference);
    if (values.length !== (mine.length === 1 ? 1 : 2 * (mine.length - 1)))
      cmp.failures.push(`evaluate ${when}: ours ${mine.length} values, TF.js ${values.length}`);
  };
  theirs.forward.forEach((reference, k) => {
    const at = theirs.forward.length === 1 ? '' : ` of output ${k}`;
    cmp.check('forward', `before training${at}`, ours.predictOutputs(all.ours())[k]!, reference);
    cmp.check(
      'forward',
      `in batches of ${c.batchSize}${at}`,
      ours.predictOutputs(all.ours(), { batchSize: c.batchSize })[k]!,
      reference,
    );
  });
  evaluate('before training', theirs.before);
  if (c.viaFit) {
    const fit = { model: ours, x: all.ours(), y: all.oursY() };
    checkFitEpoch(cmp, FIT_BATCH, fit, theirs.losses);
  } else {
    for (const [step, b] of batches.entries()) {
      const loss = ours.trainOnBatch(b.ours(), b.oursY());
      cmp.check('loss', `at step ${step + 1}`, [loss], [theirs.losses[step]!]);
    }
  }
  cmp.weightsAfterTraining(specs, weights, ours.getWeights(), theirs.weights);
  evaluate('after training', theirs.after);
  return cmp.failures;
}

for (const b of testBackends()) {
  const cases = casesFor(b, CASES);
  if (cases.length === 0) continue;
  describeByGroup(
    `graph models: conformance with TF.js (and Keras 3 formulas where TF.js departs) on the ${b.name} backend`,
    cases,
    caseName,
    (c) => runCase(c, b.backend),
  );
}

/**
 * `expected` as our cell shows it when they agree up to Keras's (rich's) truncation of a word
 * wider than its column (`input_layer_1[0]…` for `input_layer_1[0][0],`), else `expected`.
 */
function asTruncated(ours: string, expected: string): string {
  const a = ours.split(' ');
  const b = expected.split(' ');
  const agree =
    a.length === b.length &&
    a.every((w, i) => w === b[i] || (w.endsWith('…') && b[i]!.startsWith(w.slice(0, -1))));
  return agree ? ours : expected;
}

/** Our summary()'s table as rows of cells, each cell's wrapped lines joined by spaces. */
function summaryRows(text: string): { header: string[]; rows: string[][] } {
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(/[│┃]/)
      .map((cell) => cell.trim());
  const lines = text.split('\n');
  const header = cells(lines.find((l) => l.startsWith('┃'))!);
  const rows: string[][] = [];
  let row: string[] | null = null;
  for (const line of lines) {
    if (line.startsWith('│')) {
      const parts = cells(line);
      row = row ? row.map((cell, i) => `${cell} ${parts[i]}`.trim()) : parts;
    } else if (row && (line.startsWith('├') || line.startsWith('└'))) {
      rows.push(row);
      row = null;
    }
  }
  return { header, rows };
}

/**
 * summary() of graph models against what Keras 3 prints. Keras cannot run here, so the
 * reference is TF.js's model.layers (TF.js orders a functional model's layers as Keras does:
 * by depth from the outputs, ties in traversal order — keras/src/ops/function.py's _build_map,
 * tfjs-layers' container.ts) and each layer's inbound node, written as Keras 3's summary writes
 * its Connected to column (`name[node][tensor]`, `-` for an input), with the output shape and
 * the parameter count: every row, in order (a chain's table, "sequential-like" as Keras puts
 * it, has no Connected to column). Column widths are the summary fixtures' business;
 * here a word cut to its column's width with `…` matches the word it cuts.
 */
describe('graph models: summary() rows and Connected to as Keras 3 prints them', () => {
  for (const c of CASES) {
    it(`${c.label} — ${graphSummary(c)}`, () => {
      const source = graphSource(c, (key) => lossEntry(key).keras);
      const ours = summaryRows(loadModel(source, { seed: 1 }).summary());
      const { model, extraLayers } = buildTfjsGraph(c);
      try {
        // An activation formula after a Dense would be a row TF.js has and Keras does not.
        expect(extraLayers).toBe(0);
        const chain = sequentialLike(model);
        const columns = chain ? 3 : 4;
        expect(ours.header).toEqual(
          ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'].slice(0, columns),
        );
        const rows = ours.rows.map((r) => [r[0]!, r[1]!, r[2]!.replace(/,/g, ''), ...r.slice(3)]);
        const expected = tfjsSummaryRows(model).map((r, i) =>
          r.slice(0, columns).map((cell, j) => asTruncated(rows[i]?.[j] ?? '', cell)),
        );
        expect(rows).toEqual(expected);
      } finally {
        model.dispose();
      }
    });
  }
});
