/**
 * recurrent_dropout with one state mask per gate block (Keras 3's implementation 1 for LSTM and
 * GRU) as code: the engine's droppedProduct, droppedProductBackward, dropStates and
 * blockGradients (src/kernels/recurrent.ts) operation for operation, so a module's training
 * matches the engine's. SimpleRNN's single mask keeps the blocked products (recurrent.ts).
 */
import { loop, type Fn } from './code.js';

// Parameter types; recurrent.ts (which imports this module) has the same helpers.
const arr = (name: string): [string, string] => [name, 'Float32Array'];
const num = (name: string): [string, string] => [name, 'number'];

/** Forward: the state times each block's mask, then each block's own product. */
export const droppedProductFn: Fn = {
  name: 'droppedProduct',
  doc: 'rec[b, g+j] = Σ_k h[b, k]·mask[b, g+k]·rk[k, g+j] per U-wide gate block g.',
  params: [
    arr('h'),
    arr('mask'),
    arr('dropped'),
    arr('rk'),
    arr('rec'),
    num('n'),
    num('U'),
    num('GU'),
  ],
  ret: 'void',
  body: [
    ...loop('b', 'n', [
      ...loop('m', 'GU', ['dropped[b * GU + m] = h[b * U + (m % U)]! * mask[b * GU + m]!;']),
    ]),
    ...loop('r', 'n', [
      'for (let g = 0; g < GU; g += U) {',
      ...loop('j', 'U', [
        'let s = 0;',
        ...loop('k', 'U', ['s += dropped[r * GU + g + k]! * rk[k * GU + g + j]!;']),
        'rec[r * GU + g + j] = s;',
      ]).map((l) => `  ${l}`),
      '}',
    ]),
  ],
};

/** Backward: the state's gradient through the blocks' products, each masked. */
export const droppedProductBackwardFn: Fn = {
  name: 'droppedProductBackward',
  doc: 'dh[b, k] (+)= Σ_g mask[b, g+k]·Σ_j dStep[b, g+j]·rk[k, g+j]; GRU accumulates.',
  params: [
    arr('dStep'),
    arr('rk'),
    arr('mask'),
    arr('dh'),
    num('n'),
    num('U'),
    num('GU'),
    ['accumulate', 'boolean'],
  ],
  ret: 'void',
  body: loop('b', 'n', [
    ...loop('k', 'U', [
      'let sum = accumulate ? dh[b * U + k]! : 0;',
      'for (let q = 0; q < GU; q += U) {',
      '  let s = 0;',
      ...loop('j', 'U', ['s += dStep[b * GU + q + j]! * rk[k * GU + q + j]!;']).map(
        (l) => `  ${l}`,
      ),
      '  sum += s * mask[b * GU + q + k]!;',
      '}',
      'dh[b * U + k] = sum;',
    ]),
  ]),
};

/** h_prev of every (b, t) row times each block's mask: (n·T, G·u). */
export const dropStatesFn: Fn = {
  name: 'dropStates',
  doc: "out[(b, t), m] = hPrev[(b, t), m mod U]·mask[b, m], as the engine's dropStates.",
  params: [arr('hPrev'), arr('mask'), arr('out'), num('n'), num('T'), num('U'), num('GU')],
  ret: 'void',
  body: [
    'let p = 0;',
    ...loop('b', 'n', [
      ...loop('t', 'T', [
        ...loop('m', 'GU', ['out[p++] = hPrev[(b * T + t) * U + (m % U)]! * mask[b * GU + m]!;']),
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

/** Implementation 1's dropout on the inputs: each (b, t) row times every block's mask. */
export const dropInputsFn: Fn = {
  name: 'dropInputs',
  doc: "out[(b, t), m] = x[(b, t), m mod I]·mask[b, m], as the engine's dropInputs.",
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
    ...loop('r', 'rows', [
      'for (let g = 0, gk = 0; g < GU; g += U, gk += K) {',
      ...loop('j', 'U', [
        'let s = 0;',
        ...loop('k', 'K', ['s += a[r * GK + gk + k]! * w[k * GU + g + j]!;']),
        'out[r * GU + g + j] = s;',
      ]).map((l) => `  ${l}`),
      '}',
    ]),
  ],
};

/** The inputs' gradient through per-block dropped projections. */
export const droppedInputGradientFn: Fn = {
  name: 'droppedInputGradient',
  doc: 'dx[(b, t), i] = Σ_g mask[b, gI+i]·Σ_j dGates[(b, t), gU+j]·kernel[i, gU+j].',
  params: [
    arr('dGates'),
    arr('kernel'),
    arr('mask'),
    arr('dx'),
    num('n'),
    num('T'),
    num('I'),
    num('U'),
    num('GU'),
  ],
  ret: 'void',
  body: [
    'const GI = (GU / U) * I;',
    ...loop('b', 'n', [
      ...loop('t', 'T', [
        'const r = b * T + t;',
        ...loop('i', 'I', [
          'let sum = 0;',
          'for (let g = 0, gi = 0; g < GU; g += U, gi += I) {',
          '  let s = 0;',
          ...loop('j', 'U', ['s += dGates[r * GU + g + j]! * kernel[i * GU + g + j]!;']).map(
            (l) => `  ${l}`,
          ),
          '  sum += s * mask[b * GI + gi + i]!;',
          '}',
          'dx[r * I + i] = sum;',
        ]),
      ]),
    ]),
  ],
};
