/**
 * Keras's mask in the recurrent ops as code: the engine's carryMaskedState, keepMaskedGradients
 * and clearMaskedGates (src/kernels/recurrent.ts) operation for operation, as module functions
 * that a masked layer's step calls around its cell.
 */
import { loop, type Fn } from './code.js';

// Declared here, not taken from recurrent.ts, which imports this module (a cycle at load time).
const arr = (name: string): [string, string] => [name, 'Float32Array'];
const num = (name: string): [string, string] => [name, 'number'];
const f32OrNull = (name: string): [string, string] => [name, 'Float32Array | null'];

/** Forward: a masked row keeps the state entering the step (and LSTM's cell state). */
export const carryMaskedFn: Fn = {
  name: 'carryMaskedState',
  doc: 'At a masked step a row keeps its state: h from hPrev, c from the step before.',
  params: [
    arr('mask'),
    arr('h'),
    arr('hPrev'),
    f32OrNull('c'),
    f32OrNull('cs'),
    ...['n', 'T', 'U', 's', 't', 'tPrev'].map(num),
  ],
  ret: 'void',
  body: loop('b', 'n', [
    'if (mask[b * T + t] !== 0) continue;',
    'const so = (b * T + t) * U;',
    ...loop('j', 'U', ['h[b * U + j] = hPrev[so + j]!;']),
    'if (!c || !cs) continue;',
    'const po = (b * T + tPrev) * U;',
    ...loop('j', 'U', [
      'const cv = s > 0 ? c[po + j]! : 0;',
      'cs[b * U + j] = cv;',
      'c[so + j] = cv;',
    ]),
  ]),
};

/** Backward: a masked row's dh (and dc) saved before its step and restored after it. */
export const keepMaskedFn: Fn = {
  name: 'keepMaskedGradients',
  doc: 'A masked row passes dh (and dc) through its step: saved to carry, or restored.',
  params: [
    arr('mask'),
    arr('dh'),
    f32OrNull('dc'),
    arr('carry'),
    ...['n', 'T', 'U', 't'].map(num),
    ['save', 'boolean'],
  ],
  ret: 'void',
  body: [
    'const width = dc ? 2 * U : U;',
    ...loop('b', 'n', [
      'if (mask[b * T + t] !== 0) continue;',
      'const o = b * width;',
      ...loop('j', 'U', [
        'if (save) {',
        '  carry[o + j] = dh[b * U + j]!;',
        '  if (dc) carry[o + U + j] = dc[b * U + j]!;',
        '} else {',
        '  dh[b * U + j] = carry[o + j]!;',
        '  if (dc) dc[b * U + j] = carry[o + U + j]!;',
        '}',
      ]),
    ]),
  ],
};

/** Backward: a masked step's gate gradients are zero. */
export const clearMaskedFn: Fn = {
  name: 'clearMaskedGates',
  doc: "A masked step's gates had no effect: their gradients are zero.",
  params: [arr('mask'), arr('dGates'), f32OrNull('dRec'), ...['n', 'T', 'GU', 't'].map(num)],
  ret: 'void',
  body: loop('b', 'n', [
    'if (mask[b * T + t] !== 0) continue;',
    'const o = (b * T + t) * GU;',
    'dGates.fill(0, o, o + GU);',
    'if (dRec) dRec.fill(0, o, o + GU);',
  ]),
};
