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

/** The recurrent kernel's gradient from the dropped states, block by block. */
export const blockGradientsFn: Fn = {
  name: 'blockGradients',
  doc: 'out[k, g+j] = Σ_r a[r, g+k]·d[r, g+j] per U-wide gate block g.',
  params: [arr('a'), arr('d'), arr('out'), num('rows'), num('U'), num('GU')],
  ret: 'void',
  body: [
    'out.fill(0, 0, U * GU);',
    ...loop('r', 'rows', [
      'for (let g = 0; g < GU; g += U) {',
      ...loop('k', 'U', [
        'const v = a[r * GU + g + k]!;',
        ...loop('j', 'U', ['out[k * GU + g + j] = out[k * GU + g + j]! + v * d[r * GU + g + j]!;']),
      ]).map((l) => `  ${l}`),
      '}',
    ]),
  ],
};
