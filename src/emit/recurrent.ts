/**
 * The embedding and recurrent ops as code, forward and backward: the engine's kernels
 * (src/kernels/embedding.ts, recurrent.ts) operation for operation — the same products over all
 * time steps, the same float32 stores of the gates — so a module's sequences match the engine's.
 * Each cell's step is a module-level function named after the cell and its activations, shared
 * by every layer that runs it; the sizes reach it as arguments.
 */
import type { ActivationSpec, RecurrentAttrs, StepOf } from '../ir/index.js';
import { gateCount } from '../kernels/index.js';
import { activationCode } from './activations.js';
import { gemmFn } from './backward.js';
import { loop, times, type Fn } from './code.js';
import { matmulFns } from './matmul.js';
import { printCall } from './module.js';
import { stringLiteral } from './literals.js';
import type { StepContext } from './steps.js';

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

export function embeddingBackward(s: StepOf<'embedding_backward'>, ctx: StepContext): string[] {
  const { tokens, vocab: V, dim: D } = s.attrs;
  const ids = ctx.ref(s.inputs[0]!, 'ids');
  const dy = ctx.ref(s.inputs[1]!, 'dy');
  const dt = ctx.ref(s.outputs[0]!, 'dTable');
  return [
    `${dt}.fill(0, 0, ${V * D});`,
    ...loop('i', times(tokens), [
      `const row = Math.trunc(${ids}[i]!) * ${D};`,
      ...loop('j', String(D), [`${dt}[row + j] = ${dt}[row + j]! + ${dy}[i * ${D} + j]!;`]),
    ]),
  ];
}

/** `f(v)` for a cell activation as an expression, declaring its function once. */
function activate(ctx: StepContext, spec: ActivationSpec, v: string): string {
  const code = activationCode(spec);
  if (code.kind !== 'elementwise') return v;
  return `${ctx.use(code.fn)}(${v})`;
}

/** f′ from the output y, as the kernels' cellDerivative. */
function derivative(spec: ActivationSpec, y: string): string {
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
function cellName(a: RecurrentAttrs, suffix = ''): string {
  const camel = (t: string) => t.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  const cell = a.cell === 'simple_rnn' ? 'simpleRnn' : a.cell;
  const acts = [a.activation, ...(a.cell === 'simple_rnn' ? [] : [a.recurrentActivation])];
  return cell + acts.map((s) => camel(s.name)).join('') + suffix;
}

const arr = (name: string): [string, string] => [name, f32];
const num = (name: string): [string, string] => [name, 'number'];
const biasParam: [string, string] = ['bias', `${f32} | null`];

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
    params: [
      arr('xw'),
      arr('rec'),
      biasParam,
      arr('gates'),
      arr('c'),
      arr('cs'),
      arr('h'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
    ],
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
    params: [
      arr('xw'),
      arr('rec'),
      biasParam,
      arr('gates'),
      arr('h'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
    ],
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

function simpleFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  return {
    name: cellName(a),
    doc: `One SimpleRNN step at time t (${a.activation.name}).`,
    params: [
      arr('xw'),
      arr('rec'),
      biasParam,
      arr('gates'),
      arr('h'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
    ],
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
    i < s.outputs.length ? ctx.ref(s.outputs[i]!, hint) : '',
  ) as [string, string, string, string, string, string, string, string];
  for (const fn of matmulFns) ctx.use(fn);
  const fn = ctx.use(lstm ? lstmFn(a, ctx) : a.cell === 'gru' ? gruFn(a, ctx) : simpleFn(a, ctx));
  const cellArgs = lstm ? [xw, rec, bias, gates, c, cs, h] : [xw, rec, bias, gates, h];
  const sizes = ['n', String(T), String(U), 't'];
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
      ...printCall('matmul', [h, rk, rec, 'n', String(U), String(GU)], 4).map((l) => `  ${l}`),
      '}',
      ...printCall(fn, [...cellArgs, ...sizes], 4),
      ...(a.returnSequences
        ? loop('b', 'n', [
            ...loop('j', String(U), [`${y}[(b * ${T} + s) * ${U} + j] = ${h}[b * ${U} + j]!;`]),
          ])
        : []),
    ]),
    ...(a.returnSequences ? [] : loop('i', times(U), [`${y}[i] = ${h}[i]!;`])),
  ];
}

// ---------------------------------------------------------------- backward

/** c[M,N] += a[M,K]·b[N,K]ᵀ with K in blocks of 256, as the engine's accumulating product. */
const addProductTFn: Fn = {
  name: 'addProductT',
  doc: 'c[M,N] += a[M,K]·b[N,K]ᵀ, K in blocks of 256 as the engine sums them.',
  params: [arr('a'), arr('b'), arr('c'), num('M'), num('K'), num('N')],
  ret: 'void',
  body: [
    'for (let k0 = 0; k0 < K; k0 += 256) {',
    '  const end = K - k0 < 256 ? K : k0 + 256;',
    '  for (let i = 0; i < M; i++) {',
    '    for (let j = 0; j < N; j++) {',
    '      let s = 0;',
    '      for (let k = k0; k < end; k++) s += a[i * K + k]! * b[j * K + k]!;',
    '      c[i * N + j] = c[i * N + j]! + s;',
    '    }',
    '  }',
    '}',
  ],
};

const columnSumsFn: Fn = {
  name: 'columnSums',
  doc: 'out[offset + c] = Σ_r m[r, c]; out is overwritten there.',
  params: [arr('m'), arr('out'), num('offset'), num('rows'), num('cols')],
  ret: 'void',
  body: [
    'out.fill(0, offset, offset + cols);',
    'for (let r = 0, p = 0; r < rows; r++) {',
    '  for (let c = 0; c < cols; c++, p++) {',
    '    out[offset + c] = out[offset + c]! + m[p]!;',
    '  }',
    '}',
  ],
};

function lstmBackwardFn(a: RecurrentAttrs, ctx: StepContext): Fn {
  const act = (v: string) => activate(ctx, a.activation, v);
  const da = (y: string) => derivative(a.activation, y);
  const dr = (y: string) => derivative(a.recurrentActivation, y);
  return {
    name: cellName(a, 'Backward'),
    doc: 'One LSTM step of backpropagation through time at time t.',
    params: [
      arr('gates'),
      arr('c'),
      arr('dGates'),
      arr('dStep'),
      arr('dh'),
      arr('dc'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
      num('tPrev'),
    ],
    ret: 'void',
    body: [
      'const GU = 4 * U;',
      ...loop('b', 'n', [
        'const go = (b * T + t) * GU;',
        'const so = (b * T + t) * U;',
        'const po = (b * T + tPrev) * U;',
        'const ds = b * GU;',
        ...loop('j', 'U', [
          'const i = gates[go + j]!;',
          'const f = gates[go + U + j]!;',
          'const gc = gates[go + 2 * U + j]!;',
          'const o = gates[go + 3 * U + j]!;',
          'const cv = c[so + j]!;',
          'const cp = tPrev >= 0 && tPrev < T ? c[po + j]! : 0;',
          `const a = ${act('cv')};`,
          'const dhv = dh[b * U + j]!;',
          `const dct = dc[b * U + j]! + dhv * o * ${da('a')};`,
          'dc[b * U + j] = dct * f;',
          `const di = Math.fround(dct * gc * ${dr('i')});`,
          `const df = Math.fround(dct * cp * ${dr('f')});`,
          `const dg = Math.fround(dct * i * ${da('gc')});`,
          `const dO = Math.fround(dhv * a * ${dr('o')});`,
          'dGates[go + j] = dStep[ds + j] = di;',
          'dGates[go + U + j] = dStep[ds + U + j] = df;',
          'dGates[go + 2 * U + j] = dStep[ds + 2 * U + j] = dg;',
          'dGates[go + 3 * U + j] = dStep[ds + 3 * U + j] = dO;',
        ]),
      ]),
    ],
  };
}

function gruBackwardFn(a: RecurrentAttrs): Fn {
  const da = (y: string) => derivative(a.activation, y);
  const dr = (y: string) => derivative(a.recurrentActivation, y);
  return {
    name: cellName(a, 'Backward'),
    doc: 'One GRU step (reset_after) of backpropagation through time at time t.',
    params: [
      arr('gates'),
      arr('hPrev'),
      arr('dGates'),
      arr('dRec'),
      arr('dStep'),
      arr('dh'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
    ],
    ret: 'void',
    body: [
      'const GU = 3 * U;',
      ...loop('b', 'n', [
        'const go = (b * T + t) * 4 * U;',
        'const xo = (b * T + t) * GU;',
        'const ds = b * GU;',
        ...loop('j', 'U', [
          'const z = gates[go + j]!;',
          'const r = gates[go + U + j]!;',
          'const hh = gates[go + 2 * U + j]!;',
          'const rh = gates[go + 3 * U + j]!;',
          'const hp = hPrev[(b * T + t) * U + j]!;',
          'const dhv = dh[b * U + j]!;',
          `const dHH = Math.fround(dhv * (1 - z) * ${da('hh')});`,
          `const dZ = Math.fround(dhv * (hp - hh) * ${dr('z')});`,
          `const dR = Math.fround(dHH * rh * ${dr('r')});`,
          'const dRH = Math.fround(dHH * r);',
          'dGates[xo + j] = dStep[ds + j] = dRec[xo + j] = dZ;',
          'dGates[xo + U + j] = dStep[ds + U + j] = dRec[xo + U + j] = dR;',
          'dGates[xo + 2 * U + j] = dHH;',
          'dStep[ds + 2 * U + j] = dRec[xo + 2 * U + j] = dRH;',
          'dh[b * U + j] = dhv * z;',
        ]),
      ]),
    ],
  };
}

function simpleBackwardFn(a: RecurrentAttrs): Fn {
  return {
    name: cellName(a, 'Backward'),
    doc: 'One SimpleRNN step of backpropagation through time at time t.',
    params: [
      arr('gates'),
      arr('dGates'),
      arr('dStep'),
      arr('dh'),
      num('n'),
      num('T'),
      num('U'),
      num('t'),
    ],
    ret: 'void',
    body: loop('b', 'n', [
      'const go = (b * T + t) * U;',
      ...loop('j', 'U', [
        'const g = gates[go + j]!;',
        `const v = Math.fround(dh[b * U + j]! * ${derivative(a.activation, 'g')});`,
        'dGates[go + j] = v;',
        'dStep[b * U + j] = v;',
      ]),
    ]),
  };
}

export function recurrentBackward(s: StepOf<'recurrent_backward'>, ctx: StepContext): string[] {
  const a = s.attrs;
  const { steps: T, in: I, units: U, cell } = a;
  const GU = gateCount(cell) * U;
  const inHints = ['x', 'kernel', 'recurrentKernel', 'gates', 'hPrev', 'c', 'dy'];
  // Only what this layer's gradients read becomes a parameter: the kernel only for dx.
  const input = (i: number) => (ctx.has(s.inputs[i]) ? ctx.ref(s.inputs[i]!, inHints[i]!) : '');
  const outHas = (i: number) => i < s.outputs.length && ctx.has(s.outputs[i]);
  const x = outHas(1) ? input(0) : '';
  const kernel = outHas(0) ? input(1) : '';
  const [rk, gates, hPrev, c, dy] = [2, 3, 4, 5, 6].map(input) as string[];
  const outHints = ['dx', 'dKernel', 'dRecurrentKernel', 'dBias', 'dGates', 'dRec', 'dStep'];
  const [dx, dk, drk, db, dGates, dRec, dStep, dh, dc] = [...outHints, 'dh', 'dc'].map((hint, i) =>
    i < s.outputs.length && ctx.has(s.outputs[i]) ? ctx.ref(s.outputs[i]!, hint) : '',
  ) as string[];
  const sizes = ['n', String(T), String(U), 't'];
  let cellCall: string[];
  if (cell === 'lstm') {
    const fn = ctx.use(lstmBackwardFn(a, ctx));
    const tPrev = a.goBackwards ? 't + 1' : 't - 1';
    cellCall = printCall(fn, [gates!, c!, dGates!, dStep!, dh!, dc!, ...sizes, tPrev], 4);
  } else if (cell === 'gru') {
    const fn = ctx.use(gruBackwardFn(a));
    cellCall = printCall(fn, [gates!, hPrev!, dGates!, dRec!, dStep!, dh!, ...sizes], 4);
  } else {
    const fn = ctx.use(simpleBackwardFn(a));
    cellCall = printCall(fn, [gates!, dGates!, dStep!, dh!, ...sizes], 4);
  }
  const gemm = () => ctx.use(gemmFn);
  const carry =
    cell === 'gru'
      ? printCall(ctx.use(addProductTFn), [dStep!, rk!, dh!, 'n', String(GU), String(U)], 4)
      : printCall(
          gemm(),
          [dStep!, String(GU), '1', rk!, '1', String(GU), dh!, 'n', String(GU), String(U)],
          4,
        );
  const rows = times(T);
  const out = [
    `${dh}.fill(0, 0, ${times(U)});`,
    ...(dc ? [`${dc}.fill(0, 0, ${times(U)});`] : []),
    `for (let s = ${T - 1}; s >= 0; s--) {`,
    `  const t = ${a.goBackwards ? `${T - 1} - s` : 's'};`,
    ...(a.returnSequences
      ? loop('b', 'n', [
          `const o = b * ${U};`,
          `const src = (b * ${T} + s) * ${U};`,
          ...loop('j', String(U), [`${dh}[o + j] = ${dh}[o + j]! + ${dy}[src + j]!;`]),
        ])
      : [
          `if (s === ${T - 1}) {`,
          ...loop('i', times(U), [`${dh}[i] = ${dh}[i]! + ${dy}[i]!;`]).map((l) => `  ${l}`),
          '}',
        ]
    ).map((l) => `  ${l}`),
    ...cellCall.map((l) => `  ${l}`),
    '  if (s > 0) {',
    ...carry.map((l) => `    ${l}`),
    '  }',
    '}',
  ];
  if (dk)
    out.push(
      ...printCall(
        gemm(),
        [x!, '1', String(I), dGates!, String(GU), '1', dk, String(I), rows, String(GU)],
        2,
      ),
    );
  if (drk) {
    const d = dRec || dGates!;
    out.push(
      ...printCall(
        gemm(),
        [hPrev!, '1', String(U), d, String(GU), '1', drk, String(U), rows, String(GU)],
        2,
      ),
    );
  }
  if (db) {
    const sums = ctx.use(columnSumsFn);
    out.push(...printCall(sums, [dGates!, db, '0', rows, String(GU)], 2));
    if (dRec) out.push(...printCall(sums, [dRec, db, String(GU), rows, String(GU)], 2));
  }
  if (dx)
    out.push(
      ...printCall(
        gemm(),
        [dGates!, String(GU), '1', kernel!, '1', String(GU), dx, rows, String(GU), String(I)],
        2,
      ),
    );
  return out;
}
