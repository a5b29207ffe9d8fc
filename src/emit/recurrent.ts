/**
 * The embedding and recurrent ops as code: the engine's kernels
 * (src/kernels/embedding.ts, recurrent.ts) operation for operation — the same products over all
 * time steps, the same float32 stores of the gates — so a module's sequences match the engine's.
 * Each cell's step is a module-level function named after the cell and its activations, shared
 * by every layer that runs it; the sizes reach it as arguments. Backward: recurrent-backward.ts.
 */
import type { ActivationSpec, RecurrentAttrs, StepOf } from '../ir/index.js';
import { gateCount } from '../kernels/index.js';
import { activationCode } from './activations.js';
import { loop, printCall, times, type Fn } from './code.js';
import { matmulFns } from './matmul.js';
import { stringLiteral } from './literals.js';
import { carryMaskedFn } from './recurrent-mask.js';
import type { StepContext } from './context.js';

const f32 = 'Float32Array';

export function embedding(s: StepOf<'embedding'>, ctx: StepContext): string[] {
  const { tokens, vocab: V, dim: D } = s.attrs;
  const ids = ctx.ref(s.inputs[0]!, 'ids');
  const table = ctx.ref(s.inputs[1]!, 'table');
  const y = ctx.ref(s.outputs[0]!, 'y');
  const layer = stringLiteral(`layer '${s.layer}': token id `);
  return loop('i', times(tokens), [
    `const id = Math.trunc(${ids}[i]!);`,
    `if (!(id >= 0 && id < ${V})) {`,
    `  const at = ${layer} + ${ids}[i]!;`,
    `  throw new RangeError(at + ${stringLiteral(` is outside the vocabulary [0, ${V}).`)});`,
    '}',
    ...loop('j', String(D), [`${y}[i * ${D} + j] = ${table}[id * ${D} + j]!;`]),
  ]);
}

/** Embedding(mask_zero=True)'s mask: 1 where an id is not 0, as the engine's tokenMask. */
export function tokenMask(s: StepOf<'token_mask'>, ctx: StepContext): string[] {
  const ids = ctx.ref(s.inputs[0]!, 'ids');
  const mask = ctx.ref(s.outputs[0]!, 'mask');
  return loop('i', times(s.attrs.size), [`${mask}[i] = ${ids}[i] !== 0 ? 1 : 0;`]);
}

/** `f(v)` for a cell activation as an expression, declaring its function once. */
export function activate(ctx: StepContext, spec: ActivationSpec, v: string): string {
  const code = activationCode(spec);
  if (code.kind !== 'elementwise') return v;
  return `${ctx.use(code.fn)}(${v})`;
}

/** f′ from the output y, as the kernels' cellDerivative. */
export function derivative(spec: ActivationSpec, y: string): string {
  switch (spec.name) {
    case 'tanh':
      return `(1 - ${y} * ${y})`;
    case 'sigmoid':
      return `${y} * (1 - ${y})`;
    case 'relu':
      return `(${y} > 0 ? 1 : 0)`;
    case 'hard_sigmoid':
      return `(${y} > 0 && ${y} < 1 ? 1 / 6 : 0)`;
    default:
      return '1';
  }
}

/** The cell function's name: `lstmTanhSigmoid`, `simpleRnnRelu`. */
export function cellName(a: RecurrentAttrs, suffix = ''): string {
  const camel = (t: string) => t.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  const cell = a.cell === 'simple_rnn' ? 'simpleRnn' : a.cell;
  const acts = [a.activation, ...(a.cell === 'simple_rnn' ? [] : [a.recurrentActivation])];
  return cell + acts.map((s) => camel(s.name)).join('') + suffix;
}

export const arr = (name: string): [string, string] => [name, f32];
export const num = (name: string): [string, string] => [name, 'number'];
/** A cell function's parameters: its arrays (`bias` may be null), then n, T, U, t and `more` numbers. */
export function cellParams(
  arrays: readonly string[],
  more: readonly string[] = [],
): [string, string][] {
  const array = (name: string): [string, string] =>
    name === 'bias' ? [name, `${f32} | null`] : arr(name);
  return [...arrays.map(array), ...['n', 'T', 'U', 't', ...more].map(num)];
}

function lstmFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  const act = (v: string) => activate(ctx, a.activation, v);
  const ract = (v: string) => activate(ctx, a.recurrentActivation, v);
  const z = (name: string, k: number) => {
    const at = k === 0 ? 'j' : `${k === 1 ? '' : `${k} * `}U + j`;
    return `let ${name} = xw[xo + ${at}]! + rec[ro + ${at}]!;`;
  };
  return {
    name: cellName(a),
    doc: `One LSTM step at time t: gates [i, f, c, o] (${a.activation.name}, ${a.recurrentActivation.name}).`,
    params: cellParams(['xw', 'rec', 'bias', 'gates', 'c', 'cs', 'h']),
    ret: 'void',
    body: [
      'const GU = 4 * U;',
      ...loop('b', 'n', [
        'const xo = (b * T + t) * GU;',
        'const ro = b * GU;',
        'const so = (b * T + t) * U;',
        ...loop('j', 'U', [
          z('zi', 0),
          z('zf', 1),
          z('zc', 2),
          z('zo', 3),
          'if (bias) {',
          '  zi += bias[j]!;',
          '  zf += bias[U + j]!;',
          '  zc += bias[2 * U + j]!;',
          '  zo += bias[3 * U + j]!;',
          '}',
          `const i = Math.fround(${ract('zi')});`,
          `const fg = Math.fround(${ract('zf')});`,
          `const g = Math.fround(${act('zc')});`,
          `const o = Math.fround(${ract('zo')});`,
          'const cv = Math.fround(fg * cs[b * U + j]! + i * g);',
          'gates[xo + j] = i;',
          'gates[xo + U + j] = fg;',
          'gates[xo + 2 * U + j] = g;',
          'gates[xo + 3 * U + j] = o;',
          'cs[b * U + j] = cv;',
          'c[so + j] = cv;',
          `h[b * U + j] = o * ${act('cv')};`,
        ]),
      ]),
    ],
  };
}

function gruFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  const act = (v: string) => activate(ctx, a.activation, v);
  const ract = (v: string) => activate(ctx, a.recurrentActivation, v);
  return {
    name: cellName(a),
    doc: `One GRU step (reset_after) at time t: gates [z, r, h] (${a.activation.name}, ${a.recurrentActivation.name}).`,
    params: cellParams(['xw', 'rec', 'bias', 'gates', 'h']),
    ret: 'void',
    body: [
      'const GU = 3 * U;',
      ...loop('b', 'n', [
        'const xo = (b * T + t) * GU;',
        'const ro = b * GU;',
        'const go = (b * T + t) * 4 * U;',
        ...loop('j', 'U', [
          'let xz = xw[xo + j]!;',
          'let xr = xw[xo + U + j]!;',
          'let xh = xw[xo + 2 * U + j]!;',
          'let rz = rec[ro + j]!;',
          'let rr = rec[ro + U + j]!;',
          'let rh = rec[ro + 2 * U + j]!;',
          'if (bias) {',
          '  xz += bias[j]!;',
          '  xr += bias[U + j]!;',
          '  xh += bias[2 * U + j]!;',
          '  rz += bias[GU + j]!;',
          '  rr += bias[GU + U + j]!;',
          '  rh += bias[GU + 2 * U + j]!;',
          '}',
          `const z = Math.fround(${ract('xz + rz')});`,
          `const r = Math.fround(${ract('xr + rr')});`,
          `const hh = Math.fround(${act('xh + r * rh')});`,
          'gates[go + j] = z;',
          'gates[go + U + j] = r;',
          'gates[go + 2 * U + j] = hh;',
          'gates[go + 3 * U + j] = rh;',
          'h[b * U + j] = z * h[b * U + j]! + (1 - z) * hh;',
        ]),
      ]),
    ],
  };
}

/** GRU with reset_after=False: z and r first, then h̃ from (r∘h)·U_h (kept in the gates). */
function gruResetBeforeFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  const act = (v: string) => activate(ctx, a.activation, v);
  const ract = (v: string) => activate(ctx, a.recurrentActivation, v);
  /** `let name = x·W + b` for gate block k (the kernel's `bias ? … : …`, split to fit a line). */
  const x = (name: string, k: number) => {
    const at = k === 0 ? 'j' : `${k === 1 ? '' : `${k} * `}U + j`;
    return [`let ${name} = xw[xo + ${at}]!;`, `if (bias) ${name} += bias[${at}]!;`];
  };
  return {
    name: cellName(a, 'ResetBefore'),
    doc: `One GRU step (reset_after=False) at time t (${a.activation.name}, ${a.recurrentActivation.name}).`,
    params: cellParams(['xw', 'rec', 'bias', 'rk', 'gates', 'h']),
    ret: 'void',
    body: [
      'const GU = 3 * U;',
      ...loop('b', 'n', [
        'const xo = (b * T + t) * GU;',
        'const ro = b * GU;',
        'const go = (b * T + t) * 4 * U;',
        ...loop('j', 'U', [
          ...x('xz', 0),
          ...x('xr', 1),
          `const z = Math.fround(${ract('xz + rec[ro + j]!')});`,
          `const r = Math.fround(${ract('xr + rec[ro + U + j]!')});`,
          'gates[go + j] = z;',
          'gates[go + U + j] = r;',
          'gates[go + 3 * U + j] = r * h[b * U + j]!;',
        ]),
        ...loop('j', 'U', [
          'let s = 0;',
          ...loop('k', 'U', ['s += gates[go + 3 * U + k]! * rk[k * GU + 2 * U + j]!;']),
          ...x('xh', 2),
          `const hh = Math.fround(${act('xh + s')});`,
          'const z = gates[go + j]!;',
          'gates[go + 2 * U + j] = hh;',
          'h[b * U + j] = z * h[b * U + j]! + (1 - z) * hh;',
        ]),
      ]),
    ],
  };
}

function simpleFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  return {
    name: cellName(a),
    doc: `One SimpleRNN step at time t (${a.activation.name}).`,
    params: cellParams(['xw', 'rec', 'bias', 'gates', 'h']),
    ret: 'void',
    body: loop('b', 'n', [
      'const xo = (b * T + t) * U;',
      ...loop('j', 'U', [
        'const x = bias ? xw[xo + j]! + bias[j]! : xw[xo + j]!;',
        `const v = Math.fround(${activate(ctx, a.activation, 'x + rec[b * U + j]!')});`,
        'gates[xo + j] = v;',
        'h[b * U + j] = v;',
      ]),
    ]),
  };
}

export function recurrent(s: StepOf<'recurrent'>, ctx: StepContext): string[] {
  const a = s.attrs;
  const { steps: T, in: I, units: U } = a;
  const GU = gateCount(a.cell) * U;
  const lstm = a.cell === 'lstm';
  const [x, kernel, rk] = [
    ctx.ref(s.inputs[0]!, 'x'),
    ctx.ref(s.inputs[1]!, 'kernel'),
    ctx.ref(s.inputs[2]!, 'recurrentKernel'),
  ];
  const bias = a.bias ? ctx.ref(s.inputs[3]!, 'bias') : 'null';
  const names = ['y', 'xw', 'rec', 'gates', 'hPrev', 'h', 'c', 'cStep'];
  const [y, xw, rec, gates, hPrev, h, c, cs] = names.map((hint, i) =>
    i < s.outputs.length && s.outputs[i]! >= 0 ? ctx.ref(s.outputs[i]!, hint) : '',
  ) as [string, string, string, string, string, string, string, string];
  for (const fn of matmulFns) ctx.use(fn);
  const before = a.cell === 'gru' && !a.resetAfter;
  const cellFn = lstm
    ? lstmFn(a, ctx)
    : a.cell === 'gru'
      ? before
        ? gruResetBeforeFn(a, ctx)
        : gruFn(a, ctx)
      : simpleFn(a, ctx);
  const fn = ctx.use(cellFn);
  const cellArgs = lstm
    ? [xw, rec, bias, gates, c, cs, h]
    : before
      ? [xw, rec, bias, rk, gates, h]
      : [xw, rec, bias, gates, h];
  const sizes = ['n', String(T), String(U), 't'];
  // After the bias: the mask (or its -1 place), then SimpleRNN's state dropout mask.
  const after = a.bias ? 4 : 3;
  const mask = a.masked ? ctx.ref(s.inputs[after]!, 'mask') : '';
  const stateMask = a.stateDropout ? ctx.ref(s.inputs[after + 1]!, 'stateMask') : '';
  const hDropped = a.stateDropout ? ctx.ref(s.outputs[8]!, 'hDropped') : '';
  // recurrent_dropout: the product reads the state times its mask.
  const product = a.stateDropout
    ? [
        ...loop('i', times(U), [`${hDropped}[i] = ${h}[i]! * ${stateMask}[i]!;`]),
        ...printCall('matmul', [hDropped, rk, rec, 'n', String(U), String(GU)], 4),
      ]
    : printCall('matmul', [h, rk, rec, 'n', String(U), String(GU)], 4);
  const tPrev = a.goBackwards ? 't + 1' : 't - 1';
  const carry = a.masked
    ? printCall(
        ctx.use(carryMaskedFn),
        [
          mask,
          h,
          hPrev,
          lstm ? c : 'null',
          lstm ? cs : 'null',
          'n',
          String(T),
          String(U),
          's',
          't',
          tPrev,
        ],
        4,
      )
    : [];
  // zero_output_for_mask: a masked step's output is zero.
  const stepOutput = a.zeroOutputForMask
    ? `${mask}[b * ${T} + t] === 0 ? 0 : ${h}[b * ${U} + j]!`
    : `${h}[b * ${U} + j]!`;
  return [
    `matmul(${x}, ${kernel}, ${xw}, ${times(T)}, ${I}, ${GU});`,
    `${h}.fill(0, 0, ${times(U)});`,
    ...(lstm ? [`${cs}.fill(0, 0, ${times(U)});`] : []),
    ...loop('s', String(T), [
      `const t = ${a.goBackwards ? `${T - 1} - s` : 's'};`,
      ...loop('b', 'n', [
        ...loop('j', String(U), [`${hPrev}[(b * ${T} + t) * ${U} + j] = ${h}[b * ${U} + j]!;`]),
      ]),
      'if (s === 0) {',
      `  ${rec}.fill(0, 0, ${times(GU)});`,
      '} else {',
      ...product.map((l) => `  ${l}`),
      '}',
      ...printCall(fn, [...cellArgs, ...sizes], 4),
      ...carry,
      ...(a.returnSequences
        ? loop('b', 'n', [
            `const o = (b * ${T} + ${a.reverseSequence ? `${T - 1} - s` : 's'}) * ${U};`,
            ...loop('j', String(U), [`${y}[o + j] = ${stepOutput};`]),
          ])
        : []),
    ]),
    ...(a.returnSequences ? [] : loop('i', times(U), [`${y}[i] = ${h}[i]!;`])),
  ];
}
