/**
 * The wasm backend's loss steps (asm/losses.ts through src/backends/wasm-losses.ts) against the
 * JavaScript kernels they replace, on the same inputs: the fused softmax and sigmoid
 * cross-entropies and the `loss` step's losses, every reduction, label smoothing, masks (some
 * rows, all rows), ignore_class, and edge values — exact 0/1 probabilities, logits at ±80, NaN
 * in, sparse targets out of range. The value and every gradient element within 1e-6 relative
 * (measured: ≤ 2e-7 on the values, gradients equal to the float32 but for float64 summation order).
 */
import { describe, expect, it } from 'vitest';
import type { StepOf } from '../../src/ir/index.js';
import { createWasmBackend, jsBackend, wasmTier } from '../../src/backends/index.js';
import { relaxedKernels, simdKernels } from '../../src/backends/wasm-binary.js';
import { allocateBlock } from '../../src/backends/wasm-block.js';
import { bindWasmLoss } from '../../src/backends/wasm-losses.js';
import { resolveLoss } from '../../src/kernels/index.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose } from '../kernels/naive.js';
import { layout } from './wasm-layout.js';

const tier = wasmTier();
const tiers = (['simd', 'relaxed'] as const).filter((t) => t === 'simd' || tier === 'relaxed');

type LossStep = StepOf<'loss'> | StepOf<'softmax_cross_entropy'> | StepOf<'sigmoid_cross_entropy'>;

/** The tolerance of the brief: 1e-6 relative, on the value and on each gradient element. */
const REL = 1e-6;

interface Case {
  step: LossStep;
  /** The step's inputs (the mask last when masked). */
  inputs: Float32Array[];
  /** Samples run (≤ the batch the buffers hold). */
  n: number;
}

/** A step of `op` for a resolved loss; perSample rows of `cols` each. */
function stepOf(
  op: LossStep['op'],
  name: string,
  args: Record<string, unknown>,
  perSample: number,
  cols: number,
  masked: boolean,
): LossStep {
  const loss = resolveLoss(name, args);
  const sparse = loss.name === 'sparse_categorical_crossentropy';
  const attrs = { rows: perSample, cols, loss, ...(masked ? { masked } : {}) };
  const inputs = op === 'loss' ? [0, 1] : [0, 1, 2];
  if (masked) inputs.push(inputs.length);
  const base = { layer: 'out', inputs, outputs: [10, 11] };
  if (op === 'loss') return { ...base, op, attrs };
  return { ...base, op, attrs: { ...attrs, sparse } };
}

/** Runs the step on the JavaScript kernels: the loss and the gradient, or the error thrown. */
function runJs(c: Case): { loss: Float32Array; grad: Float32Array } | Error {
  const inputs = c.inputs.map((a) => a.slice());
  const loss = new Float32Array(1);
  const grad = new Float32Array(c.inputs[0]!.length).fill(7);
  try {
    jsBackend.bind(c.step, { inputs, outputs: [loss, grad] }, { rng: new Rng(1) })(c.n);
  } catch (e) {
    return e as Error;
  }
  return { loss, grad };
}

/** Runs it on wasm, asserting the wasm kernels took it (not the JavaScript fallback). */
function runWasm(
  which: 'simd' | 'relaxed',
  c: Case,
): { loss: Float32Array; grad: Float32Array } | Error {
  const arrays = [...c.inputs, new Float32Array(1), new Float32Array(c.inputs[0]!.length).fill(7)];
  const { block, views, addr } = layout(which, arrays);
  const inputs = views.slice(0, c.inputs.length);
  const outputs = views.slice(c.inputs.length);
  const run = bindWasmLoss(block, c.step, addr, { inputs, outputs }, { rng: new Rng(1) });
  expect(run, `${c.step.attrs.loss.name} binds on wasm`).not.toBeNull();
  try {
    run!(c.n);
  } catch (e) {
    return e as Error;
  }
  return { loss: outputs[0]!, grad: outputs[1]! };
}

/** The largest relative difference seen, per kind of output, reported at the end. */
const worst = { value: 0, grad: 0 };

function relDiff(a: number, e: number): number {
  if (a === e || (Number.isNaN(a) && Number.isNaN(e))) return 0;
  return Math.abs(a - e) / Math.abs(e);
}

/** Wasm against JavaScript on one case, for each tier. */
function check(c: Case, what: string): void {
  const expected = runJs(c);
  for (const which of tiers) {
    const actual = runWasm(which, c);
    if (expected instanceof Error) {
      expect(actual, what).toBeInstanceOf(Error);
      expect((actual as Error).message, what).toBe(expected.message);
      continue;
    }
    expect(actual, what).not.toBeInstanceOf(Error);
    const got = actual as { loss: Float32Array; grad: Float32Array };
    expectClose(got.loss, expected.loss, REL, 0, `${what} (${which}): value`);
    expectClose(got.grad, expected.grad, REL, 0, `${what} (${which}): gradient`);
    worst.value = Math.max(worst.value, relDiff(got.loss[0]!, expected.loss[0]!));
    for (let i = 0; i < got.grad.length; i++)
      worst.grad = Math.max(worst.grad, relDiff(got.grad[i]!, expected.grad[i]!));
  }
}

// ------------------------------------------------------------------------------- data

const rng = new Rng(12);

function uniform(n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** Row-wise softmax (or elementwise sigmoid) of logits, in float64 rounded to float32. */
function activate(logits: Float32Array, cols: number, softmax: boolean): Float32Array {
  const p = new Float32Array(logits.length);
  for (let o = 0; o < logits.length; o += cols) {
    if (!softmax) {
      for (let j = o; j < o + cols; j++) p[j] = 1 / (1 + Math.exp(-logits[j]!));
      continue;
    }
    let m = -Infinity;
    for (let j = o; j < o + cols; j++) m = Math.max(m, logits[j]!);
    let s = 0;
    for (let j = o; j < o + cols; j++) s += Math.exp(logits[j]! - m);
    for (let j = o; j < o + cols; j++) p[j] = Math.exp(logits[j]! - m) / s;
  }
  return p;
}

/** One-hot (or soft: random rows summing to 1) targets. */
function denseTargets(rows: number, cols: number, soft: boolean): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (!soft) {
      y[r * cols + Math.floor(rng.uniform() * cols)] = 1;
      continue;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) s += y[r * cols + j] = rng.uniform();
    for (let j = 0; j < cols; j++) y[r * cols + j] = y[r * cols + j]! / s;
  }
  return y;
}

function classIndices(rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows }, () => Math.floor(rng.uniform() * cols));
}

/** A row mask: 'some' drops about a third of the rows, 'all' every one. */
function rowMask(rows: number, kind: 'some' | 'all'): Float32Array {
  return Float32Array.from({ length: rows }, () =>
    kind === 'all' || rng.uniform() < 0.35 ? 0 : 1,
  );
}

/** Logits with edge values mixed in: ±80, and (nan) a NaN. */
function edgeLogits(n: number, nan: boolean): Float32Array {
  const x = uniform(n, -6, 6);
  for (let i = 0; i < n; i += 7) x[i] = i % 2 ? 80 : -80;
  if (nan && n > 3) x[3] = Number.NaN;
  return x;
}

// ------------------------------------------------------------------------------- cases

/** Batches of 6 samples, 5 run; 2 rows per sample (a sequence output) in some cases. */
const SHAPES: [perSample: number, cols: number][] = [
  [1, 1],
  [1, 3],
  [1, 4],
  [2, 5],
  [1, 10],
  [2, 17],
];
const BATCH = 6;
const N = 5;

describe.skipIf(tier === null)('wasm fused cross-entropies vs the JavaScript kernels', () => {
  for (const [perSample, cols] of SHAPES) {
    const rows = BATCH * perSample;
    for (const masking of ['none', 'some', 'all'] as const) {
      const masked = masking !== 'none';
      const mask = () => (masking === 'none' ? [] : [rowMask(rows, masking)]);
      it(`softmax, ${perSample}×${cols}, mask ${masking}`, () => {
        const step = (name: string, ls = 0) =>
          stepOf(
            'softmax_cross_entropy',
            name,
            ls ? { label_smoothing: ls } : {},
            perSample,
            cols,
            masked,
          );
        const run = (
          name: string,
          ls: number,
          logits: Float32Array,
          y: Float32Array,
          what: string,
        ) => {
          const inputs = [activate(logits, cols, true), y, logits, ...mask()];
          check({ step: step(name, ls), inputs, n: N }, what);
        };
        for (const ls of [0, 0.1]) {
          for (const soft of [false, true]) {
            const y = denseTargets(rows, cols, soft);
            run(
              'categorical_crossentropy',
              ls,
              uniform(rows * cols, -5, 5),
              y,
              `cce ls=${ls} soft=${soft}`,
            );
          }
          const y = denseTargets(rows, cols, false);
          run(
            'categorical_crossentropy',
            ls,
            edgeLogits(rows * cols, false),
            y,
            `cce ±80 ls=${ls}`,
          );
        }
        const indices = classIndices(rows, cols);
        run(
          'sparse_categorical_crossentropy',
          0,
          edgeLogits(rows * cols, false),
          indices,
          'sparse ±80',
        );
      });
      it(`sigmoid, ${perSample}×${cols}, mask ${masking}`, () => {
        for (const ls of [0, 0.2]) {
          for (const logits of [uniform(rows * cols, -5, 5), edgeLogits(rows * cols, false)]) {
            const probs = activate(logits, cols, false);
            const y = uniform(rows * cols, 0, 1).map((v) => (v < 0.5 ? 0 : 1));
            const step = stepOf(
              'sigmoid_cross_entropy',
              'binary_crossentropy',
              { label_smoothing: ls },
              perSample,
              cols,
              masked,
            );
            check({ step, inputs: [probs, y, logits, ...mask()], n: N }, `bce ls=${ls}`);
          }
        }
      });
    }
  }

  it('NaN in gives NaN out, as in JavaScript', () => {
    const [rows, cols] = [BATCH, 5];
    const logits = edgeLogits(rows * cols, true);
    for (const name of ['categorical_crossentropy', 'sparse_categorical_crossentropy']) {
      const sparse = name.startsWith('sparse');
      const step = stepOf('softmax_cross_entropy', name, {}, 1, cols, false);
      const y = sparse ? classIndices(rows, cols) : denseTargets(rows, cols, false);
      const c = { step, inputs: [activate(logits, cols, true), y, logits], n: N };
      check(c, `${name} with a NaN logit`);
      expect(Number.isNaN((runJs(c) as { loss: Float32Array }).loss[0])).toBe(true);
    }
    const step = stepOf('sigmoid_cross_entropy', 'binary_crossentropy', {}, 1, cols, false);
    const y = uniform(rows * cols, 0, 1);
    check(
      { step, inputs: [activate(logits, cols, false), y, logits], n: N },
      'bce with a NaN logit',
    );
  });

  it('a sparse target outside the classes fails as in JavaScript, unless its row is masked', () => {
    const [rows, cols] = [BATCH, 4];
    const logits = uniform(rows * cols, -3, 3);
    const probs = activate(logits, cols, true);
    for (const bad of [4, -1, Number.NaN, 1e9]) {
      const y = classIndices(rows, cols);
      y[2] = bad;
      const step = stepOf(
        'softmax_cross_entropy',
        'sparse_categorical_crossentropy',
        {},
        1,
        cols,
        false,
      );
      const c = { step, inputs: [probs, y, logits], n: N };
      expect(runJs(c)).toBeInstanceOf(Error);
      check(c, `target ${bad}`);
      const maskedStep = stepOf(
        'softmax_cross_entropy',
        'sparse_categorical_crossentropy',
        {},
        1,
        cols,
        true,
      );
      const mask = new Float32Array(rows).fill(1);
      mask[2] = 0;
      const m = { step: maskedStep, inputs: [probs, y, logits, mask], n: N };
      expect(runJs(m)).not.toBeInstanceOf(Error);
      check(m, `target ${bad} in a masked row`);
    }
  });

  it('leaves to JavaScript what the planner never fuses: other reductions, ignore_class', () => {
    const { block, data } = allocateBlock(tiers[0]!, 64);
    const views = {
      inputs: [data.subarray(0, 8), data.subarray(8, 10), data.subarray(12, 20)],
      outputs: [data.subarray(20, 21), data.subarray(24, 32)],
    };
    const at = [...views.inputs, ...views.outputs].map((v) => v.byteOffset);
    const ctx = { rng: new Rng(1) };
    for (const args of [{ reduction: 'sum' }, { reduction: 'none' }, { ignore_class: 0 }]) {
      const step = stepOf(
        'softmax_cross_entropy',
        'sparse_categorical_crossentropy',
        args,
        1,
        4,
        false,
      );
      expect(bindWasmLoss(block, step, at, views, ctx)).toBeNull();
    }
  });
});

/** The `loss` step's losses on wasm, with the inputs each is tested on. */
const LOSSES: { name: string; args: Record<string, unknown>; pred: (n: number) => Float32Array }[] =
  [
    { name: 'mean_squared_error', args: {}, pred: (n) => uniform(n, -3, 3) },
    { name: 'mean_absolute_error', args: {}, pred: (n) => uniform(n, -3, 3) },
    { name: 'mean_absolute_percentage_error', args: {}, pred: (n) => uniform(n, -3, 3) },
    { name: 'huber', args: {}, pred: (n) => uniform(n, -3, 3) },
    { name: 'huber', args: { delta: 0.25 }, pred: (n) => uniform(n, -3, 3) },
    { name: 'binary_crossentropy', args: {}, pred: (n) => probabilities(n) },
    { name: 'binary_crossentropy', args: { label_smoothing: 0.1 }, pred: (n) => probabilities(n) },
    { name: 'categorical_crossentropy', args: {}, pred: (n) => probabilities(n) },
    {
      name: 'categorical_crossentropy',
      args: { label_smoothing: 0.1 },
      pred: (n) => probabilities(n),
    },
  ];

/** Probabilities with exact 0s and 1s, and values near both ends, mixed in. */
function probabilities(n: number): Float32Array {
  const p = uniform(n, 0, 1);
  const edges = [0, 1, 1e-9, 1 - 1e-8, 0.99999994, 5e-8];
  for (let i = 0; i < n; i += 3) p[i] = edges[(i / 3) % edges.length]!;
  return p;
}

/** Regression targets with exact zeros (MAPE's ε) and values equal to the prediction. */
function targetsFor(name: string, pred: Float32Array, cols: number): Float32Array {
  const rows = pred.length / cols;
  if (name === 'categorical_crossentropy') return denseTargets(rows, cols, rng.uniform() < 0.5);
  if (name === 'binary_crossentropy')
    return uniform(pred.length, 0, 1).map((v) => (v < 0.3 ? 0 : v < 0.6 ? 1 : v));
  const y = uniform(pred.length, -3, 3);
  for (let i = 0; i < y.length; i += 5) y[i] = i % 10 ? 0 : pred[i]!;
  return y;
}

describe.skipIf(tier === null)('wasm loss step vs the JavaScript kernels', () => {
  const reductions = ['sum_over_batch_size', 'sum', 'mean', 'mean_with_sample_weight', null];
  for (const { name, args, pred } of LOSSES) {
    it(`${name} ${JSON.stringify(args)}`, () => {
      for (const [perSample, cols] of SHAPES) {
        const rows = BATCH * perSample;
        for (const reduction of reductions) {
          for (const masking of ['none', 'some', 'all'] as const) {
            const masked = masking !== 'none';
            const step = stepOf('loss', name, { ...args, reduction }, perSample, cols, masked);
            const yPred = pred(rows * cols);
            const inputs = [yPred, targetsFor(name, yPred, cols)];
            if (masked) inputs.push(rowMask(rows, masking));
            check(
              { step, inputs, n: N },
              `${perSample}×${cols} ${String(reduction)} mask ${masking}`,
            );
          }
        }
      }
    });
  }

  it('sparse_categorical_crossentropy on probabilities, with ignore_class and bad targets', () => {
    for (const [perSample, cols] of SHAPES) {
      const rows = BATCH * perSample;
      for (const args of [{}, { ignore_class: 1 }, { reduction: 'sum' }, { reduction: null }]) {
        for (const masking of ['none', 'some', 'all'] as const) {
          const masked = masking !== 'none';
          const step = stepOf(
            'loss',
            'sparse_categorical_crossentropy',
            args,
            perSample,
            cols,
            masked,
          );
          const inputs = [probabilities(rows * cols), classIndices(rows, cols)];
          if (masked) inputs.push(rowMask(rows, masking));
          check(
            { step, inputs, n: N },
            `${perSample}×${cols} ${JSON.stringify(args)} mask ${masking}`,
          );
        }
      }
    }
    const step = stepOf(
      'loss',
      'sparse_categorical_crossentropy',
      { ignore_class: 7 },
      1,
      3,
      false,
    );
    const y = classIndices(BATCH, 3);
    y[1] = 7; // ignored: no error
    check(
      { step, inputs: [probabilities(BATCH * 3), y], n: N },
      'an ignored target outside the classes',
    );
    y[2] = 3;
    check({ step, inputs: [probabilities(BATCH * 3), y], n: N }, 'a target outside the classes');
  });

  it('NaN in gives NaN out, as in JavaScript', () => {
    for (const { name, args, pred } of LOSSES) {
      const yPred = pred(BATCH * 4);
      yPred[5] = Number.NaN;
      const step = stepOf('loss', name, args, 1, 4, false);
      const c = { step, inputs: [yPred, targetsFor(name, yPred, 4)], n: N };
      check(c, `${name} with a NaN prediction`);
      expect(Number.isNaN((runJs(c) as { loss: Float32Array }).loss[0]), name).toBe(true);
    }
  });

  it('leaves the other losses, and from_logits, to JavaScript', () => {
    const { block, data } = allocateBlock(tiers[0]!, 64);
    const views = {
      inputs: [data.subarray(0, 8), data.subarray(8, 16)],
      outputs: [data.subarray(16, 17), data.subarray(20, 28)],
    };
    const at = [...views.inputs, ...views.outputs].map((v) => v.byteOffset);
    const ctx = { rng: new Rng(1) };
    for (const [name, args] of [
      ['binary_crossentropy', { from_logits: true }],
      ['categorical_crossentropy', { from_logits: true }],
      ['log_cosh', {}],
      ['hinge', {}],
      ['kl_divergence', {}],
      ['binary_focal_crossentropy', {}],
    ] as const) {
      expect(
        bindWasmLoss(block, stepOf('loss', name, args, 1, 4, false), at, views, ctx),
        name,
      ).toBeNull();
    }
  });
});

/** The ids of a wasm binary's sections (header, then id byte and LEB128 size for each). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    ids.push(bytes[at++]!);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++]!;
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    at += size;
  }
  return ids;
}

describe('the kernels keep nothing in the memory they import', () => {
  // A data segment (AssemblyScript's Math.log tables, a string) would be written at the low
  // addresses of the block, where the arenas start at byte 64, and be overwritten by them.
  for (const [name, b64] of [
    ['simd', simdKernels],
    ['relaxed', relaxedKernels],
  ] as const) {
    it(`${name}: no data section`, () => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      expect(sectionIds(bytes)).toContain(10); // the code section: the parse found the sections
      expect(sectionIds(bytes)).not.toContain(11);
    });
  }
});

describe.skipIf(tier === null)('the wasm backend binds the loss steps', () => {
  it('runs them in its block: a session step through createWasmBackend', () => {
    const backend = createWasmBackend('simd');
    const data = backend.allocate(64);
    const [rows, cols] = [4, 3];
    const logits = uniform(rows * cols, -2, 2);
    const inputs = [activate(logits, cols, true), denseTargets(rows, cols, false), logits];
    let at = 0;
    const place = (a: Float32Array) => {
      const v = data.subarray(at, at + a.length);
      v.set(a);
      at += Math.ceil(a.length / 4) * 4;
      return v;
    };
    const views = inputs.map(place);
    const outputs = [place(new Float32Array(1)), place(new Float32Array(rows * cols))];
    const step = stepOf('softmax_cross_entropy', 'categorical_crossentropy', {}, 1, cols, false);
    backend.bind(step, { inputs: views, outputs }, { rng: new Rng(1) })(rows);
    const expected = runJs({ step, inputs, n: rows }) as { loss: Float32Array; grad: Float32Array };
    expectClose(outputs[0]!, expected.loss, REL, 0, 'value');
    expectClose(outputs[1]!, expected.grad, REL, 0, 'gradient');
  });

  it('reports the largest differences seen', () => {
    // Printed for the record (the brief asks what was measured); the bounds are asserted above.
    console.log(
      `wasm losses vs JavaScript: value ${worst.value.toExponential(2)}, gradient ${worst.grad.toExponential(2)} relative`,
    );
    expect(worst.value).toBeLessThanOrEqual(REL);
  });
});
