/**
 * Training health figures per layer and epoch (`fit(x, y, { health: true })`, `nn train
 * --health`, the playground's panel): the quantities the lectures (../shared/seeds/) teach to
 * watch — the gradient's size layer by layer (vanishing and exploding gradients), ReLU units
 * that never fire (dying ReLU), and saturated sigmoid/tanh units — read from the training
 * plan's own buffers after each step's backward pass: no extra pass, no copy.
 *
 * The lectures give no numbers; the thresholds are ours, chosen so a warning means the problem
 * the lecture describes is already well under way:
 * - vanishing (001 §6, 000 "기울기 소실 문제"): a layer's gradient norm ≤ 1e-3 × the last
 *   trainable layer's — "the layers near the input are not updated properly";
 * - exploding (001 §6 "기울기 폭주"): a norm above 1e3, or ≥ 10× the previous epoch's and above
 *   1 — "gradients grow until the weights become abnormally large and diverge";
 * - dead ReLU (001 §(5) "죽은 렐루"): over half of a layer's ReLU units output 0 on every sample
 *   of the epoch — "a negative input has derivative 0, and the neuron rarely recovers";
 * - saturation (001 §(3), §6): over half of a hidden layer's sigmoid/tanh units saturated on
 *   most samples (sigmoid < 0.01 or > 0.99, |tanh| > 0.99), where the derivative is near 0.
 *   An output layer is not warned about: a confident sigmoid classifier saturates by design.
 */
import type { BoundPlan } from '../backends/index.js';
import type { ObservedActivation, Plan } from '../plan/index.js';

export interface LayerHealth {
  layer: string;
  className: string;
  /**
   * The L2 norm of the layer's weight gradients (all its trainable weights together, before
   * clipping), averaged over the epoch's batches; 0 for a layer without trainable weights (an
   * Activation or ReLU layer, listed for its units).
   */
  gradientNorm: number;
  /**
   * The L2 norm of the layer's trainable weights at the end of the epoch (of all its weights
   * when none trains: a frozen layer), not BatchNormalization's moving statistics.
   */
  weightNorm: number;
  /** The share of its ReLU units (last-axis features) that output 0 on every sample of the epoch. */
  deadRelu?: number;
  /** The share of its sigmoid/tanh units saturated on more than half of the epoch's samples. */
  saturated?: number;
}

export interface HealthWarning {
  code: 'vanishing_gradient' | 'exploding_gradient' | 'dead_relu' | 'saturation';
  layer: string;
  message: string;
}

export interface HealthReport {
  epoch: number;
  layers: LayerHealth[];
  warnings: HealthWarning[];
}

export const VANISHING_RATIO = 1e-3;
export const EXPLODING_NORM = 1e3;
export const EXPLODING_GROWTH = 10;
export const DEAD_RELU_SHARE = 0.5;
export const SATURATED_SHARE = 0.5;
const SIGMOID_LOW = 0.01;
const SIGMOID_HIGH = 0.99;
const TANH_LIMIT = 0.99;

/** What the monitor knows of the model: its layers in topological order, and which are outputs. */
export interface HealthLayers {
  layers: readonly { name: string; className: string }[];
  outputs: ReadonlySet<string>;
}

/** One plan's buffers per reported layer, found once per plan. */
interface Probe {
  plan: Plan;
  /** Per reported layer: its gradient buffers and its weight buffers. */
  grads: number[][];
  weights: number[][];
  /** Per reported layer: its observed activation, or null. */
  activations: (ObservedActivation | null)[];
}

/** Per reported layer and epoch: the running figures. */
interface Tally {
  gradSum: number;
  units: number;
  /** Values per sample per unit: 1 for a Dense, the positions of a convolution's output. */
  positions: number;
  /** ReLU: 1 where a unit fired this epoch. Sigmoid/tanh: samples where it was saturated. */
  perUnit: Float64Array;
  /** Samples × positions seen (a unit's chances to fire or saturate). */
  seen: number;
}

/**
 * Accumulates one epoch's figures from the training plan after each step's backward pass
 * (`record`), and reports them at the epoch's end (`report`). Its per-unit arrays are made on
 * the first step and reused every epoch.
 */
export class HealthMonitor {
  private probe: Probe | null = null;
  /** The plan the last step ran: the epoch's report reads the weights through it. */
  private bound: BoundPlan | null = null;
  private tallies: Tally[] = [];
  private batches = 0;
  /** The previous epoch's gradient norms, for the growth test. */
  private previous: number[] | null = null;
  /** The layers reported: those with weights or an observed activation, in the model's order. */
  private readonly reported: { name: string; className: string }[] = [];

  constructor(private readonly model: HealthLayers) {}

  /** Starts an epoch: the running figures back to zero. */
  epochBegin(): void {
    this.batches = 0;
    for (const t of this.tallies) {
      t.gradSum = 0;
      t.seen = 0;
      t.perUnit.fill(0);
    }
  }

  /** record, bound once: what BoundPlan.runObserved calls each step, without a closure per step. */
  readonly observe = (bound: BoundPlan, n: number): void => this.record(bound, n);

  /** Reads one step's gradients and activations (`n` samples) from the bound plan's buffers. */
  record(bound: BoundPlan, n: number): void {
    const probe = this.probeOf(bound.plan);
    this.bound = bound;
    this.batches++;
    for (let i = 0; i < probe.grads.length; i++) {
      const tally = this.tallies[i]!;
      const grads = probe.grads[i]!;
      if (grads.length > 0) tally.gradSum += Math.sqrt(sumOfSquares(bound, grads));
      const observed = probe.activations[i];
      if (observed) tallyUnits(tally, observed.activation, bound.view(observed.buffer), n);
    }
  }

  /** The epoch's report, with the weights' norms read now (the epoch's end); null before any step. */
  report(epoch: number): HealthReport | null {
    const bound = this.bound;
    if (!bound) return null;
    const probe = this.probeOf(bound.plan);
    const layers = this.reported.map((layer, i): LayerHealth => {
      const tally = this.tallies[i]!;
      const health: LayerHealth = {
        layer: layer.name,
        className: layer.className,
        gradientNorm: this.batches > 0 ? tally.gradSum / this.batches : 0,
        weightNorm: Math.sqrt(sumOfSquares(bound, probe.weights[i]!)),
      };
      const observed = probe.activations[i];
      if (observed && tally.seen > 0) {
        if (observed.activation === 'relu') health.deadRelu = share(tally, (v) => v === 0);
        else health.saturated = share(tally, (v) => v > tally.seen / 2);
      }
      return health;
    });
    const warnings = this.warnings(layers, probe);
    this.previous = layers.map((l) => l.gradientNorm);
    return { epoch, layers, warnings };
  }

  private warnings(layers: LayerHealth[], probe: Probe): HealthWarning[] {
    const warnings: HealthWarning[] = [];
    const trainable = layers.filter((_, i) => probe.grads[i]!.length > 0);
    const last = trainable.at(-1);
    layers.forEach((l, i) => {
      const g = l.gradientNorm;
      const trains = probe.grads[i]!.length > 0;
      if (
        trains &&
        last &&
        l !== last &&
        last.gradientNorm > 0 &&
        g <= VANISHING_RATIO * last.gradientNorm
      )
        warnings.push({
          code: 'vanishing_gradient',
          layer: l.layer,
          message: `${g === 0 ? 'no gradient reaches it' : `gradient norm ${formatNumber(g)} is ${formatNumber(g / last.gradientNorm)}× the last layer's`} (${last.layer}: ${formatNumber(last.gradientNorm)}): the gradient vanishes on its way back and this layer ${g === 0 ? 'does not learn' : 'barely learns'}. ReLU in the hidden layers, He initialization or BatchNormalization help.`,
        });
      const before = this.previous?.[i];
      const grew = before !== undefined && before > 0 && g >= EXPLODING_GROWTH * before && g > 1;
      if (trains && (g > EXPLODING_NORM || grew))
        warnings.push({
          code: 'exploding_gradient',
          layer: l.layer,
          message: grew
            ? `gradient norm ${formatNumber(g)} grew ${formatNumber(g / before!)}× since the last epoch (${formatNumber(before!)}): exploding gradients make the weights grow until training diverges. Lower the learning rate or clip the gradients (clipnorm=1.0).`
            : `gradient norm ${formatNumber(g)} is above ${formatNumber(EXPLODING_NORM)}: exploding gradients make the weights grow until training diverges. Lower the learning rate or clip the gradients (clipnorm=1.0).`,
        });
      if (l.deadRelu !== undefined && l.deadRelu > DEAD_RELU_SHARE)
        warnings.push({
          code: 'dead_relu',
          layer: l.layer,
          message: `${formatPercent(l.deadRelu)} of its ReLU units output 0 for every sample: dead ReLUs pass no gradient and rarely recover. A lower learning rate, LeakyReLU, or a small positive bias help.`,
        });
      if (
        l.saturated !== undefined &&
        l.saturated > SATURATED_SHARE &&
        !this.model.outputs.has(l.layer)
      )
        warnings.push({
          code: 'saturation',
          layer: l.layer,
          message: `${formatPercent(l.saturated)} of its sigmoid/tanh units are saturated on most samples: their derivative is near 0, so the gradient vanishes behind them. ReLU in the hidden layers, smaller initial weights or BatchNormalization help.`,
        });
    });
    return warnings;
  }

  /** The plan's buffers per reported layer; the tallies are made with the first plan seen. */
  private probeOf(plan: Plan): Probe {
    if (this.probe?.plan === plan) return this.probe;
    const observed = new Map((plan.observed ?? []).map((o) => [o.layer, o]));
    const weighted = new Set(plan.weights.map((w) => w.layer));
    if (this.reported.length === 0)
      this.reported.push(
        ...this.model.layers.filter((l) => weighted.has(l.name) || observed.has(l.name)),
      );
    const probe: Probe = {
      plan,
      grads: this.reported.map((l) =>
        plan.weights.filter((w) => w.layer === l.name && w.grad !== null).map((w) => w.grad!),
      ),
      weights: this.reported.map((l) => {
        const own = plan.weights.filter((w) => w.layer === l.name);
        const trained = own.filter((w) => w.grad !== null);
        return (trained.length > 0 ? trained : own).map((w) => w.buffer);
      }),
      activations: this.reported.map((l) => observed.get(l.name) ?? null),
    };
    if (this.tallies.length === 0)
      this.tallies = probe.activations.map((o) => {
        const buffer = o ? plan.buffers[o.buffer]! : null;
        const units = buffer ? (buffer.shape.at(-1) ?? 1) : 0;
        const positions = buffer ? buffer.size / units : 0;
        return { gradSum: 0, units, positions, perUnit: new Float64Array(units), seen: 0 };
      });
    this.probe = probe;
    return probe;
  }
}

/** Σx² over buffers, in float64. */
function sumOfSquares(bound: BoundPlan, ids: readonly number[]): number {
  let s = 0;
  for (const id of ids) {
    const v = bound.view(id);
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  }
  return s;
}

/** Adds a step's `n` samples of one activation output (units on the last axis) to the tally. */
function tallyUnits(
  tally: Tally,
  activation: ObservedActivation['activation'],
  y: Float32Array,
  n: number,
): void {
  const units = tally.units;
  const rows = n * tally.positions;
  const count = rows * units;
  const per = tally.perUnit;
  if (activation === 'relu') {
    for (let i = 0; i < count; i += units)
      for (let u = 0; u < units; u++) if (y[i + u] !== 0) per[u] = 1;
  } else if (activation === 'sigmoid') {
    for (let i = 0; i < count; i += units)
      for (let u = 0; u < units; u++) {
        const v = y[i + u]!;
        if (v < SIGMOID_LOW || v > SIGMOID_HIGH) per[u]!++;
      }
  } else {
    for (let i = 0; i < count; i += units)
      for (let u = 0; u < units; u++) if (Math.abs(y[i + u]!) > TANH_LIMIT) per[u]!++;
  }
  tally.seen += rows;
}

function share(tally: Tally, counts: (v: number) => boolean): number {
  let k = 0;
  for (let u = 0; u < tally.units; u++) if (counts(tally.perUnit[u]!)) k++;
  return tally.units > 0 ? k / tally.units : 0;
}

/** Three significant digits, in exponent form outside [1e-3, 1e4). */
export function formatNumber(x: number): string {
  return x === 0
    ? '0'
    : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4
      ? x.toPrecision(3)
      : x.toExponential(2);
}

/** A share as a whole percentage. */
export function formatPercent(x: number): string {
  return `${Math.round(x * 100)}%`;
}
