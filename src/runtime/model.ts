/**
 * A trainable model with TF.js layers' API (`predict`, `trainOnBatch`, `evaluate`, `fit`,
 * `getWeights`, `setWeights`, `summary`) over the plans of src/plan and the kernels of
 * src/kernels. It owns the parameter arena; plans are built once per batch size and cached.
 */
import { catalog, type CallValue, type Value } from '../catalog/index.js';
import type { CheckedLayer, CheckedModel } from '../check/index.js';
import { Rng } from '../kernels/random.js';
import { initialize } from '../init/index.js';
import { sampleSize, type Shape } from '../layers/index.js';
import { resolveMetric, type Metric } from '../metrics/index.js';
import {
  createConstraint,
  createOptimizer,
  type Optimizer,
  type ParamSlot,
} from '../optim/index.js';
import {
  buildLayers,
  layoutParams,
  planModel,
  type ParamLayout,
  type Plan,
} from '../plan/index.js';
import { renderSummary, summaryInputOf, type SummaryOptions } from '../summary/index.js';
import { InputError, toMatrix, type ArrayInput, type Matrix } from './arrays.js';
import { BoundPlan } from './executor.js';
import { fitModel, type FitOptions, type History } from './fit.js';
import { evaluateLoss, penaltyOf } from './loss-eval.js';
import {
  readWeightsFile,
  WeightsFileError,
  writeWeightsFile,
  type DataInfo,
  type WeightsFile,
} from './weights-file.js';

export interface ModelOptions {
  /** Seeds the initial weights, dropout, noise and shuffling: the same seed, the same run. */
  seed?: number;
}

export class Model {
  readonly name: string;
  readonly seed: number;
  readonly rng: Rng;
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit() after the current epoch or batch. */
  stopTraining = false;
  private layers: CheckedLayer[] | null = null;
  private layout: ParamLayout | null = null;
  private params = new Float32Array(0);
  private version = 0;
  private readonly inferencePlans = new Map<number, BoundPlan>();
  private readonly trainingPlans = new Map<number, BoundPlan>();
  /** Values per sample of the input, the output and the target, fixed by build(). */
  private inSize = 0;
  private outSize = 0;
  private tgtSize = 0;
  private opt: Optimizer | null = null;
  private resolvedLoss: CallValue | null = null;
  private slots: ParamSlot[] = [];

  constructor(
    readonly checked: CheckedModel,
    options: ModelOptions = {},
  ) {
    this.name = checked.name;
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.rng = new Rng(this.seed);
    if (checked.inputShape) this.build(checked.inputShape);
  }

  /** Keras's `model.input_shape`: batch first, null for the batch; null while unbuilt. */
  get inputShape(): Shape | null {
    return this.layers ? (this.layers[0]?.inputShape ?? null) : null;
  }

  get outputShape(): Shape | null {
    return this.layers ? (this.layers.at(-1)?.outputShape ?? null) : null;
  }

  get built(): boolean {
    return this.layers !== null;
  }

  /** The optimizer from compile(), created on first training. */
  get optimizer(): Optimizer {
    if (!this.opt) {
      const spec = this.checked.compile?.optimizer;
      if (!spec)
        throw new InputError(
          `model '${this.name}' has no compile(): give it an optimizer and a loss first.`,
        );
      this.opt = createOptimizer(spec as unknown as CallValue);
      this.opt.build(this.slots);
    }
    return this.opt;
  }

  /** Builds the layers for an input shape (batch first) and initializes the weights. */
  build(inputShape: Shape): void {
    const layers =
      this.checked.layers.every((l) => l.outputShape) && this.checked.inputShape
        ? this.checked.layers
        : buildLayers(this.checked.layers, inputShape);
    this.layers = layers;
    this.layout = layoutParams(layers);
    this.params = new Float32Array(this.layout.size);
    this.initializeWeights();
    this.slots = this.layout.entries
      .filter((e) => e.trainable)
      .map((e) => ({
        name: `${e.layer}/${e.name}`,
        value: this.params.subarray(e.offset, e.offset + e.size),
        grad: this.params.subarray(e.gradOffset, e.gradOffset + e.size),
        shape: e.shape,
        constraint: createConstraint(e.constraint as CallValue | null),
      }));
    this.inferencePlans.clear();
    this.trainingPlans.clear();
    this.inSize = sampleSize(this.inputShape!);
    this.outSize = sampleSize(this.outputShape!);
    this.tgtSize = this.targetSizeOf(this.loss());
    this.opt = null;
    this.version++;
  }

  private initializeWeights(): void {
    for (const layer of this.layers!) {
      const given = layer.initialWeights;
      const entries = this.layout!.entries.filter((e) => e.layer === layer.name);
      entries.forEach((e, i) => {
        const view = this.params.subarray(e.offset, e.offset + e.size);
        const rng = this.rng.fork();
        if (given && given[i] !== undefined) view.set(flatten(given[i]!));
        else initialize(e.initializer as CallValue | string, e.shape, rng, view);
      });
    }
  }

  private ensureBuilt(features: number | null): void {
    if (this.layers) return;
    if (features === null)
      throw new InputError(
        `model '${this.name}' has no input shape: pass nested arrays (one array per sample) so the data can fix it, or give the model Input(shape=…).`,
      );
    this.build([null, features]);
  }

  /** Features as a matrix of the model's input size (building the model from nested data if needed). */
  matrixOf(x: ArrayInput): Matrix {
    if (!this.layers) {
      const flat = x instanceof Float32Array || typeof (x as unknown[])[0] === 'number';
      this.ensureBuilt(flat ? null : toMatrix(x, null, 'x').cols);
    }
    return toMatrix(x, this.inSize, 'x');
  }

  /** Targets as the loss needs them: one class index per sample for sparse losses, else the output's size. */
  targetsOf(y: ArrayInput, rows: number): Matrix {
    this.resolveCrossentropy(y, rows);
    const m = toMatrix(y, this.targetSize(), 'y');
    if (m.rows !== rows) throw new InputError(`x has ${rows} samples but y has ${m.rows}.`);
    return m;
  }

  targetSize(): number {
    return this.tgtSize;
  }

  /** Targets per sample a loss takes: one class index for sparse losses, else the output's size. */
  private targetSizeOf(loss: CallValue | null): number {
    return loss && catalog.lookup('loss', loss.call)?.['target'] === 'sparse' ? 1 : this.outSize;
  }

  loss(): CallValue | null {
    return (
      this.resolvedLoss ?? (this.checked.compile?.loss as CallValue | null | undefined) ?? null
    );
  }

  /**
   * Keras resolves loss='crossentropy' by the shapes it first sees: binary for one output
   * unit, sparse when the targets are one class index per sample, categorical otherwise.
   */
  private resolveCrossentropy(y: ArrayInput, rows: number): void {
    const loss = this.checked.compile?.loss as CallValue | null | undefined;
    if (this.resolvedLoss || !loss || catalog.lookup('loss', loss.call)?.['target'] !== 'auto')
      return;
    const units = this.outSize;
    const values = y instanceof Float32Array ? y.length : (y as unknown[]).flat(Infinity).length;
    const call =
      units === 1
        ? 'binary_crossentropy'
        : values === rows
          ? 'sparse_categorical_crossentropy'
          : 'categorical_crossentropy';
    const entry = catalog.lookup('loss', call)!;
    const args = Object.fromEntries(
      entry.args.filter((a) => a.name in loss.args).map((a) => [a.name, loss.args[a.name]!]),
    );
    this.resolvedLoss = { call, args };
    this.tgtSize = this.targetSizeOf(this.resolvedLoss);
    this.trainingPlans.clear();
  }

  /** The bound plan for a mode and batch capacity, built on first use. */
  plan(mode: 'inference' | 'training', batchSize: number): BoundPlan {
    const plans = mode === 'training' ? this.trainingPlans : this.inferencePlans;
    let bound = plans.get(batchSize);
    if (!bound) {
      const loss = this.loss();
      if (mode === 'training' && !loss)
        throw new InputError(
          `model '${this.name}' has no loss: add compile(optimizer, loss) to train it.`,
        );
      const plan: Plan = planModel({
        layers: this.layers!,
        inputShape: this.inputShape!,
        params: this.layout!,
        batchSize,
        ...(mode === 'training'
          ? { training: { loss: loss!, targetSize: this.targetSize() } }
          : {}),
      });
      bound = new BoundPlan(plan, {
        params: this.params,
        rng: this.rng,
        ...(mode === 'training' ? { optimizer: this.optimizer, slots: this.slots } : {}),
      });
      plans.set(batchSize, bound);
    }
    return bound;
  }

  /** Outputs for every sample of `x`, row-major (samples × output size). */
  predict(x: ArrayInput, options: { batchSize?: number } = {}): Float32Array {
    return this.forward(this.matrixOf(x), options.batchSize ?? 32).outputs;
  }

  /**
   * Inference over every row, in batches: the outputs, and the activity regularizers' penalty
   * summed over the samples (evaluate adds its mean to the loss, as Keras does).
   */
  private forward(
    m: Matrix,
    batchSize: number,
  ): { outputs: Float32Array; activityPenalty: number } {
    // One plan per batch size (Keras's default 32), whatever the number of rows: a call with fewer runs it on fewer rows.
    const batch = Math.max(1, batchSize);
    const bound = this.plan('inference', batch);
    bound.prepare(this.version);
    const outputs = new Float32Array(m.rows * this.outSize);
    const input = bound.view(bound.plan.input);
    const output = bound.view(bound.plan.output);
    const penalty = bound.plan.loss === null ? null : bound.view(bound.plan.loss);
    const inSize = m.cols;
    const outSize = this.outSize;
    let activityPenalty = 0;
    for (let start = 0; start < m.rows; start += batch) {
      const n = Math.min(batch, m.rows - start);
      copyRows(m.data, start * inSize, input, 0, n * inSize);
      if (penalty) penalty[0] = 0;
      bound.run(n);
      if (penalty) activityPenalty += penalty[0]!;
      copyRows(output, 0, outputs, start * outSize, n * outSize);
    }
    return { outputs, activityPenalty };
  }

  /** One optimizer step on one batch; returns the loss (with regularization) before the step. */
  trainOnBatch(x: ArrayInput, y: ArrayInput): number {
    const mx = this.matrixOf(x);
    const my = this.targetsOf(y, mx.rows);
    // Plans are laid out for powers of two, so batches of varying sizes share a few plans.
    return this.step(
      mx.data,
      my.data,
      mx.rows,
      null,
      2 ** Math.ceil(Math.log2(Math.max(1, mx.rows))),
    );
  }

  /** A training step over `n` rows already laid out; metrics see the forward pass's outputs. */
  step(
    x: Float32Array,
    y: Float32Array,
    n: number,
    metrics: readonly Metric[] | null,
    capacity = n,
  ): number {
    const bound = this.plan('training', capacity);
    copyRows(x, 0, bound.view(bound.plan.input), 0, n * this.inSize);
    copyRows(y, 0, bound.view(bound.plan.target!), 0, n * this.tgtSize);
    bound.run(n);
    this.version++;
    if (metrics)
      for (const m of metrics) m.update(y, bound.view(bound.plan.output), n, this.outSize);
    return bound.view(bound.plan.loss!)[0]!;
  }

  /** Loss and metrics over `x`/`y`: Keras's evaluate (inference mode). */
  evaluate(x: ArrayInput, y: ArrayInput, options: { batchSize?: number } = {}): number | number[] {
    const logs = this.evaluateLogs(this.matrixOf(x), y, options.batchSize ?? 32);
    const values = Object.values(logs);
    return values.length === 1 ? values[0]! : values;
  }

  /** `{loss, metric…}` over a data set, in Keras's order (loss first, then the compiled metrics). */
  evaluateLogs(mx: Matrix, y: ArrayInput, batchSize: number): Record<string, number> {
    const my = this.targetsOf(y, mx.rows);
    const loss = this.loss();
    if (!loss)
      throw new InputError(
        `model '${this.name}' has no loss: add compile(optimizer, loss) to evaluate it.`,
      );
    const metrics = this.metrics();
    const { outputs: predictions, activityPenalty } = this.forward(mx, batchSize);
    const lossValue =
      evaluateLoss(loss, my.data, predictions, mx.rows, this.outputShape!) +
      this.regularizationPenalty() +
      (mx.rows > 0 ? activityPenalty / mx.rows : 0);
    for (const m of metrics) m.update(my.data, predictions, mx.rows, this.outSize);
    const logs: Record<string, number> = { loss: lossValue };
    for (const m of metrics) logs[m.name] = m.result();
    return logs;
  }

  /** Fresh metric objects for the compiled metrics, resolved as Keras resolves them. */
  metrics(): Metric[] {
    const sparse = this.targetSize() === 1 && this.outSize > 1;
    return (this.checked.compile?.metrics ?? []).map((m) =>
      resolveMetric(m as CallValue, { outputUnits: this.outSize, targetIsSparse: sparse }),
    );
  }

  /** Σ of the weight regularizers' penalties (added to the loss, as Keras adds model.losses). */
  regularizationPenalty(): number {
    return penaltyOf(this.layout!, this.params);
  }

  fit(x: ArrayInput, y: ArrayInput, options: FitOptions = {}): History {
    return fitModel(this, x, y, options);
  }

  /** Weights in Keras's get_weights() order, as copies. */
  getWeights(): Float32Array[] {
    this.ensureBuilt(null);
    return this.layout!.entries.map((e) => this.params.slice(e.offset, e.offset + e.size));
  }

  /** Shapes and names of getWeights()'s arrays. */
  weightSpecs(): { layer: string; name: string; shape: number[] }[] {
    this.ensureBuilt(null);
    return this.layout!.entries.map((e) => ({ layer: e.layer, name: e.name, shape: e.shape }));
  }

  setWeights(weights: readonly (Float32Array | ArrayLike<number>)[]): void {
    this.ensureBuilt(null);
    const entries = this.layout!.entries;
    if (weights.length !== entries.length)
      throw new InputError(
        `setWeights needs ${entries.length} arrays (${entries.map((e) => `${e.layer}/${e.name}`).join(', ')}), found ${weights.length}.`,
      );
    entries.forEach((e, i) => {
      const w = weights[i]!;
      if (w.length !== e.size)
        throw new InputError(
          `weight ${e.layer}/${e.name} has ${e.size} values (shape ${JSON.stringify(e.shape)}), found ${w.length}.`,
        );
      for (let j = 0; j < w.length; j++)
        if (!Number.isFinite(w[j]!))
          throw new InputError(`weight ${e.layer}/${e.name} holds ${w[j]} at index ${j}.`);
    });
    entries.forEach((e, i) => this.params.set(weights[i]!, e.offset));
    this.version++;
  }

  /** Saves the weights (and what the training data looked like) to a `.nnw` file, atomically. */
  saveWeights(path: string, data?: DataInfo): void {
    const values = this.getWeights();
    const weights = this.weightSpecs().map((w, i) => ({ ...w, values: values[i]! }));
    writeWeightsFile(path, { model: this.name, weights, ...(data ? { data } : {}) });
  }

  /**
   * Loads weights saved by saveWeights (building an unbuilt model from the saved feature count);
   * returns the file's contents, whose `data` tells how the training data was read.
   */
  loadWeights(path: string): WeightsFile {
    const saved = readWeightsFile(path);
    if (!this.built) {
      const first = saved.weights[0];
      if (!first || first.shape.length < 1)
        throw new WeightsFileError(
          `${path}: it holds no weights to build model '${this.name}' from.`,
        );
      this.build([null, saved.data?.features?.length ?? first.shape[0]!]);
    }
    const specs = this.weightSpecs();
    const fits =
      specs.length === saved.weights.length &&
      specs.every((s, i) => s.shape.join() === saved.weights[i]!.shape.join());
    if (!fits) {
      const found = saved.weights
        .map((w) => `${w.layer}/${w.name} ${JSON.stringify(w.shape)}`)
        .join(', ');
      throw new WeightsFileError(
        `${path}: these weights (${found}) do not fit model '${this.name}'.`,
      );
    }
    this.setWeights(saved.weights.map((w) => w.values));
    return saved;
  }

  /** Keras 3's summary() text; after training it counts the optimizer's variables too. */
  summary(options: SummaryOptions = {}): string {
    const layers = this.layers ?? this.checked.layers;
    const input = summaryInputOf({ ...this.checked, layers });
    if (this.opt) {
      const params = this.opt.variableCount();
      input.optimizer = { params, bytes: params * 4 };
    }
    return renderSummary(input, options);
  }
}

/** dst[to..to+count) = src[from..from+count), without making subarray views (which allocate). */
function copyRows(
  src: Float32Array,
  from: number,
  dst: Float32Array,
  to: number,
  count: number,
): void {
  if (from === 0 && to === 0 && count === src.length && count <= dst.length) dst.set(src);
  else if (count > 512) dst.set(src.subarray(from, from + count), to);
  else for (let i = 0; i < count; i++) dst[to + i] = src[from + i]!;
}

function flatten(v: Value): number[] {
  return Array.isArray(v) ? (v as Value[]).flatMap(flatten) : [v as number];
}
