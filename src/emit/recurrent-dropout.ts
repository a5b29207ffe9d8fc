/**
 * Keras 3's implementation 1 for LSTM and GRU as code — one dropout mask per gate block on the
 * state (recurrent_dropout) and on the inputs (dropout with it): the engine's blockProducts,
 * maskedBlockGradient, blockGradients and dropRows (src/kernels/recurrent.ts) as plain loops.
 * The engine runs the block products (and the state's masked gradient) on its strided blocked
 * gemm, which sums in float64 per K block: a module's training matches the engine's within
 * float32 rounding (the emit tests' 1e-5), not bit for bit. SimpleRNN's single mask keeps the
 * blocked products (recurrent.ts).
 */
import { loop, type Fn } from './code.js';

// Parameter types; recurrent.ts (which imports this module) has the same helpers.
const arr = (name: string): [string, string] => [name, 'Float32Array'];
const num = (name: string): [string, string] => [name, 'number'];

/** A left factor's gradient through the blocks' products, each masked (state and inputs). */
export const maskedBlockGradientFn: Fn = {
  name: 'maskedBlockGradient',
  doc: "out[r, k] (+)= Σ_g mask[r ÷ per, gK+k]·Σ_j d[r, gU+j]·w[k, gU+j], as the engine's.",
  params: [
    arr('d'),
    arr('w'),
    arr('mask'),
    arr('out'),
    num('rows'),
    num('per'),
    num('K'),
    num('U'),
    num('GU'),
    ['accumulate', 'boolean'],
  ],
  ret: 'void',
  body: [
    'const GK = (GU / U) * K;',
    ...loop('r', 'rows', [
      'const mo = Math.floor(r / per) * GK;',
      ...loop('k', 'K', [
        'let sum = accumulate ? out[r * K + k]! : 0;',
        'for (let g = 0, gk = 0; g < GU; g += U, gk += K) {',
        '  let s = 0;',
        ...loop('j', 'U', ['s += d[r * GU + g + j]! * w[k * GU + g + j]!;']).map((l) => `  ${l}`),
        '  sum += s * mask[mo + gk + k]!;',
        '}',
        'out[r * K + k] = sum;',
      ]),
    ]),
  ],
};

/** A kernel's gradient from each gate block's own dropped left factor a:(rows, G·K). */
export const blockGradientsFn: Fn = {
  name: 'blockGradients',
  doc: 'out[k, gU+j] = Σ_r a[r, gK+k]·d[r, gU+j] per gate block g.',
  params: [arr('a'), arr('d'), arr('out'), num('rows'), num('K'), num('U'), num('GU')],
  ret: 'void',
  body: [
    'const GK = (GU / U) * K;',
    'out.fill(0, 0, K * GU);',
    ...loop('r', 'rows', [
      'for (let g = 0, gk = 0; g < GU; g += U, gk += K) {',
      ...loop('k', 'K', [
        'const v = a[r * GK + gk + k]!;',
        ...loop('j', 'U', ['out[k * GU + g + j] = out[k * GU + g + j]! + v * d[r * GU + g + j]!;']),
      ]).map((l) => `  ${l}`),
      '}',
    ]),
  ],
};

/** Each (b, t) row times every block's mask: implementation 1's inputs, backward's states. */
export const dropRowsFn: Fn = {
  name: 'dropRows',
  doc: "out[(b, t), m] = x[(b, t), m mod I]·mask[b, m], as the engine's dropRows.",
  params: [arr('x'), arr('mask'), arr('out'), num('n'), num('T'), num('I'), num('GI')],
  ret: 'void',
  body: [
    'let p = 0;',
    ...loop('b', 'n', [
      ...loop('t', 'T', [
        ...loop('m', 'GI', ['out[p++] = x[(b * T + t) * I + (m % I)]! * mask[b * GI + m]!;']),
      ]),
    ]),
  ],
};

/** Each gate block's projection of its own dropped inputs a:(rows, G·K) by w:(K, G·U). */
export const blockProductsFn: Fn = {
  name: 'blockProducts',
  doc: 'out[r, gU+j] = Σ_k a[r, gK+k]·w[k, gU+j] per gate block g.',
  params: [arr('a'), arr('w'), arr('out'), num('rows'), num('K'), num('U'), num('GU')],
  ret: 'void',
  body: [
    'const GK = (GU / U) * K;',
    'out.fill(0, 0, rows * GU);',
    ...loop('r', 'rows', [
      'for (let g = 0, gk = 0; g < GU; g += U, gk += K) {',
      ...loop('k', 'K', [
        'const v = a[r * GK + gk + k]!;',
        'const o = r * GU + g;',
        ...loop('j', 'U', ['out[o + j] = out[o + j]! + v * w[k * GU + g + j]!;']),
      ]).map((l) => `  ${l}`),
      '}',
    ]),
  ],
};
