/**
 * A model's engine state: its built graph, the parameter layout, one memory block for every
 * arena, the optimizer, and plans per mode and batch capacity, lowered on first use and bound
 * to a backend. `Model` is the public face over it; `fit` drives it through `TrainingTarget`.
 */
import {
  AllocationError,
  DataError,
  Memory,
  selectBackend,
  type Backend,
  type BackendName,
  type BoundPlan,
} from '../backends/index.js';
import { catalog, type CallValue, type Value } from '../catalog/index.js';
import { initialize } from '../init/index.js';
import { Rng } from '../kernels/random.js';
import { resolveLoss } from '../kernels/index.js';
import {
  inferShapes,
  layerDefs,
  nodeShape,
  outputPort,
  sampleSize,
  shapeToString,
  type ModelGraph,
  type Shape,
} from '../layers/index.js';
import { OutputLoss, OutputMetric, resolveMetric, type Metric } from '../metrics/index.js';
import { createOptimizer, type Optimizer } from '../optim/index.js';
import {
  layoutParams,
  planCompiled,
  targetSizeOf,
  type CompiledModel,
  type LossSpec,
  type ParamLayout,
  type Plan,
} from '../plan/index.js';
import { groupThousands, readableSize } from '../layers/index.js';
import { copyFinite, firstNonFinite, SHORT } from '../kernels/finite.js';
import {
  InputError,
  joinInputs,
  nonFiniteError,
  toMatrix,
  type ArrayInput,
  type Matrix,
  type OrderedRows,
  type ModelInputs,
} from './arrays.js';
import { penaltyOf } from './penalty.js';
import type { HealthMonitor } from './health.js';

export class Session {
  readonly rng: Rng;
  graph: ModelGraph | null = null;
  layout: ParamLayout | null = null;
  memory: Memory | null = null;
  /** Bumped whenever the weights change, so prepared (folded) buffers are recomputed. */
  version = 0;
  private readonly plans = {
    inference: new Map<number, BoundPlan>(),
    evaluation: new Map<number, BoundPlan>(),
    training: new Map<number, BoundPlan>(),
  };
  /** Values per sample of the input (all inputs, back to back), the output and the target, fixed by build(). */
  inSize = 0;
  /** Values per sample of each input. */
  inSizes: number[] = [];
  outSize = 0;
  targetSize = 0;
  /** Targets per sample of all outputs, back to back (a training step's y). */
  targetTotal = 0;
  /** Per output (a model may have several): values per sample, and targets per sample. */
  outSizes: number[] = [];
  /** Values per sample of all outputs, back to back (predict's row). */
  outTotal = 0;
  /** Each output's last axis: Keras's losses and metrics reduce it, one value per other position. */
  outCols: number[] = [];
  targetSizes: number[] = [];
  private opt: Optimizer | null = null;
  /** The backend the plans run on: chosen by build() from the choice and the model's size. */
  backend: Backend | null = null;
  private resolvedLoss: CallValue | null = null;
  private weightView: Float32Array | null = null;

  constructor(
    readonly compiled: CompiledModel,
    seed: number,
    private readonly choice: Backend | BackendName,
    private readonly threads = 1,
  ) {
    this.rng = new Rng(seed);
    if (compiled.graph.inputShape) this.build(compiled.graph.inputShape);
  }

  /** The weights in get_weights() order, back to back: a live view of the parameter arena. */
  weightValues(): Float32Array {
    const params = this.memory!.params;
    const view = this.weightView;
    if (!view || view.buffer !== params.buffer || view.byteOffset !== params.byteOffset)
      this.weightView = params.subarray(0, this.layout!.weightSize);
    return this.weightView!;
  }

  get name(): string {
    return this.compiled.graph.name;
  }

  /** Whether training has created the optimizer (summary() then counts its variables). */
  get optimizerCreated(): boolean {
    return this.opt !== null;
  }

  /** The optimizer from compile(), created on first training. */
  get optimizer(): Optimizer {
    if (!this.opt) {
      const spec = this.compiled.training?.optimizer;
      if (!spec)
        throw new InputError(
          `model '${this.name}' has no compile(): give it an optimizer and a loss first.`,
        );
      this.opt = createOptimizer(spec);
    }
    return this.opt;
  }

  /** Builds the graph for an input shape (batch first) and initializes the weights. */
  build(inputShape: Shape): void {
    const source = this.compiled.graph;
    this.graph = source.inputShape ? source : buildGraph(source, inputShape);
    this.layout = layoutParams(this.graph.layers);
    // The weights; the first training plan adds its gradients and the optimizer's state.
    const weightSize = this.layout.weightSize;
    // A rebuild's new backend replaces the old one's workers, if it had any.
    this.disposeBackend();
    this.backend = selectBackend(this.choice, weightSize, this.threads);
    const backend = this.backend;
    this.memory = this.allocating('its weights', () => new Memory(backend, weightSize));
    this.initializeWeights();
    this.plans.inference.clear();
    this.plans.evaluation.clear();
    this.plans.training.clear();
    this.inSizes = this.graph.inputs.map((input) => sampleSize(input.shape!));
    this.inSize = this.inSizes.reduce((a, b) => a + b, 0);
    const graph = this.graph;
    const outShapes = graph.outputs.map((id, k) => nodeShape(graph, id, outputPort(graph, k))!);
    this.outSizes = outShapes.map(sampleSize);
    this.outTotal = this.outSizes.reduce((a, b) => a + b, 0);
    this.outCols = outShapes.map((shape) => (shape.length > 1 ? shape.at(-1)! : 1));
    this.outSize = this.outSizes[0]!;
    this.setTargetSizes();
    this.opt = null;
    this.version++;
  }

  /** Stops the workers of a backend the session chose (not one the caller gave, which may serve others). */
  disposeBackend(): void {
    if (typeof this.choice === 'string') this.backend?.dispose?.();
  }

  /** The shape of the model's output; null while unbuilt. */
  outputShape(): Shape | null {
    const g = this.graph;
    if (!g) return null;
    const id = g.outputs[0]!;
    return id < 0 ? g.inputShape : (g.layers[id]?.outputShape ?? null);
  }

  private initializeWeights(): void {
    const params = this.memory!.params;
    for (const layer of this.graph!.layers) {
      const given = layer.initialWeights;
      const entries = this.layout!.entries.filter((e) => e.layer === layer.name);
      entries.forEach((e, i) => {
        const view = params.subarray(e.offset, e.offset + e.size);
        const rng = this.rng.fork();
        if (given && given[i] !== undefined) view.set(flatten(given[i]!));
        else if (e.initializer) {
          initialize(e.initializer, e.shape, rng, view);
          if (e.ones) view.fill(1, e.ones[0], e.ones[1]);
        } else throw new Error(`internal: weight ${e.layer}/${e.name} has no initializer.`);
      });
    }
  }

  /** Builds the model from the data's feature count when the source left the input open. */
  ensureBuilt(features: number | null): void {
    if (this.graph) return;
    if (features === null)
      throw new InputError(
        `model '${this.name}' has no input shape: pass nested arrays (one array per sample) so the data can fix it, or give the model Input(shape=…).`,
      );
    this.build([null, features]);
  }

  /**
   * Features as a matrix of the model's input size (building the model from nested data if
   * needed); a model with several inputs takes one array per input, joined sample by sample.
   */
  matrixOf(x: ModelInputs, check = true): Matrix {
    if (!this.graph) {
      const flat = x instanceof Float32Array || typeof (x as unknown[])[0] === 'number';
      this.ensureBuilt(flat ? null : toMatrix(x as ArrayInput, null, 'x').cols);
    }
    if (this.inSizes.length > 1)
      return joinInputs(
        x,
        this.inSizes,
        this.graph!.inputs.map((i) => i.name),
      );
    return toMatrix(x as ArrayInput, this.inSize, 'x', check);
  }

  /**
   * Checks every row of an unchecked matrix for NaN and ±Infinity, staged `capacity` rows at a
   * time through the training plan's input buffer (the wasm backend scans it with SIMD): fit's
   * check before its first step, at memory speed instead of a JavaScript pass.
   */
  checkFeatures(m: Matrix, capacity: number, observe = false): void {
    if (!m.unchecked) return;
    // The plan the steps will run (observe: the one fit's health figures read), not a second.
    const bound = this.plan('training', capacity, observe);
    for (let start = 0; start < m.rows; start += capacity) {
      const n = Math.min(capacity, m.rows - start);
      this.feed(bound, m.data, start, n);
      this.checkFed(bound, m.unchecked, start, n);
    }
  }

  /**
   * Checks the `n` rows just fed from row `start` of an unchecked matrix for NaN and ±Infinity
   * where they now lie (the wasm backend scans them with SIMD), failing as toMatrix would.
   */
  private checkFed(
    bound: BoundPlan,
    unchecked: boolean | undefined,
    start: number,
    n: number,
  ): void {
    if (!unchecked) return;
    const view = bound.view(bound.plan.inputs[0]!);
    const count = n * this.inSize;
    const backend = this.backend!;
    const i = backend.firstNonFinite
      ? backend.firstNonFinite(view, count)
      : firstNonFinite(view, count);
    if (i >= 0) throw nonFiniteError('x', view[i]!, start * this.inSize + i);
  }

  /** Copies rows `start…start+n` of the joined inputs into a plan's input buffers. */
  feed(bound: BoundPlan, data: Float32Array, start: number, n: number): void {
    scatterRows(bound, bound.plan.inputs, this.inSizes, this.inSize, data, start, n);
  }

  /** Targets as the loss needs them: one class index per sample for sparse losses, else the output's size. */
  targetsOf(y: ModelInputs, rows: number): Matrix {
    const several = this.targetSizes.length > 1;
    if (!several) this.resolveCrossentropy(y as ArrayInput, rows);
    const m = several
      ? joinInputs(y, this.targetSizes, this.outputNames(), 'y')
      : toMatrix(y as ArrayInput, this.targetSize, 'y');
    if (m.rows !== rows) throw new InputError(`x has ${rows} samples but y has ${m.rows}.`);
    const losses = this.compiled.training?.losses ?? [];
    let offset = 0;
    this.targetSizes.forEach((size, k) => {
      const loss = k === 0 ? this.loss() : (losses[k]?.loss ?? null);
      if (loss && catalog.lookup('loss', loss.call)?.['target'] === 'sparse') {
        // Keras casts sparse targets to int; anything outside the classes is bad data, said here.
        const classes = this.outSizes[k]!;
        for (let r = 0; r < m.rows; r++) {
          const value = m.data[r * m.cols + offset]!;
          const index = Math.trunc(value);
          if (!(index >= 0 && index < classes))
            throw new InputError(
              `${several ? `y[${k}]` : 'y'}: row ${r} holds ${value}, which is not a class index in [0, ${classes}).`,
            );
        }
      }
      offset += size;
    });
    return m;
  }

  /** Targets per sample of each output, by its loss (the first output's as the data resolved it). */
  private setTargetSizes(): void {
    const losses = this.compiled.training?.losses ?? [];
    this.targetSizes = this.outSizes.map((size, k) =>
      targetSizeOf(k === 0 ? this.loss() : (losses[k]?.loss ?? null), size),
    );
    this.targetSize = this.targetSizes[0]!;
    this.targetTotal = this.targetSizes.reduce((a, b) => a + b, 0);
  }

  /**
   * The model's output names, as Keras names them in logs (`dense_1_loss`); a layer's returned
   * state (output `p` > 0 of an LSTM with return_state) is `lstm_p`, so no two outputs share a
   * log entry.
   */
  outputNames(): string[] {
    const g = this.graph!;
    return g.outputs.map((id, k) => {
      const name = id < 0 ? g.inputs[-1 - id]!.name : g.layers[id]!.name;
      const port = outputPort(g, k);
      return port > 0 ? `${name}_${port}` : name;
    });
  }

  loss(): CallValue | null {
    return this.resolvedLoss ?? this.compiled.training?.loss ?? null;
  }

  /** The loss as the kernels take it: the checker's spec, or the crossentropy the data chose. */
  lossSpec(): LossSpec {
    const loss = this.loss();
    if (!loss)
      throw new InputError(`model '${this.name}' has no loss: add compile(optimizer, loss) first.`);
    const checked = this.compiled.training?.lossSpec;
    return !this.resolvedLoss && checked ? checked : resolveLoss(loss.call, loss.args);
  }

  /**
   * Keras resolves loss='crossentropy' by the shapes it first sees: binary for one output
   * unit, sparse when the targets are one class index per sample, categorical otherwise.
   */
  private resolveCrossentropy(y: ArrayInput, rows: number): void {
    const loss = this.compiled.training?.loss;
    if (this.resolvedLoss || !loss || catalog.lookup('loss', loss.call)?.['target'] !== 'auto')
      return;
    const values = y instanceof Float32Array ? y.length : (y as unknown[]).flat(Infinity).length;
    const call =
      this.outSize === 1
        ? 'binary_crossentropy'
        : values === rows
          ? 'sparse_categorical_crossentropy'
          : 'categorical_crossentropy';
    const entry = catalog.lookup('loss', call)!;
    const args = Object.fromEntries(
      entry.args.filter((a) => a.name in loss.args).map((a) => [a.name, loss.args[a.name]!]),
    );
    this.resolvedLoss = { call, args };
    this.setTargetSizes();
    this.plans.training.clear();
    this.plans.evaluation.clear();
  }

  /** Runs an allocation of the session's memory; a block the machine cannot hold is the user's InputError. */
  private allocating<T>(what: string, allocate: () => T): T {
    try {
      return allocate();
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      throw new InputError(
        `model '${this.name}' needs ${groupThousands(e.floats)} floats (${readableSize(e.floats * 4)}) of memory for ${what}, more than can be allocated here (${e.reason}).`,
      );
    }
  }

  /**
   * The bound plan for a mode and batch capacity, lowered and bound on first use. `observe`
   * asks for the training plan that keeps the activations fit's health figures read (keyed
   * by −capacity among the training plans).
   */
  plan(mode: Plan['mode'], batchSize: number, observe = false): BoundPlan {
    const plans =
      mode === 'training'
        ? this.plans.training
        : mode === 'inference'
          ? this.plans.inference
          : this.plans.evaluation;
    const key = observe ? -batchSize : batchSize;
    let bound = plans.get(key);
    if (!bound) {
      this.ensureBuilt(null);
      const loss = this.loss();
      if (mode !== 'inference' && !loss)
        throw new InputError(
          `model '${this.name}' has no loss: add compile(optimizer, loss) to ${mode === 'training' ? 'train' : 'evaluate'} it.`,
        );
      const plan = planCompiled(this.compiled, this.graph!, {
        mode,
        batchSize,
        ...(loss ? { loss } : {}),
        ...(observe ? { observe } : {}),
      });
      const memory = this.memory!;
      bound = this.allocating(`its ${mode} plan at batch size ${batchSize}`, () =>
        memory.bind(plan, {
          rng: this.rng,
          ...(mode === 'training' ? { optimizer: this.optimizer } : {}),
        }),
      );
      plans.set(key, bound);
    }
    return bound;
  }

  /**
   * Inference over every row, in batches: the outputs, and the activity regularizers' penalty
   * summed over the samples (evaluate adds its mean to the loss, as Keras does).
   */
  forward(m: Matrix, batchSize: number): { outputs: Float32Array; activityPenalty: number } {
    const batch = planBatch(batchSize, m.rows);
    const bound = this.plan('inference', batch);
    const outSize = this.outTotal;
    const outputs = new Float32Array(m.rows * outSize);
    const penalty = bound.plan.penalty === null ? null : bound.view(bound.plan.penalty);
    let activityPenalty = 0;
    bound.prepare(this.version);
    for (let start = 0; start < m.rows; start += batch) {
      const n = Math.min(batch, m.rows - start);
      this.feed(bound, m.data, start, n);
      this.checkFed(bound, m.unchecked, start, n);
      if (penalty) penalty[0] = 0;
      runChecked(bound, n);
      if (penalty) activityPenalty += penalty[0]!;
      gatherOutputs(bound, this.outSizes, outSize, outputs, start, n);
    }
    return { outputs, activityPenalty };
  }

  /**
   * forward() on one sample of a single-input model, laid out as the plan takes it (predict's
   * one-row call): the same plan, checks and numbers, without the matrix and the batch loop.
   * The activity penalty predict drops is left as it is: forward() and evaluate reset it first.
   */
  forwardRow(x: Float32Array, batchSize: number): Float32Array {
    const bound = this.plan('inference', planBatch(batchSize, 1));
    bound.prepare(this.version);
    const n = this.inSize;
    // A short row is copied and checked in one loop; a long one is checked where it was copied (SIMD on wasm).
    if (n >= SHORT) {
      this.feed(bound, x, 0, 1);
      this.checkFed(bound, true, 0, 1);
    } else if (!copyFinite(x, bound.view(bound.plan.inputs[0]!), n)) {
      const i = firstNonFinite(x, n);
      throw nonFiniteError('x', x[i]!, i);
    }
    runChecked(bound, 1);
    const out = new Float32Array(this.outTotal);
    gatherOutputs(bound, this.outSizes, this.outTotal, out, 0, 1);
    return out;
  }

  /**
   * A training step over `n` rows already laid out; metrics see the forward pass's outputs.
   * `guarded` (fit's divergence guard): a step whose loss is not finite updates nothing.
   * `x` unchecked (trainOnBatch): its values are checked for NaN and ±Infinity once copied.
   */
  step(
    x: Float32Array | Matrix | OrderedRows,
    y: Float32Array,
    n: number,
    metrics: readonly Metric[] | null,
    capacity = n,
    monitor: HealthMonitor | null = null,
    guarded = false,
  ): number {
    const bound = this.plan('training', capacity, monitor !== null);
    if (x instanceof Float32Array) this.feed(bound, x, 0, n);
    else if ('order' in x) {
      const { inputs } = bound.plan;
      scatterRows(bound, inputs, this.inSizes, this.inSize, x.data, x.first, n, x.order);
    } else {
      this.feed(bound, x.data, 0, n);
      this.checkFed(bound, x.unchecked, 0, n);
    }
    scatterRows(bound, bound.plan.targets, this.targetSizes, this.targetTotal, y, 0, n);
    runChecked(bound, n, guarded, monitor?.observe ?? null);
    this.version++;
    if (metrics) this.updateMetrics(metrics, bound, y, n);
    return bound.view(bound.plan.loss!)[0]!;
  }

  /** With use_ema, copies the optimizer's moving averages into the trainable weights. */
  finalizeWeights(): void {
    if (!this.opt || !this.layout || !this.memory) return;
    const params = this.memory.params;
    // The weights the optimizer updates: those its training plan has gradients for.
    const trained = new Set(
      [...this.plans.training.values()].flatMap((b) =>
        b.plan.weights.filter((w) => w.grad !== null).map((w) => `${w.layer}/${w.name}`),
      ),
    );
    const slots = this.layout.entries
      .filter((e) => trained.has(`${e.layer}/${e.name}`))
      .map((e) => ({
        name: `${e.layer}/${e.name}`,
        value: params.subarray(e.offset, e.offset + e.size),
        grad: params.subarray(e.gradOffset, e.gradOffset + e.size),
        shape: e.shape,
        constraint: null,
      }));
    this.opt.finalize(slots);
    this.version++;
  }

  /** `{loss, metric…}` over a data set, in Keras's order (loss first, then the compiled metrics). */
  evaluateLogs(mx: Matrix, y: ModelInputs, batchSize: number): Record<string, number> {
    const my = this.targetsOf(y, mx.rows);
    const metrics = this.metrics();
    // Batch by batch through the evaluation plan: the loss by the same step as training's.
    const batch = planBatch(batchSize, mx.rows);
    const bound = this.plan('evaluation', batch);
    const p = bound.plan;
    bound.prepare(this.version);
    const loss = bound.view(p.loss!);
    const penalty = p.penalty === null ? null : bound.view(p.penalty);
    let lossSum = 0;
    let activityPenalty = 0;
    for (let start = 0; start < mx.rows; start += batch) {
      const n = Math.min(batch, mx.rows - start);
      this.feed(bound, mx.data, start, n);
      this.checkFed(bound, mx.unchecked, start, n);
      scatterRows(bound, p.targets, this.targetSizes, my.cols, my.data, start, n);
      if (penalty) penalty[0] = 0;
      runChecked(bound, n);
      lossSum += loss[0]! * n;
      if (penalty) activityPenalty += penalty[0]!;
      this.updateMetrics(
        metrics,
        bound,
        my.data.subarray(start * my.cols, (start + n) * my.cols),
        n,
      );
    }
    const lossValue =
      (mx.rows > 0 ? (lossSum + activityPenalty) / mx.rows : 0) +
      penaltyOf(this.layout!, this.memory!.params);
    const logs: Record<string, number> = { loss: lossValue };
    for (const m of metrics) logs[m.name] = m.result();
    return logs;
  }

  /**
   * Fresh metric objects for the compiled metrics, resolved as Keras resolves them for their
   * output, in Keras's log order. With several outputs, each output's loss comes first
   * (`<output>_loss`), and each metric reads its own output and targets (`OutputMetric`).
   */
  metrics(): Metric[] {
    const perOutput = this.compiled.training?.metrics ?? [];
    const names = this.outSizes.length > 1 ? this.outputNames() : null;
    const stride = this.targetSizes.reduce((a, b) => a + b, 0);
    const losses = names ? names.map((name, k) => new OutputLoss(k, name)) : [];
    let offset = 0;
    return [
      ...losses,
      ...this.outSizes.flatMap((units, k) => {
        const size = this.targetSizes[k]!;
        const columns = { offset, size, stride };
        offset += size;
        // Keras resolves 'accuracy' by the output's last axis, and its metrics reduce that one.
        const cols = this.outCols[k]!;
        return (perOutput[k] ?? []).map((m) => {
          const metric = resolveMetric(m, {
            outputUnits: cols,
            targetIsSparse: size === 1 && units > 1,
          });
          return names
            ? new OutputMetric(metric, k, names[k]!, { ...columns, rowsPer: units / cols })
            : metric;
        });
      }),
    ];
  }

  /** Feeds one batch to the metrics: each its own output's view (the first, unless an OutputMetric). */
  private updateMetrics(
    metrics: readonly Metric[],
    bound: BoundPlan,
    y: Float32Array,
    n: number,
  ): void {
    for (const m of metrics) {
      if (m instanceof OutputLoss) {
        m.update(y, bound.view(bound.plan.outputLosses[m.output]!), n);
        continue;
      }
      const k = m instanceof OutputMetric ? m.output : 0;
      // One row per position of the output but its last axis, weighed by Keras's mask if any.
      const cols = this.outCols[k]!;
      const maskId = bound.plan.targetMasks[k] ?? -1;
      const mask = maskId >= 0 ? bound.view(maskId) : null;
      m.update(y, bound.view(bound.plan.outputs[k]!), (n * this.outSizes[k]!) / cols, cols, mask);
    }
  }
}

/** The graph built for an input shape fixed by the data: every layer's shapes and weights. */
function buildGraph(graph: ModelGraph, inputShape: Shape): ModelGraph {
  const built = inferShapes(graph.layers, [inputShape], layerDefs);
  if ('error' in built) {
    const layer = graph.layers[built.node]!;
    throw new InputError(
      `'${layer.name}' (${layer.className}) cannot take an input of shape ${built.inputs.map(shapeToString).join(', ')}: ${built.error.error}`,
    );
  }
  return {
    ...graph,
    inputs: [{ name: graph.inputs[0]?.name ?? 'input_layer', shape: inputShape }],
    inputShape,
    layers: graph.layers.map((layer, i) => ({
      ...layer,
      inputShape: layer.inputs[0]! < 0 ? inputShape : built[layer.inputs[0]!]!.outputShape,
      outputShape: built[i]!.outputShape,
      weights: built[i]!.weights,
    })),
  };
}

/**
 * The batch predict's and evaluate's plan is built for: the asked batch size, but no larger
 * than the data (as fit, which takes batch_size beyond the data as one batch: a plan for rows
 * that do not exist would allocate them all, 74 GB for batch_size=1e9 on iris), and not below
 * Keras's default 32 on its account, so that calls with few rows share one plan. A plan runs
 * on the rows it is given whatever it was built for, so the numbers are the same.
 */
function planBatch(batchSize: number, rows: number): number {
  return Math.max(1, Math.min(batchSize, Math.max(rows, 32)));
}

/**
 * Runs a bound plan (guarded: a training step whose loss is not finite updates nothing;
 * `observe` before its optimizer step, for the health figures); bad data a step finds
 * (DataError) is the user's InputError.
 */
function runChecked(
  bound: BoundPlan,
  n: number,
  guarded = false,
  observe: ((bound: BoundPlan, n: number) => void) | null = null,
): void {
  try {
    if (guarded) bound.runUnlessDiverged(n, observe);
    else if (observe) bound.runObserved(n, observe);
    else bound.run(n);
  } catch (e) {
    if (e instanceof DataError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * Copies rows `start…start+n` of a joined matrix (each row: part 0's `sizes[0]` values, then
 * part 1's, …; `total` per row) into the plan buffers `ids`, one per part; with `order`, the
 * rows `order[start…start+n)` (fit's shuffled batch, gathered here in one copy).
 */
function scatterRows(
  bound: BoundPlan,
  ids: readonly number[],
  sizes: readonly number[],
  total: number,
  data: Float32Array,
  start: number,
  n: number,
  order: Int32Array | null = null,
): void {
  if (ids.length === 1 && order === null) {
    copyRows(data, start * total, bound.view(ids[0]!), 0, n * total);
    return;
  }
  let offset = 0;
  ids.forEach((id, k) => {
    const size = sizes[k]!;
    const view = bound.view(id);
    for (let r = 0; r < n; r++) {
      const row = order ? order[start + r]! : start + r;
      copyRows(data, row * total + offset, view, r * size, size);
    }
    offset += size;
  });
}

/** The reverse for the outputs: rows `0…n` of each output buffer into rows `start…` of `out`. */
function gatherOutputs(
  bound: BoundPlan,
  sizes: readonly number[],
  total: number,
  out: Float32Array,
  start: number,
  n: number,
): void {
  const ids = bound.plan.outputs;
  if (ids.length === 1) {
    copyRows(bound.view(ids[0]!), 0, out, start * total, n * total);
    return;
  }
  let offset = 0;
  ids.forEach((id, k) => {
    const size = sizes[k]!;
    const view = bound.view(id);
    for (let r = 0; r < n; r++) copyRows(view, r * size, out, (start + r) * total + offset, size);
    offset += size;
  });
}

/** dst[to..to+count) = src[from..from+count), without making subarray views (which allocate). */
export function copyRows(
  src: Float32Array,
  from: number,
  dst: Float32Array,
  to: number,
  count: number,
): void {
  // set() has a fixed cost (~15 ns) that a loop over a short row (one sample of a small model) beats.
  if (count >= 64 && from === 0 && to === 0 && count === src.length && count <= dst.length)
    dst.set(src);
  else if (count > 512) dst.set(src.subarray(from, from + count), to);
  else for (let i = 0; i < count; i++) dst[to + i] = src[from + i]!;
}

function flatten(v: Value): number[] {
  return Array.isArray(v) ? (v as Value[]).flatMap(flatten) : [v as number];
}
