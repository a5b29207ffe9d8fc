/**
 * A trainable model with TF.js layers' API (`predict`, `trainOnBatch`, `evaluate`, `fit`,
 * `getWeights`, `setWeights`, `summary`): a small facade over a `Session`, which holds the
 * built graph, the memory and the bound plans.
 */
import type { Backend, BackendName, BoundPlan } from '../backends/index.js';
import type { Args, CallValue } from '../catalog/index.js';
import type { Rng } from '../kernels/random.js';
import type { Shape } from '../layers/index.js';
import type { Metric } from '../metrics/index.js';
import type { Optimizer } from '../optim/index.js';
import type { CompiledModel } from '../plan/index.js';
import { renderSummary, summaryInputOf, type SummaryOptions } from '../summary/index.js';
import {
  InputError,
  type ArrayInput,
  type Matrix,
  type ModelInputs,
  type OrderedRows,
} from './arrays.js';
import { checkBatchOptions, checkThreadsOption } from './options.js';
import { fitModel, type FitOptions, type History, type Trainee } from './fit.js';
import { Session } from './session.js';
import { HealthMonitor } from './health.js';
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
  /**
   * The kernels that run the plans: 'js' (the JavaScript reference backend), 'wasm'
   * (WebAssembly SIMD; JavaScript where the engine lacks it), 'auto' (the default: wasm from
   * AUTO_WASM_WEIGHTS weights on), or a Backend object.
   */
  backend?: Backend | BackendName;
  /**
   * Threads the wasm backend may run large inference products on (default 1): from 2 on, one
   * worker per extra thread shares the products of predict and evaluate above a measured size
   * (src/backends/threads.ts), with outputs bit-identical to one thread; training steps stay on
   * one thread, where a second did not pay. An upper bound: a model on the JavaScript backend,
   * or where the engine cannot run workers (a warning says why), runs on one. Node 20.16+.
   */
  threads?: number;
}

/** The options of a call that gives none: one shared object, not a fresh `{}` per predict(). */
const noOptions: { batchSize?: number } = {};

export class Model implements Trainee {
  readonly name: string;
  readonly seed: number;
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit() after the current epoch or batch. */
  stopTraining = false;
  private readonly session: Session;

  constructor(
    readonly compiled: CompiledModel,
    options: ModelOptions = {},
  ) {
    this.name = compiled.graph.name;
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    checkThreadsOption(options.threads, options.backend);
    this.session = new Session(compiled, this.seed, options.backend ?? 'auto', options.threads);
  }

  /** Threads the model's products may run on now: `threads` on the wasm backend with workers, else 1. */
  get threads(): number {
    return this.session.backend?.threads ?? 1;
  }

  /**
   * Stops the model's worker threads (the threads option); it goes on running on one thread.
   * Optional: the workers never keep a process alive, and a collected model stops its own.
   */
  dispose(): void {
    this.session.disposeBackend();
  }

  get rng(): Rng {
    return this.session.rng;
  }

  get fitArgs(): Args {
    return this.compiled.fit;
  }

  /** Keras's `model.input_shape`: batch first, null for the batch; null while unbuilt. */
  get inputShape(): Shape | null {
    return this.session.graph?.inputShape ?? null;
  }

  get outputShape(): Shape | null {
    return this.session.outputShape();
  }

  /** The name of the backend the plans run on ('js', 'wasm', 'wasm-relaxed'); null until built. */
  get backendName(): string | null {
    return this.session.backend?.name ?? null;
  }

  get built(): boolean {
    return this.session.graph !== null;
  }

  /** The optimizer from compile(), created on first training. */
  get optimizer(): Optimizer {
    return this.session.optimizer;
  }

  /** Builds the layers for an input shape (batch first) and initializes the weights. */
  build(inputShape: Shape): void {
    this.session.build(inputShape);
  }

  /** Features as a matrix of the model's input size (building the model from nested data if needed). */
  matrixOf(x: ModelInputs): Matrix {
    return this.session.matrixOf(x);
  }

  /** As matrixOf, leaving the check for NaN and ±Infinity to checkFeatures (single-input models). */
  uncheckedMatrixOf(x: ModelInputs): Matrix {
    return this.session.matrixOf(x, false);
  }

  /** Checks unchecked features for NaN and ±Infinity through the training plan's input buffer. */
  checkFeatures(m: Matrix, capacity: number, observe = false): void {
    this.session.checkFeatures(m, capacity, observe);
  }

  /** Targets as the loss needs them: one class index per sample for sparse losses, else the output's size. */
  targetsOf(y: ModelInputs, rows: number): Matrix {
    return this.session.targetsOf(y, rows);
  }

  /** The compiled loss; after the first data, 'crossentropy' as the shapes resolved it. */
  loss(): CallValue | null {
    return this.session.loss();
  }

  /** Targets per sample the loss takes. */
  targetSize(): number {
    return this.session.targetSize;
  }

  /** The bound plan for a mode and batch capacity, built on first use. */
  plan(mode: 'inference' | 'evaluation' | 'training', batchSize: number): BoundPlan {
    return this.session.plan(mode, batchSize);
  }

  /**
   * Outputs for every sample of `x`, row-major (samples × output size). A model with several
   * outputs answers with `predictOutputs`, which returns one array per output.
   */
  predict(x: ModelInputs, options: { batchSize?: number } = noOptions): Float32Array {
    checkBatchOptions('predict', options);
    const session = this.session;
    session.ensureBuilt(null);
    if (session.outSizes.length > 1)
      throw new InputError(
        `model '${this.name}' has ${session.outSizes.length} outputs: predictOutputs(x) returns one array per output.`,
      );
    const batchSize = options.batchSize ?? 32;
    // One sample (a model serving requests): straight into the plan, without a matrix.
    if (x instanceof Float32Array && x.length === session.inSize && session.inSizes.length === 1)
      return session.forwardRow(x, batchSize);
    // Values checked batch by batch where they are copied (session.forward), not in a pass of their own.
    return session.forward(session.matrixOf(x, false), batchSize).outputs;
  }

  /** Every output for every sample of `x`: one row-major array per output, in output order. */
  predictOutputs(x: ModelInputs, options: { batchSize?: number } = {}): Float32Array[] {
    checkBatchOptions('predictOutputs', options);
    const session = this.session;
    const m = session.matrixOf(x, false);
    const joined = session.forward(m, options.batchSize ?? 32).outputs;
    const sizes = session.outSizes;
    if (sizes.length === 1) return [joined];
    const total = sizes.reduce((a, b) => a + b, 0);
    let offset = 0;
    return sizes.map((size) => {
      const out = new Float32Array(m.rows * size);
      for (let r = 0; r < m.rows; r++)
        out.set(joined.subarray(r * total + offset, r * total + offset + size), r * size);
      offset += size;
      return out;
    });
  }

  /** One optimizer step on one batch; returns the loss (with regularization) before the step. */
  trainOnBatch(x: ModelInputs, y: ModelInputs): number {
    // x's values are checked where the step copies them (on wasm with SIMD), not in a pass of their own.
    const mx = this.session.matrixOf(x, false);
    const my = this.targetsOf(y, mx.rows);
    // Plans are laid out for powers of two, so batches of varying sizes share a few plans.
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(1, mx.rows)));
    return this.session.step(mx, my.data, mx.rows, null, capacity);
  }

  /**
   * A training step over `n` rows already laid out (or `OrderedRows`: fit's shuffled batch);
   * metrics see the forward pass's outputs. `guarded`: a step whose loss is not finite updates nothing (fit's divergence guard).
   */
  step(
    x: Float32Array | OrderedRows,
    y: Float32Array,
    n: number,
    metrics: readonly Metric[] | null,
    capacity = n,
    monitor: HealthMonitor | null = null,
    guarded = false,
  ): number {
    return this.session.step(x, y, n, metrics, capacity, monitor, guarded);
  }

  /** A monitor of the training health figures for this model's layers (fit's `health` option). */
  healthMonitor(): HealthMonitor {
    this.session.ensureBuilt(null);
    const graph = this.session.graph!;
    const outputs = graph.outputs.filter((id) => id >= 0).map((id) => graph.layers[id]!.name);
    return new HealthMonitor({
      layers: graph.layers.map((l) => ({ name: l.name, className: l.className })),
      outputs: new Set(outputs),
    });
  }

  /** Loss and metrics over `x`/`y`: Keras's evaluate (inference mode). */
  evaluate(
    x: ModelInputs,
    y: ModelInputs,
    options: { batchSize?: number } = {},
  ): number | number[] {
    checkBatchOptions('evaluate', options);
    const logs = this.evaluateLogs(this.session.matrixOf(x, false), y, options.batchSize ?? 32);
    const values = Object.values(logs);
    return values.length === 1 ? values[0]! : values;
  }

  /** `{loss, metric…}` over a data set, in Keras's order (loss first, then the compiled metrics). */
  evaluateLogs(mx: Matrix, y: ModelInputs, batchSize: number): Record<string, number> {
    return this.session.evaluateLogs(mx, y, batchSize);
  }

  /** Fresh metric objects for the compiled metrics, resolved as Keras resolves them. */
  metrics(): Metric[] {
    return this.session.metrics();
  }

  /** Keras's optimizer.finalize_variable_values: with use_ema, the averages become the weights. */
  finalizeWeights(): void {
    this.session.finalizeWeights();
  }

  fit(x: ModelInputs, y: ModelInputs, options: FitOptions = {}): History {
    return fitModel(this, x, y, options);
  }

  /** Every weight back to back in get_weights() order: a live view, for fit's divergence guard. */
  weightValues(): Float32Array {
    this.session.ensureBuilt(null);
    return this.session.weightValues();
  }

  /** Overwrites every weight from a copy of weightValues() (fit's rollback after a diverged step). */
  restoreWeightValues(values: Float32Array): void {
    this.session.weightValues().set(values);
    this.session.version++;
  }

  /** Weights in Keras's get_weights() order, as copies. */
  getWeights(): Float32Array[] {
    this.session.ensureBuilt(null);
    const params = this.session.memory!.params;
    return this.session.layout!.entries.map((e) => params.slice(e.offset, e.offset + e.size));
  }

  /** Shapes and names of getWeights()'s arrays. */
  weightSpecs(): { layer: string; name: string; shape: number[] }[] {
    this.session.ensureBuilt(null);
    return this.session.layout!.entries.map((e) => ({
      layer: e.layer,
      name: e.name,
      shape: e.shape,
    }));
  }

  setWeights(weights: readonly (Float32Array | ArrayLike<number>)[]): void {
    this.session.ensureBuilt(null);
    const entries = this.session.layout!.entries;
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
    const params = this.session.memory!.params;
    entries.forEach((e, i) => params.set(weights[i]!, e.offset));
    this.session.version++;
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
    this.applyWeights(saved, path);
    return saved;
  }

  /** Sets the weights of a decoded weights file, building an unbuilt model from it; `path` names it in errors. */
  applyWeights(saved: WeightsFile, path: string): void {
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
  }

  /** Keras 3's summary() text; after training it counts the optimizer's variables too. */
  summary(options: SummaryOptions = {}): string {
    const graph = this.session.graph ?? this.compiled.graph;
    const input = summaryInputOf(graph);
    if (this.session.optimizerCreated) {
      const params = this.optimizer.variableCount();
      input.optimizer = { params, bytes: params * 4 };
    }
    return renderSummary(input, options);
  }
}
