/**
 * One emitter per plan op that a forward pass runs: each turns a typed step into the body of the
 * step's function, with the plan's sizes written in as literals so V8 specialises the loops.
 * Every formula is the engine's kernel (src/kernels), operation for operation. Training ops
 * (backward kernels, losses, the optimizer) are in training.ts.
 */
import { concatenate, merge } from './merge.js';
import type { PlanStep, StepOf } from '../ir/index.js';
import type { StepContext, StepEmitter } from './context.js';
import { activationCode } from './activations.js';
import { biasActivation, elementwise, rowActivation } from './epilogue.js';
import { loop, times } from './code.js';
import { numberLiteral as lit } from './literals.js';
import { matmulFns } from './matmul.js';
import { embedding, recurrent, tokenMask } from './recurrent.js';
import { globalPool, permute, spatialCopy } from './reshaping.js';
import { windowForwardEmitters } from './windows.js';

export { EmitError, type StepContext, type StepEmitter } from './context.js';

/** Dense layers this small are unrolled: every weight read at a constant index. */
const unrollLimit = 128;

function dense(s: StepOf<'dense'>, ctx: StepContext): string[] {
  const { rows: rowsPer, in: I, units: U, bias } = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const kernel = ctx.ref(s.inputs[1]!, 'kernel');
  const b = bias ? ctx.ref(s.inputs[2]!, 'bias') : null;
  const y = ctx.ref(s.outputs[0]!, 'y');
  const z = ctx.has(s.outputs[1]) ? ctx.ref(s.outputs[1]!, 'z') : null;
  const pre = z ?? y;
  const act = elementwise(ctx, s.attrs.activation);
  const rowAct = rowActivation(ctx, s.attrs.activation);
  const rows = times(rowsPer);
  const out: string[] = [];
  if (I * U <= unrollLimit && I > 0) {
    // Unrolled: the engine's sums in the same order (k ascending, float64), rounded once.
    const body: string[] = [`const p = r * ${I};`, `const q = r * ${U};`];
    for (let k = 0; k < I; k++) body.push(`const x${k} = ${x}[p${k ? ` + ${k}` : ''}]!;`);
    for (let j = 0; j < U; j++) {
      body.push(`${j === 0 ? 'let ' : ''}s = x0 * ${kernel}[${j}]!;`);
      for (let k = 1; k < I; k++) body.push(`s += x${k} * ${kernel}[${k * U + j}]!;`);
      const at = `q${j ? ` + ${j}` : ''}`;
      const value = b ? `Math.fround(Math.fround(s) + ${b}[${j}]!)` : 'Math.fround(s)';
      if (z) {
        body.push(`${z}[${at}] = ${value};`);
        if (act) body.push(`${y}[${at}] = ${act}(${z}[${at}]!);`);
      } else body.push(`${y}[${at}] = ${act ? `${act}(${value})` : value};`);
    }
    out.push(...loop('r', rows, body));
  } else {
    for (const fn of matmulFns) ctx.use(fn);
    out.push(`matmul(${x}, ${kernel}, ${pre}, ${rows}, ${I}, ${U});`);
    out.push(...biasActivation(ctx, { pre, y, z, bias: b, rows, units: U }, s.attrs.activation));
    return out;
  }
  if (rowAct) out.push(`${rowAct}(${pre}, ${y}, ${rows}, ${U});`);
  return out;
}

function activation(s: StepOf<'activation'>, ctx: StepContext): string[] {
  const { rows, cols, activation: spec } = s.attrs;
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  const code = activationCode(spec);
  if (code.kind === 'rows') return [`${ctx.use(code.fn)}(${x}, ${y}, ${times(rows)}, ${cols});`];
  if (code.kind === 'identity')
    return x === y ? [] : [`${y}.set(${x}.subarray(0, ${times(rows * cols)}));`];
  for (const need of code.needs) ctx.use(need, code.constants);
  const f = ctx.use(code.fn, code.constants);
  return loop('i', times(rows * cols), [`${y}[i] = ${f}(${x}[i]!);`]);
}

function batchNorm(s: StepOf<'batch_norm'>, ctx: StepContext): string[] {
  const { rows, cols: C, epsilon } = s.attrs;
  const [x, gamma, beta, mean, variance] = s.inputs;
  const xs = ctx.ref(x!, 'x');
  const y = ctx.ref(s.outputs[0]!, 'y');
  return loop('c', String(C), [
    `const mean = ${ctx.ref(mean!, 'movingMean')}[c]!;`,
    `const invStd = 1 / Math.sqrt(${ctx.ref(variance!, 'movingVariance')}[c]! + ${lit(epsilon)});`,
    `const scale = ${ctx.has(gamma) ? `${ctx.ref(gamma!, 'gamma')}[c]! * invStd` : 'invStd'};`,
    `const shift = ${ctx.has(beta) ? `${ctx.ref(beta!, 'beta')}[c]!` : '0'};`,
    `for (let p = c; p < ${times(rows * C)}; p += ${C}) {`,
    `  ${y}[p] = (${xs}[p]! - mean) * scale + shift;`,
    '}',
  ]);
}

function layerNorm(s: StepOf<'layer_norm'>, ctx: StepContext): string[] {
  const { rows, cols: C, epsilon } = s.attrs;
  const [xId, gamma, beta] = s.inputs;
  const x = ctx.ref(xId!, 'x');
  const y = ctx.ref(s.outputs[0]!, 'y');
  const saves = [s.outputs[1], s.outputs[2]].map((id, i) =>
    ctx.has(id) ? ctx.ref(id!, i === 0 ? 'rowMean' : 'rowInvStd') : null,
  );
  const g = ctx.has(gamma) ? `${ctx.ref(gamma!, 'gamma')}[c]!` : '1';
  const b = ctx.has(beta) ? ` + ${ctx.ref(beta!, 'beta')}[c]!` : '';
  return loop('r', times(rows), [
    `const off = r * ${C};`,
    'let sum = 0;',
    `for (let p = off; p < off + ${C}; p++) sum += ${x}[p]!;`,
    `const mean = sum / ${C};`,
    'let sq = 0;',
    `for (let p = off; p < off + ${C}; p++) {`,
    `  const d = ${x}[p]! - mean;`,
    '  sq += d * d;',
    '}',
    `const invStd = 1 / Math.sqrt(sq / ${C} + ${lit(epsilon)});`,
    ...(saves[0] ? [`${saves[0]}[r] = mean;`] : []),
    ...(saves[1] ? [`${saves[1]}[r] = invStd;`] : []),
    `for (let c = 0; c < ${C}; c++) {`,
    `  const p = off + c;`,
    `  ${y}[p] = (${x}[p]! - mean) * invStd * ${g}${b};`,
    '}',
  ]);
}

function unitNorm(s: StepOf<'unit_norm'>, ctx: StepContext): string[] {
  const { rows, cols: C } = s.attrs;
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  return loop('r', times(rows), [
    `const off = r * ${C};`,
    'let sq = 0;',
    `for (let p = off; p < off + ${C}; p++) sq += ${x}[p]! * ${x}[p]!;`,
    'const inv = 1 / Math.sqrt(sq > 1e-24 ? sq : 1e-24);',
    `for (let p = off; p < off + ${C}; p++) ${y}[p] = ${x}[p]! * inv;`,
  ]);
}

function prelu(s: StepOf<'prelu'>, ctx: StepContext): string[] {
  const { size, alphaIndex } = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const alpha = ctx.ref(s.inputs[1]!, 'alpha');
  const y = ctx.ref(s.outputs[0]!, 'y');
  const identity = alphaIndex.every((a, i) => a === i);
  // Shared axes map several features to one alpha: the map is written out once.
  const index = identity
    ? 'f'
    : `${ctx.constant(`${s.layer}_alpha_index`, 'Int32Array', alphaIndex)}[f]!`;
  return [
    `for (let r = 0, p = 0; r < n; r++) {`,
    `  for (let f = 0; f < ${size}; f++, p++) {`,
    `    const v = ${x}[p]!;`,
    `    ${y}[p] = v > 0 ? v : ${alpha}[${index}]! * v;`,
    '  }',
    '}',
  ];
}

function add(s: StepOf<'add'>, ctx: StepContext): string[] {
  const [a, b] = [ctx.ref(s.inputs[0]!, 'a'), ctx.ref(s.inputs[1]!, 'b')];
  const y = ctx.ref(s.outputs[0]!, 'y');
  return loop('i', times(s.attrs.size), [`${y}[i] = ${a}[i]! + ${b}[i]!;`]);
}

function copy(s: StepOf<'copy'>, ctx: StepContext): string[] {
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  return [`${y}.set(${x}.subarray(0, ${times(s.attrs.size)}));`];
}

function foldBatchNorm(s: StepOf<'fold_batch_norm'>, ctx: StepContext): string[] {
  const { in: I, units: O, epsilon } = s.attrs;
  const [kernel, bias, gamma, beta, mean, variance] = s.inputs;
  const w = ctx.ref(kernel!, 'kernel');
  const bs = ctx.has(bias) ? `${ctx.ref(bias!, 'bias')}[j]!` : '0';
  const g = ctx.has(gamma) ? `${ctx.ref(gamma!, 'gamma')}[j]!` : '1';
  const shift = ctx.has(beta) ? `${ctx.ref(beta!, 'beta')}[j]!` : '0';
  const m = ctx.ref(mean!, 'movingMean');
  const sqrt = `Math.sqrt(${ctx.ref(variance!, 'movingVariance')}[j]! + ${lit(epsilon)})`;
  const [fk, fb] = [ctx.ref(s.outputs[0]!, 'foldedKernel'), ctx.ref(s.outputs[1]!, 'foldedBias')];
  return [
    ...loop('j', String(O), [
      `const scale = ${g} / ${sqrt};`,
      `${fb}[j] = (${bs} - ${m}[j]!) * scale + ${shift};`,
    ]),
    ...loop('i', String(I), [
      ...loop('j', String(O), [
        `const scale = ${g} / ${sqrt};`,
        `${fk}[i * ${O} + j] = ${w}[i * ${O} + j]! * scale;`,
      ]),
    ]),
  ];
}

/** The forward ops, by op; an op missing here is reported, never emitted as something else. */
export const forwardEmitters: Partial<Record<PlanStep['op'], StepEmitter>> = {
  dense: (s, c) => dense(s as StepOf<'dense'>, c),
  activation: (s, c) => activation(s as StepOf<'activation'>, c),
  batch_norm: (s, c) => batchNorm(s as StepOf<'batch_norm'>, c),
  layer_norm: (s, c) => layerNorm(s as StepOf<'layer_norm'>, c),
  unit_norm: (s, c) => unitNorm(s as StepOf<'unit_norm'>, c),
  prelu: (s, c) => prelu(s as StepOf<'prelu'>, c),
  add: (s, c) => add(s as StepOf<'add'>, c),
  merge: (s, c) => merge(s as StepOf<'merge'>, c),
  concatenate: (s, c) => concatenate(s as StepOf<'concatenate'>, c),
  copy: (s, c) => copy(s as StepOf<'copy'>, c),
  fold_batch_norm: (s, c) => foldBatchNorm(s as StepOf<'fold_batch_norm'>, c),
  embedding: (s, c) => embedding(s as StepOf<'embedding'>, c),
  token_mask: (s, c) => tokenMask(s as StepOf<'token_mask'>, c),
  recurrent: (s, c) => recurrent(s as StepOf<'recurrent'>, c),
  global_pool: (s, c) => globalPool(s as StepOf<'global_pool'>, c),
  spatial_copy: (s, c) => spatialCopy(s as StepOf<'spatial_copy'>, c),
  permute: (s, c) => permute(s as StepOf<'permute'>, c),
  // The activity penalty only feeds evaluate's loss: a prediction does not compute it.
  activity_penalty: () => [],
  ...windowForwardEmitters,
};
