/**
 * The backend seam: a backend that delegates to jsBackend but counts what it is asked to do
 * shows that a session allocates one block (grown, never per run), binds each step of a plan
 * once (not per run) and computes bit for bit what jsBackend does. Then `Memory` growth: the
 * parameter arena (weights, gradients, optimizer state, moving statistics) moves bit for bit,
 * bound plans and the optimizer follow it, and training goes on exactly as in a memory that
 * was large from the start.
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompiledModel, type Plan } from 'nnlang';
import {
  jsBackend,
  Memory,
  type Backend,
  type BindContext,
  type BoundPlan,
  type Run,
  type StepViews,
} from '../../src/backends/index.js';
import type { PlanStep } from '../../src/ir/index.js';
import { Rng } from '../../src/kernels/random.js';
import { createOptimizer } from '../../src/optim/index.js';
import { planCompiled } from '../../src/plan/index.js';
import { Session } from '../../src/runtime/session.js';

/** jsBackend, counting allocations, binds per step, and runs. */
class CountingBackend implements Backend {
  readonly name = 'counting';
  readonly allocations: number[] = [];
  readonly blocks: Float32Array[] = [];
  readonly binds = new Map<PlanStep, number>();
  readonly ops: string[] = [];
  runs = 0;

  allocate(floats: number): Float32Array {
    this.allocations.push(floats);
    const block = jsBackend.allocate(floats);
    this.blocks.push(block);
    return block;
  }

  bind(step: PlanStep, views: StepViews, ctx: BindContext): Run {
    this.binds.set(step, (this.binds.get(step) ?? 0) + 1);
    this.ops.push(step.op);
    const run = jsBackend.bind(step, views, ctx);
    return (n) => {
      this.runs++;
      run(n);
    };
  }
}

// BatchNormalization: moving statistics in the parameter arena, and a folded (prepared) Dense
// at inference; Dropout: the session's generator; Adam: optimizer state.
const source = `
Input(4) -> Dense(8) -> BatchNormalization() -> Activation('relu') -> Dropout(0.25) -> Dense(3, softmax)
compile(Adam(learning_rate=0.01), categorical_crossentropy)
`;

function model(): CompiledModel {
  const result = compile(source);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.models[0]!;
}

function data(rows: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * 4 }, () => rng.normal());
  const y = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) y[r * 3 + rng.below(3)] = 1;
  return { x, y };
}

/** Bit patterns, so NaN and −0 compare exactly. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const align = (n: number) => Math.ceil(n / 4) * 4;

describe('a session through a wrapping backend', () => {
  const batch = 16;
  const { x, y } = data(40, 3);

  /** Trains on 16, 16 and 8 rows twice, predicting after each pass: losses, predictions, weights. */
  function session(backend: Backend) {
    const s = new Session(model(), 11, backend);
    const losses: number[] = [];
    const predictions: Float32Array[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let start = 0; start < 40; start += batch) {
        const n = Math.min(batch, 40 - start);
        losses.push(s.step(x.subarray(start * 4), y.subarray(start * 3), n, null, batch));
      }
      predictions.push(s.forward({ data: x, rows: 40, cols: 4 }, batch).outputs);
    }
    return { s, losses, predictions };
  }

  it('allocates one block, binds each step once, and computes what jsBackend does, bit for bit', () => {
    const counting = new CountingBackend();
    const wrapped = session(counting);
    const plain = session(jsBackend);

    expect(wrapped.losses).toEqual(plain.losses);
    wrapped.predictions.forEach((p, i) => expect(bits(p)).toEqual(bits(plain.predictions[i]!)));
    const memory = wrapped.s.memory!;
    expect(bits(memory.params)).toEqual(bits(plain.s.memory!.params));

    const training = wrapped.s.plan('training', batch).plan;
    const inference = wrapped.s.plan('inference', batch).plan;
    // The build allocates the weights; the first plan bound (training) grows the block once to
    // hold its gradients, optimizer state and work arena. The inference plan needs less, so it
    // fits: no third block, and none per run.
    expect(inference.workSize).toBeLessThanOrEqual(training.workSize);
    expect(counting.allocations).toEqual([
      align(inference.paramSize),
      align(training.paramSize) + align(training.workSize),
    ]);
    expect(counting.blocks.at(-1)).toBe(memory.data);
    expect(memory.data.length - memory.workBase).toBe(training.workSize);

    // Every step of both plans was bound exactly once, though they ran 6 and 2 times.
    const steps = [...training.steps, ...inference.prepare, ...inference.steps];
    expect(counting.binds.size).toBe(steps.length);
    for (const step of steps) expect(counting.binds.get(step), step.op).toBe(1);
    expect([...counting.ops].sort()).toEqual(steps.map((s) => s.op).sort());
    // Runs: 6 training batches, 2 predictions of 40 rows in 3 batches each, one fold per
    // prediction (the weights changed in between).
    const ran =
      6 * training.steps.length + 2 * 3 * inference.steps.length + 2 * inference.prepare.length;
    expect(inference.prepare.length).toBe(1);
    expect(counting.runs).toBe(ran);
  });
});

describe('Memory growth', () => {
  const compiled = model();
  const graph = compiled.graph;
  const plan = (mode: Plan['mode'], batchSize: number) =>
    planCompiled(compiled, graph, { mode, batchSize });
  const small = plan('training', 2);
  const large = plan('training', 32);
  const inference = plan('inference', 4);
  const { x, y } = data(32, 5);

  /** A memory with its own generator and optimizer, shared by its plans as a session shares them. */
  function memoryWith(backend: Backend, initial: Float32Array) {
    const memory = new Memory(backend, small.paramSize);
    memory.params.set(initial);
    const ctx = { rng: new Rng(21), optimizer: createOptimizer(compiled.training!.optimizer) };
    const bound = new Map<Plan, BoundPlan>();
    const bind = (p: Plan) =>
      bound.set(p, memory.bind(p, p.mode === 'training' ? ctx : { rng: ctx.rng }));
    const train = (p: Plan, n: number): number => {
      const b = bound.get(p)!;
      b.view(p.inputs[0]!).set(x.subarray(0, n * 4));
      b.view(p.targets[0]!).set(y.subarray(0, n * 3));
      b.run(n);
      return b.view(p.loss!)[0]!;
    };
    const predict = (version: number): number[] => {
      const b = bound.get(inference)!;
      b.prepare(version);
      b.view(inference.inputs[0]!).set(x.subarray(0, 16));
      b.run(4);
      return bits(b.view(inference.outputs[0]!));
    };
    return { memory, bind, train, predict };
  }

  it('moves the parameters bit for bit, and training goes on as with the large block from the start', () => {
    expect(small.paramSize).toBe(large.paramSize);
    expect(large.workSize).toBeGreaterThan(small.workSize);
    expect(large.workSize).toBeGreaterThan(inference.workSize);
    const rng = new Rng(4);
    const initial = new Float32Array(small.paramSize);
    for (let i = 0; i < initial.length; i++) initial[i] = rng.normal() * 0.3;
    for (const w of small.weights)
      if (w.name === 'moving_variance')
        initial.fill(1, small.buffers[w.buffer]!.offset, small.buffers[w.buffer]!.offset + 8);

    const counting = new CountingBackend();
    const growing = memoryWith(counting, initial);
    const roomy = memoryWith(jsBackend, initial);
    roomy.bind(large); // the large block first: nothing moves later
    roomy.bind(small);
    roomy.bind(inference);
    growing.bind(small);
    growing.bind(inference);

    // Three steps in the small block: Adam's moments and BatchNormalization's moving
    // statistics change, then a prediction folds the BatchNormalization into the Dense.
    const losses = [0, 1, 2].map(() => [growing.train(small, 2), roomy.train(small, 2)]);
    for (const [a, b] of losses) expect(a).toBe(b);
    expect(growing.predict(1)).toEqual(roomy.predict(1));
    const before = Float32Array.from(growing.memory.params);
    expect(bits(before)).toEqual(bits(roomy.memory.params));
    const oldBlock = growing.memory.data;
    const bindsBefore = counting.ops.length;

    growing.bind(large);
    expect(growing.memory.data).not.toBe(oldBlock);
    expect(counting.allocations.at(-1)).toBe(growing.memory.workBase + align(large.workSize));
    expect(bits(growing.memory.params)).toEqual(bits(before));
    // Binding the large plan rebound the two plans already there, onto the new block.
    const rebound = [...small.steps, ...inference.prepare, ...inference.steps, ...large.steps];
    expect(counting.ops.length - bindsBefore).toBe(rebound.length);

    // The same version: the folded weights must still be recomputed, in the new block.
    expect(growing.predict(1)).toEqual(roomy.predict(1));
    // Training goes on identically, in both plans, and the state really lives in the new block.
    const adamState = small.buffers.filter((b) => b.role === 'state').map((b) => b.offset);
    for (let i = 0; i < 4; i++) {
      const p = i % 2 === 0 ? large : small;
      const n = p === large ? 32 : 2;
      expect(growing.train(p, n)).toBe(roomy.train(p, n));
      expect(bits(growing.memory.params)).toEqual(bits(roomy.memory.params));
    }
    expect(adamState.some((o) => growing.memory.params[o] !== before[o])).toBe(true);
    expect(growing.predict(2)).toEqual(roomy.predict(2));
  });
});
