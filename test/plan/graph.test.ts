/**
 * The plan on graphs, which .nn chains never make: a value read by several layers (its
 * gradient summed by an `add` step), Add joining branches, residual connections, frozen
 * branches. Each graph is lowered in both modes with the verifier after every pass; its
 * inference output is checked against a plain float64 interpreter, and every weight gradient
 * of its training plan against central finite differences of the loss — computed by running
 * the inference plan on perturbed weights (float32), and by the float64 interpreter.
 */
import { describe, expect, it } from 'vitest';
import { planCompiled, verifyPlan, type Plan } from 'nnlang';
import { jsBackend, Memory, type BoundPlan } from '../../src/backends/index.js';
import { Rng } from '../../src/kernels/random.js';
import type { ModelGraph } from '../../src/layers/index.js';
import { createOptimizer } from '../../src/optim/index.js';
import { layoutParams, type ParamLayout, type PlanWeight } from '../../src/plan/index.js';
import { expectClose } from '../kernels/naive.js';
import { compiledOf, GraphBuilder, referenceForward } from './graphs.js';

interface Case {
  name: string;
  graph: ModelGraph;
  /** Per node: how many `add` steps sum its gradient (consumers on a trained path − 1). */
  sums: Record<string, number>;
  /** Whether the float64 interpreter computes the whole loss (it knows no activity regularizers). */
  reference: boolean;
}

const fanOut = (a = '', b = '') =>
  new GraphBuilder(3)
    .dense('a', 'x', 4, 'tanh', a)
    .dense('b', 'a', 2, 'sigmoid', b)
    .dense('c', 'a', 2, 'linear')
    .add('out', 'b', 'c')
    .build('out');

const cases: Case[] = [
  {
    name: 'fan-out into Add: a → b, a → c, Add(b, c)',
    graph: fanOut(),
    sums: { a: 1 },
    reference: true,
  },
  {
    name: 'residual: Add(h, x) from the input, then Add(h2, s) around a Dense',
    graph: new GraphBuilder(4)
      .dense('h', 'x', 4, 'tanh')
      .add('s', 'h', 'x')
      .dense('h2', 's', 4, 'tanh')
      .add('r', 'h2', 's')
      .dense('out', 'r', 2, 'linear')
      .build('out'),
    sums: { s: 1, h: 0, h2: 0 },
    reference: true,
  },
  {
    name: 'three consumers and a three-input Add',
    graph: new GraphBuilder(3)
      .dense('a', 'x', 4, 'tanh')
      .dense('b', 'a', 2, 'tanh')
      .dense('c', 'a', 2, 'sigmoid')
      .dense('d', 'a', 2, 'linear')
      .add('out', 'b', 'c', 'd')
      .build('out'),
    sums: { a: 2 },
    reference: true,
  },
  {
    name: 'a long skip: Add(c, a) over two Dense layers',
    graph: new GraphBuilder(3)
      .dense('a', 'x', 4, 'tanh')
      .dense('b', 'a', 4, 'tanh')
      .dense('c', 'b', 4, 'sigmoid')
      .add('out', 'c', 'a')
      .build('out'),
    sums: { a: 1, b: 0, c: 0 },
    reference: true,
  },
  {
    name: 'Add(a, a): one value read twice by the same layer',
    graph: new GraphBuilder(3)
      .dense('a', 'x', 3, 'tanh')
      .add('s', 'a', 'a')
      .dense('out', 's', 2, 'linear')
      .build('out'),
    sums: { a: 1 },
    reference: true,
  },
  {
    name: 'a frozen branch still passes the gradient on',
    graph: fanOut('', ', trainable=False'),
    sums: { a: 1 },
    reference: true,
  },
  {
    name: 'a frozen first layer needs no gradient, so nothing is summed',
    graph: fanOut(', trainable=False'),
    sums: { a: 0 },
    reference: true,
  },
  {
    name: 'activity regularizers on the fanned-out value and on an Add input',
    graph: fanOut(', activity_regularizer=l2(0.05)', ', activity_regularizer=l1(0.02)'),
    sums: { a: 1 },
    reference: false,
  },
];

/** Capacity of the plans, and the rows each run uses (fewer: a last, short batch). */
const capacity = 8;
const rows = 5;

interface Setup {
  graph: ModelGraph;
  layout: ParamLayout;
  memory: Memory;
  training: Plan;
  inference: Plan;
  train: BoundPlan;
  infer: BoundPlan;
  x: Float32Array;
  y: Float32Array;
  /** What the verifier said after each pass, in both modes: empty when sound. */
  problems: string[];
}

function setUp(graph: ModelGraph, learningRate: number): Setup {
  const compiled = compiledOf(graph, learningRate);
  const problems: string[] = [];
  const plan = (mode: 'inference' | 'training') =>
    planCompiled(compiled, graph, {
      mode,
      batchSize: capacity,
      onPass: (pass, p) => problems.push(...verifyPlan(p).map((m) => `${mode}/${pass}: ${m}`)),
    });
  const training = plan('training');
  const inference = plan('inference');
  const layout = layoutParams(graph.layers);
  const memory = new Memory(jsBackend, training.paramSize);
  const train = memory.bind(training, {
    rng: new Rng(1),
    optimizer: createOptimizer(compiled.training!.optimizer),
  });
  const infer = memory.bind(inference, { rng: new Rng(1) });
  const rng = new Rng(7);
  const params = memory.params;
  for (let i = 0; i < layout.weightSize; i++) params[i] = rng.normal() * 0.6;
  const inSize = graph.inputShape![1]!;
  const outSize = training.buffers[training.outputs[0]!]!.size;
  const x = Float32Array.from({ length: rows * inSize }, () => rng.normal());
  const y = Float32Array.from({ length: rows * outSize }, () => rng.normal());
  return { graph, layout, memory, training, inference, train, infer, x, y, problems };
}

/** mse of `out` against the targets, in float64. */
function mse(out: ArrayLike<number>, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (out[i]! - y[i]!) ** 2;
  return sum / y.length;
}

/** Keras's training loss by the inference plan: mse plus the activity penalties over the batch size. */
function planLoss(s: Setup): number {
  const p = s.inference;
  s.infer.view(p.inputs[0]!).set(s.x);
  if (p.penalty !== null) s.infer.view(p.penalty)[0] = 0;
  s.infer.run(rows);
  const penalty = p.penalty === null ? 0 : s.infer.view(p.penalty)[0]! / rows;
  return mse(s.infer.view(p.outputs[0]!), s.y) + penalty;
}

function referenceLoss(s: Setup): number {
  return mse(referenceForward(s.graph, s.layout, s.memory.params, s.x, rows), s.y);
}

const trained = (p: Plan) => p.weights.filter((w) => w.grad !== null);

/** One training run; the gradient buffers are filled with NaN first, so each must be written. */
function runTraining(s: Setup): void {
  const p = s.training;
  for (const w of trained(p)) s.train.view(w.grad!).fill(NaN);
  s.train.view(p.inputs[0]!).set(s.x);
  s.train.view(p.targets[0]!).set(s.y);
  s.train.run(rows);
}

/** ∂loss/∂w by central differences, dividing by the float32 weights' actual difference. */
function finiteDifferences(s: Setup, w: PlanWeight, h: number, loss: () => number): Float64Array {
  const view = s.train.view(w.buffer);
  const grad = new Float64Array(view.length);
  for (let j = 0; j < view.length; j++) {
    const orig = view[j]!;
    view[j] = orig + h;
    const up = view[j]!;
    const lossUp = loss();
    view[j] = orig - h;
    const down = view[j]!;
    const lossDown = loss();
    view[j] = orig;
    grad[j] = (lossUp - lossDown) / (up - down);
  }
  return grad;
}

/** `add` steps whose output is a gradient of `node`'s value. */
function gradientSums(plan: Plan, node: string) {
  return plan.steps.filter(
    (s) => s.op === 'add' && s.layer === node && plan.buffers[s.outputs[0]!]!.role === 'gradient',
  );
}

describe.each(cases)('$name', ({ graph, sums, reference }) => {
  it('verifies after every pass in both modes', () => {
    expect(setUp(graph, 0).problems).toEqual([]);
  });

  it('sums a fanned-out gradient with an add step, read after it', () => {
    const { training } = setUp(graph, 0);
    for (const [node, count] of Object.entries(sums)) {
      const steps = gradientSums(training, node);
      expect(steps.length, node).toBe(count);
      for (const add of steps) {
        const at = training.steps.indexOf(add);
        const readLater = training.steps
          .slice(at + 1)
          .some((s) => s.inputs.includes(add.outputs[0]!));
        expect(readLater, `${node}: the sum is read`).toBe(true);
      }
    }
  });

  it('infers what a float64 hand computation does', () => {
    const s = setUp(graph, 0);
    s.infer.view(s.inference.inputs[0]!).set(s.x);
    s.infer.run(rows);
    const out = s.infer.view(s.inference.outputs[0]!).subarray(0, s.y.length);
    const want = referenceForward(graph, s.layout, s.memory.params, s.x, rows);
    expectClose(out, want, 1e-5, 1e-6, 'output');
  });

  it('computes every weight gradient as central finite differences do', () => {
    const s = setUp(graph, 0);
    runTraining(s);
    expect(Number.isFinite(s.train.view(s.training.loss!)[0]!)).toBe(true);
    expect(s.train.view(s.training.loss!)[0]!).toBeCloseTo(planLoss(s), 5);
    for (const w of trained(s.training)) {
      const what = `${w.layer}/${w.name}`;
      const got = Float64Array.from(s.train.view(w.grad!));
      expect(Math.max(...got.map(Math.abs)), `${what} is not trivially zero`).toBeGreaterThan(1e-3);
      // float32 loss: a wide step; its O(h²) error and rounding fit the tolerance.
      expectClose(
        got,
        finiteDifferences(s, w, 1e-2, () => planLoss(s)),
        1e-2,
        2e-4,
        what,
      );
      if (reference)
        expectClose(
          got,
          finiteDifferences(s, w, 1e-3, () => referenceLoss(s)),
          2e-3,
          2e-5,
          what,
        );
    }
    // The frozen weights have no gradient buffer and stay out of the optimizer.
    const frozen = s.training.weights.filter((w) => !w.trainable);
    for (const w of frozen) expect(w.grad, `${w.layer}/${w.name}`).toBeNull();
  });

  it('moves every trained weight by −lr·g in the same run (SGD)', () => {
    const lr = 0.1;
    const s = setUp(graph, lr);
    const before = Float32Array.from(s.memory.params.subarray(0, s.layout.weightSize));
    runTraining(s);
    for (const w of s.training.weights) {
      const e = s.layout.entries.find((e) => e.layer === w.layer && e.name === w.name)!;
      const after = s.train.view(w.buffer);
      const delta = Float64Array.from(after, (v, j) => v - before[e.offset + j]!);
      const what = `${w.layer}/${w.name}`;
      if (w.grad === null)
        expect(
          delta.every((d) => d === 0),
          `${what} is frozen`,
        ).toBe(true);
      else
        expectClose(
          delta,
          Float64Array.from(s.train.view(w.grad), (g) => -lr * g),
          1e-4,
          2e-7,
          what,
        );
    }
  });
});

describe('a layer the output does not depend on', () => {
  // x → a → c (the output); b also reads a but leads nowhere. Keras has no gradient for b's
  // weights and its optimizer leaves them alone (no step, no decay, no state); so must the plan.
  const graph = new GraphBuilder(3)
    .dense('a', 'x', 4, 'tanh')
    .dense('b', 'a', 2, 'linear')
    .dense('c', 'a', 2, 'linear')
    .build('c');

  it('gets no gradient buffers, no optimizer slot, and keeps its weights', () => {
    const s = setUp(graph, 0.1);
    expect(s.problems).toEqual([]);
    const b = s.training.weights.filter((w) => w.layer === 'b');
    expect(b.map((w) => w.grad)).toEqual([null, null]);
    const update = s.training.steps.at(-1)!;
    expect(update.op === 'optimizer' && update.attrs.weights.map((w) => w.name)).toEqual([
      'a/kernel',
      'a/bias',
      'c/kernel',
      'c/bias',
    ]);
    const before = b.map((w) => Float32Array.from(s.train.view(w.buffer)));
    runTraining(s);
    b.forEach((w, i) => expect(Array.from(s.train.view(w.buffer))).toEqual(Array.from(before[i]!)));
  });
});
