/**
 * Backpropagation through time as code: the engine's recurrentBackward (src/kernels/recurrent.ts)
 * operation for operation, one cell function per cell and activations; and Embedding's
 * scatter-add. The forward ops are in recurrent.ts.
 */
import type { RecurrentAttrs, StepOf } from '../ir/index.js';
import { gateCount } from '../kernels/index.js';
import { gemmFn } from './backward.js';
import { loop, printCall, times, type Fn } from './code.js';
import type { StepContext } from './context.js';
import { activate, arr, cellName, cellParams, derivative, num } from './recurrent.js';
import { blockGradientsFn, dropRowsFn, maskedBlockGradientFn } from './recurrent-dropout.js';
import { clearMaskedFn, keepMaskedFn } from './recurrent-mask.js';

/** Embedding backward: each id's row of the gradient gathers its dy rows (a scatter-add). */
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
    params: cellParams(['gates', 'c', 'dGates', 'dStep', 'dh', 'dc'], ['tPrev']),
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
    params: cellParams(['gates', 'hPrev', 'dGates', 'dRec', 'dStep', 'dh']),
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

/** GRU with reset_after=False: d(r∘h) = dh̃·U_hᵀ gives r's gradient and part of h's. */
function gruResetBeforeBackwardFn(a: RecurrentAttrs): Fn {
  const da = (y: string) => derivative(a.activation, y);
  const dr = (y: string) => derivative(a.recurrentActivation, y);
  return {
    name: cellName(a, 'ResetBeforeBackward'),
    doc: 'One GRU step (reset_after=False) of backpropagation through time at time t.',
    params: cellParams(['gates', 'hPrev', 'rk', 'dGates', 'dRec', 'dStep', 'dh', 'drop']),
    ret: 'void',
    body: [
      'const GU = 3 * U;',
      ...loop('b', 'n', [
        'const go = (b * T + t) * 4 * U;',
        'const xo = (b * T + t) * GU;',
        'const ds = b * GU;',
        ...loop('j', 'U', [
          'const z = gates[go + j]!;',
          'const hh = gates[go + 2 * U + j]!;',
          'const hp = hPrev[(b * T + t) * U + j]!;',
          'const dhv = dh[b * U + j]!;',
          `const dHH = Math.fround(dhv * (1 - z) * ${da('hh')});`,
          `const dZ = Math.fround(dhv * (hp - hh) * ${dr('z')});`,
          'dGates[xo + j] = dStep[ds + j] = dRec[xo + j] = dZ;',
          'dGates[xo + 2 * U + j] = dHH;',
          'dStep[ds + 2 * U + j] = dRec[xo + 2 * U + j] = 0;',
        ]),
        ...loop('k', 'U', [
          'let s = 0;',
          ...loop('j', 'U', ['s += dGates[xo + 2 * U + j]! * rk[k * GU + 2 * U + j]!;']),
          'const r = gates[go + U + k]!;',
          // recurrent_dropout: r multiplied h_tm1_h, the state under the third mask.
          'const m = drop ? drop[ds + 2 * U + k]! : 1;',
          'const hp = hPrev[(b * T + t) * U + k]! * m;',
          `const dR = Math.fround(s * hp * ${dr('r')});`,
          'dGates[xo + U + k] = dStep[ds + U + k] = dRec[xo + U + k] = dR;',
          'dh[b * U + k] = dh[b * U + k]! * gates[go + k]! + s * r * m;',
        ]),
      ]),
    ],
  };
}

/** reset_after=False: U_h's gradient (r∘h)ᵀ·dh̃, added to the h block of dRecurrentKernel. */
const candidateKernelGradFn: Fn = {
  name: 'addCandidateKernelGrad',
  doc: "dU[k, 2U + j] += Σ_rows (r∘h)[row, k]·dh̃[row, j], as the engine's kernel.",
  params: [arr('gates'), arr('dGates'), arr('d'), num('rows'), num('U')],
  ret: 'void',
  body: [
    'const GU = 3 * U;',
    ...loop('k', 'U', [
      ...loop('j', 'U', [
        'let s = 0;',
        ...loop('r', 'rows', ['s += gates[r * 4 * U + 3 * U + k]! * dGates[r * GU + 2 * U + j]!;']),
        'd[k * GU + 2 * U + j] = d[k * GU + 2 * U + j]! + s;',
      ]),
    ]),
  ],
};

function simpleBackwardFn(a: RecurrentAttrs): Fn {
  return {
    name: cellName(a, 'Backward'),
    doc: 'One SimpleRNN step of backpropagation through time at time t.',
    params: cellParams(['gates', 'dGates', 'dStep', 'dh']),
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
  const inHints = [
    'x',
    'kernel',
    'recurrentKernel',
    'gates',
    'hPrev',
    'c',
    'dy',
    'mask',
    'stateMask',
    'dhFinal',
    'dcFinal',
  ];
  // Only what this layer's gradients read becomes a parameter: the kernel only for dx.
  const input = (i: number) => (ctx.has(s.inputs[i]) ? ctx.ref(s.inputs[i]!, inHints[i]!) : '');
  const outHas = (i: number) => i < s.outputs.length && ctx.has(s.outputs[i]);
  // With implementation 1's input masks the kernel's gradient reads the dropped inputs instead.
  const x = outHas(1) && !a.gateInputDropout ? input(0) : '';
  const kernel = outHas(0) ? input(1) : '';
  const [rk, gates, hPrev, c, dy, dhFinal, dcFinal] = [2, 3, 4, 5, 6, 9, 10].map(input) as string[];
  const mask = a.masked ? ctx.ref(s.inputs[7]!, 'mask') : '';
  const stateMask = a.stateDropout ? ctx.ref(s.inputs[8]!, 'stateMask') : '';
  const carryBuffer = a.masked ? ctx.ref(s.outputs[9]!, 'carry') : '';
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
  } else if (cell === 'gru' && !a.resetAfter) {
    const fn = ctx.use(gruResetBeforeBackwardFn(a));
    const drop = a.stateDropout ? stateMask : 'null';
    cellCall = printCall(fn, [gates!, hPrev!, rk!, dGates!, dRec!, dStep!, dh!, drop, ...sizes], 4);
  } else if (cell === 'gru') {
    const fn = ctx.use(gruBackwardFn(a));
    cellCall = printCall(fn, [gates!, hPrev!, dGates!, dRec!, dStep!, dh!, ...sizes], 4);
  } else {
    const fn = ctx.use(simpleBackwardFn(a));
    cellCall = printCall(fn, [gates!, dGates!, dStep!, dh!, ...sizes], 4);
  }
  const gemm = () => ctx.use(gemmFn);
  const blocks = a.stateDropout && GU > U;
  const carry = blocks
    ? printCall(
        ctx.use(maskedBlockGradientFn),
        [
          dStep!,
          rk!,
          stateMask,
          dh!,
          'n',
          '1',
          String(U),
          String(U),
          String(GU),
          String(cell === 'gru'),
        ],
        4,
      )
    : cell === 'gru'
      ? printCall(ctx.use(addProductTFn), [dStep!, rk!, dh!, 'n', String(GU), String(U)], 4)
      : printCall(
          gemm(),
          [dStep!, String(GU), '1', rk!, '1', String(GU), dh!, 'n', String(GU), String(U)],
          4,
        );
  const rows = times(T);
  // The carried gradients start at the final states' own (return_state), else at zero.
  const start = (carry: string, final: string) =>
    final
      ? loop('i', times(U), [`${carry}[i] = ${final}[i]!;`])
      : [`${carry}.fill(0, 0, ${times(U)});`];
  const keep = (save: boolean) =>
    a.masked
      ? printCall(
          ctx.use(keepMaskedFn),
          [mask, dh!, dc || 'null', carryBuffer, 'n', String(T), String(U), 't', String(save)],
          4,
        )
      : [];
  const clear = a.masked
    ? printCall(
        ctx.use(clearMaskedFn),
        [mask, dGates!, dRec || 'null', 'n', String(T), String(GU), 't'],
        4,
      )
    : [];
  // A zeroed output (zero_output_for_mask) has no gradient to give the state.
  const skipZeroed = a.zeroOutputForMask ? [`if (${mask}[b * ${T} + t] === 0) continue;`] : [];
  const out = [
    ...start(dh!, dhFinal!),
    ...(dc ? start(dc, dcFinal!) : []),
    `for (let s = ${T - 1}; s >= 0; s--) {`,
    `  const t = ${a.goBackwards ? `${T - 1} - s` : 's'};`,
    ...(!dy
      ? []
      : a.returnSequences
        ? loop('b', 'n', [
            ...skipZeroed,
            `const o = b * ${U};`,
            `const src = (b * ${T} + ${a.reverseSequence ? `${T - 1} - s` : 's'}) * ${U};`,
            ...loop('j', String(U), [`${dh}[o + j] = ${dh}[o + j]! + ${dy}[src + j]!;`]),
          ])
        : [
            `if (s === ${T - 1}) {`,
            ...loop('i', times(U), [`${dh}[i] = ${dh}[i]! + ${dy}[i]!;`]).map((l) => `  ${l}`),
            '}',
          ]
    ).map((l) => `  ${l}`),
    ...keep(true).map((l) => `  ${l}`),
    ...cellCall.map((l) => `  ${l}`),
    ...clear.map((l) => `  ${l}`),
    '  if (s > 0) {',
    ...carry.map((l) => `    ${l}`),
    // SimpleRNN's recurrent_dropout: the product read the dropped state.
    ...(a.stateDropout && !blocks
      ? loop('i', times(U), [`${dh}[i] = ${dh}[i]! * ${stateMask}[i]!;`]).map((l) => `    ${l}`)
      : []),
    '  }',
    ...keep(false).map((l) => `  ${l}`),
    '}',
  ];
  // Implementation 1's dropout on the inputs: the forward's dropped inputs and masks, per gate.
  const gateInput = a.gateInputDropout === true;
  const inputMask = gateInput ? ctx.ref(s.inputs[11]!, 'inputMask') : '';
  const xDropped = gateInput && dk ? ctx.ref(s.inputs[12]!, 'xDropped') : '';
  if (dk && gateInput)
    out.push(
      ...printCall(
        ctx.use(blockGradientsFn),
        [xDropped, dGates!, dk, rows, String(I), String(U), String(GU)],
        2,
      ),
    );
  else if (dk)
    out.push(
      ...printCall(
        gemm(),
        [x!, '1', String(I), dGates!, String(GU), '1', dk, String(I), rows, String(GU)],
        2,
      ),
    );
  if (drk) {
    const d = dRec || dGates!;
    let hPrevRead = hPrev!;
    if (blocks) {
      // Each gate block's own dropped states and product, as the kernel's blockGradients.
      const dropped = ctx.ref(s.outputs[10]!, 'hPrevDropped');
      out.push(
        ...printCall(
          ctx.use(dropRowsFn),
          [hPrev!, stateMask, dropped, 'n', String(T), String(U), String(GU)],
          2,
        ),
        ...printCall(
          ctx.use(blockGradientsFn),
          [dropped, d, drk, rows, String(U), String(U), String(GU)],
          2,
        ),
      );
    } else if (a.stateDropout) {
      // h_prev of every row times its sample's state mask, as the kernel's dropStates.
      hPrevRead = ctx.ref(s.outputs[10]!, 'hPrevDropped');
      out.push(
        ...loop('b', 'n', [
          ...loop('t', String(T), [
            `const p = (b * ${T} + t) * ${U};`,
            ...loop('j', String(U), [
              `${hPrevRead}[p + j] = ${hPrev}[p + j]! * ${stateMask}[b * ${U} + j]!;`,
            ]),
          ]),
        ]),
      );
    }
    if (!blocks)
      out.push(
        ...printCall(
          gemm(),
          [hPrevRead, '1', String(U), d, String(GU), '1', drk, String(U), rows, String(GU)],
          2,
        ),
      );
    if (cell === 'gru' && !a.resetAfter)
      out.push(
        ...printCall(ctx.use(candidateKernelGradFn), [gates!, dGates!, drk, rows, String(U)], 2),
      );
  }
  if (db) {
    const sums = ctx.use(columnSumsFn);
    out.push(...printCall(sums, [dGates!, db, '0', rows, String(GU)], 2));
    if (dRec && a.resetAfter)
      out.push(...printCall(sums, [dRec, db, String(GU), rows, String(GU)], 2));
  }
  if (dx && gateInput)
    out.push(
      ...printCall(
        ctx.use(maskedBlockGradientFn),
        [
          dGates!,
          kernel!,
          inputMask,
          dx,
          rows,
          String(T),
          String(I),
          String(U),
          String(GU),
          'false',
        ],
        2,
      ),
    );
  else if (dx)
    out.push(
      ...printCall(
        gemm(),
        [dGates!, String(GU), '1', kernel!, '1', String(GU), dx, rows, String(GU), String(I)],
        2,
      ),
    );
  return out;
}
