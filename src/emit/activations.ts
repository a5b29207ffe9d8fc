/**
 * Keras 3's activations as code: each elementwise activation becomes a small function of one
 * number (its arguments written in as literals), which V8 inlines into the loops that call it;
 * softmax, log_softmax and sparsemax become row functions. The formulas are the engine's
 * (src/kernels/activation-functions.ts and activation-rows.ts), operation for operation, so the
 * module computes the same float64 values and rounds them to float32 at the same stores.
 */
import type { ActivationSpec } from '../ir/index.js';
import { ERFC_CHEBYSHEV, GELU_A, GELU_C, SELU_ALPHA, SELU_SCALE } from '../kernels/index.js';
import type { Fn } from './code.js';
import { numberLiteral as lit } from './literals.js';

const scalar = (name: string, body: string[], doc: string, extra: [string, string][] = []): Fn => ({
  name,
  params: [['v', 'number'], ...extra],
  ret: 'number',
  body,
  doc,
});

export const softplusFn = scalar(
  'softplus',
  ['return (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));'],
  'softplus: log(1 + e^v), without overflow.',
);
const sigmoidFn = scalar('sigmoid', ['return 1 / (1 + Math.exp(-v));'], 'sigmoid: 1/(1 + e^−v).');
const hardSigmoidFn = scalar(
  'hardSigmoid',
  ['const h = v / 6 + 0.5;', 'if (h <= 0) return 0;', 'return h >= 1 ? 1 : h;'],
  'hard_sigmoid (Keras 3): clip(v/6 + ½, 0, 1).',
);
const erfcFn: Fn = {
  name: 'erfc',
  params: [['z', 'number']],
  ret: 'number',
  doc: 'erfc(z) by a Chebyshev fit (Numerical Recipes), to ~1.2e-16 relative.',
  body: [
    'const a = z < 0 ? -z : z;',
    'const t = 2 / (2 + a);',
    'const u = 2 * t - 1;',
    'let b1 = 0;',
    'let b2 = 0;',
    'for (let j = ERFC.length - 1; j > 0; j--) {',
    '  const b0 = 2 * u * b1 - b2 + ERFC[j]!;',
    '  b2 = b1;',
    '  b1 = b0;',
    '}',
    'const g = u * b1 - b2 + ERFC[0]!;',
    'const r = t * Math.exp(-a * a + g);',
    'return z < 0 ? 2 - r : r;',
  ],
};

/** Module-level constants that helpers need, by name: the printed declaration. */
export const constants: Record<string, string[]> = {
  ERFC: ['const ERFC = new Float64Array([', ...fill(Array.from(ERFC_CHEBYSHEV, lit), 2), ']);'],
};

/** Numbers laid out as Prettier fills a numeric array: as many per line as fit. */
export function fill(items: readonly string[], indent: number, width = 80): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? `${item},` : `${line} ${item},`;
    if (indent + next.length > width && line !== '') {
      lines.push(' '.repeat(indent) + line);
      line = `${item},`;
    } else line = next;
  }
  if (line !== '') lines.push(' '.repeat(indent) + line);
  return lines;
}

/** How one activation is computed: an elementwise function, or a row function over [rows, cols]. */
export type ActivationCode =
  | { kind: 'identity' }
  | { kind: 'elementwise'; fn: Fn; needs: Fn[]; constants: string[] }
  | { kind: 'rows'; fn: Fn; needs: Fn[] };

/** The code of an activation spec; the function's name is unique to its arguments. */
export function activationCode(spec: ActivationSpec): ActivationCode {
  const e = (name: string, body: string[], doc: string, needs: Fn[] = [], consts: string[] = []) =>
    ({ kind: 'elementwise', fn: scalar(name, body, doc), needs, constants: consts }) as const;
  const { alpha, slope, threshold: t, b } = spec;
  switch (spec.name) {
    case 'linear':
      return { kind: 'identity' };
    case 'relu': {
      const max = spec.maxValue;
      if (slope === 0 && t === 0 && max === Infinity)
        return e('relu', ['return v > 0 ? v : 0;'], 'relu: max(v, 0).');
      if (t === 0 && max === Infinity)
        return e(
          `relu_${key(slope)}`,
          ['if (v > 0) return v;', `return ${lit(slope)} * v;`],
          `relu with negative_slope ${lit(slope)}.`,
        );
      const body = [
        `let p = ${t !== 0 ? `v > ${lit(t)} ? v : 0` : 'v > 0 ? v : 0'};`,
        ...(max !== Infinity ? [`if (p < 0) p = 0;`, `if (p > ${lit(max)}) p = ${lit(max)};`] : []),
        `const d = ${lit(t)} - v;`,
        `return p - ${lit(slope)} * (d > 0 ? d : 0);`,
      ];
      return e(
        `relu_${key(slope, max, t)}`,
        body,
        `relu(negative_slope=${lit(slope)}, max_value=${lit(max)}, threshold=${lit(t)}).`,
      );
    }
    case 'relu6':
      return e(
        'relu6',
        ['if (v <= 0) return 0;', 'return v < 6 ? v : 6;'],
        'relu6: min(max(v, 0), 6).',
      );
    case 'sigmoid':
      return { kind: 'elementwise', fn: sigmoidFn, needs: [], constants: [] };
    case 'hard_sigmoid':
      return { kind: 'elementwise', fn: hardSigmoidFn, needs: [], constants: [] };
    case 'hard_silu':
      return e('hardSilu', ['return v * hardSigmoid(v);'], 'hard_silu: v·hard_sigmoid(v).', [
        hardSigmoidFn,
      ]);
    case 'tanh':
      return e('tanh', ['return Math.tanh(v);'], 'tanh.');
    case 'elu':
      return e(
        `elu_${key(alpha)}`,
        ['if (v > 0) return v;', `return ${lit(alpha)} * Math.expm1(v);`],
        `elu with alpha ${lit(alpha)}.`,
      );
    case 'selu':
      return e(
        'selu',
        [
          `if (v > 0) return ${lit(SELU_SCALE)} * v;`,
          `return ${lit(SELU_SCALE)} * ${lit(SELU_ALPHA)} * Math.expm1(v);`,
        ],
        'selu: scale·elu(v, α) with Keras’s constants.',
      );
    case 'softplus':
      return { kind: 'elementwise', fn: softplusFn, needs: [], constants: [] };
    case 'softsign':
      return e('softsign', ['return v / (1 + Math.abs(v));'], 'softsign: v/(1 + |v|).');
    case 'silu':
      return e('silu', ['return v / (1 + Math.exp(-v));'], 'silu (swish): v·σ(v).');
    case 'gelu':
      return spec.approximate
        ? e(
            'geluTanh',
            [
              `const u = ${lit(GELU_C)} * (v + ${lit(GELU_A)} * v * v * v);`,
              'return 0.5 * v * (1 + Math.tanh(u));',
            ],
            'gelu, tanh approximation.',
          )
        : e(
            'gelu',
            ['return 0.5 * v * erfc(-v * Math.SQRT1_2);'],
            'gelu, exact: ½v·erfc(−v/√2).',
            [erfcFn],
            ['ERFC'],
          );
    case 'exponential':
      return e('exponential', ['return Math.exp(v);'], 'exponential: e^v.');
    case 'mish':
      return e('mish', ['return v * Math.tanh(softplus(v));'], 'mish: v·tanh(softplus(v)).', [
        softplusFn,
      ]);
    case 'leaky_relu':
      return e(
        `leakyRelu_${key(slope)}`,
        ['if (v > 0) return v;', `return ${lit(slope)} * v;`],
        `leaky_relu with negative_slope ${lit(slope)}.`,
      );
    case 'celu':
      return e(
        `celu_${key(alpha)}`,
        ['if (v > 0) return v;', `return ${lit(alpha)} * Math.expm1(v / ${lit(alpha)});`],
        `celu with alpha ${lit(alpha)}.`,
      );
    case 'hard_shrink':
      return e(
        `hardShrink_${key(t)}`,
        [`return Math.abs(v) > ${lit(t)} ? v : 0;`],
        `hard_shrink with threshold ${lit(t)}.`,
      );
    case 'hard_tanh':
      return e(
        'hardTanh',
        ['if (v < -1) return -1;', 'return v > 1 ? 1 : v;'],
        'hard_tanh: clip(v, −1, 1).',
      );
    case 'log_sigmoid':
      return e('logSigmoid', ['return -softplus(-v);'], 'log_sigmoid: −softplus(−v).', [
        softplusFn,
      ]);
    case 'soft_shrink':
      return e(
        `softShrink_${key(t)}`,
        [
          `if (v > ${lit(t)}) return v - ${lit(t)};`,
          `if (v < ${lit(-t)}) return v + ${lit(t)};`,
          'return 0;',
        ],
        `soft_shrink with threshold ${lit(t)}.`,
      );
    case 'sparse_plus':
      return e(
        'sparsePlus',
        ['if (v <= -1) return 0;', 'return v < 1 ? 0.25 * (v + 1) * (v + 1) : v;'],
        'sparse_plus.',
      );
    case 'sparse_sigmoid':
      return e(
        'sparseSigmoid',
        ['if (v <= -1) return 0;', 'return v >= 1 ? 1 : 0.5 * (v + 1);'],
        'sparse_sigmoid.',
      );
    case 'squareplus':
      return e(
        `squareplus_${key(b)}`,
        [`return 0.5 * (v + Math.sqrt(v * v + ${lit(b)}));`],
        `squareplus with b ${lit(b)}.`,
      );
    case 'tanh_shrink':
      return e('tanhShrink', ['return v - Math.tanh(v);'], 'tanh_shrink: v − tanh(v).');
    case 'threshold':
      return e(
        `threshold_${key(t, spec.defaultValue)}`,
        [`return v > ${lit(t)} ? v : ${lit(spec.defaultValue)};`],
        `threshold at ${lit(t)}, else ${lit(spec.defaultValue)}.`,
      );
    case 'step':
      return e('step', ['return v > 0 ? 1 : 0;'], 'step (the perceptron’s): 1 for v > 0, else 0.');
    case 'softmax':
    case 'log_softmax':
    case 'sparsemax':
      return { kind: 'rows', fn: rowFns[spec.name], needs: [] };
  }
}

/** A name suffix for activation arguments: `0.2` → `0_2`, `-1e-3` → `m1em3`. */
function key(...values: number[]): string {
  return values
    .map((v) => lit(v).replace(/-/g, 'm').replace(/\./g, '_').replace(/\+/g, ''))
    .join('_');
}

const rowParams: [string, string][] = [
  ['x', 'Float32Array'],
  ['y', 'Float32Array'],
  ['rows', 'number'],
  ['cols', 'number'],
];

const rowFns: Record<'softmax' | 'log_softmax' | 'sparsemax', Fn> = {
  softmax: {
    name: 'softmax',
    params: rowParams,
    ret: 'void',
    doc: 'softmax over each row of x: [rows, cols] into y (y may be x).',
    body: [
      'for (let off = 0; off < rows * cols; off += cols) {',
      '  const end = off + cols;',
      '  let max = -Infinity;',
      '  for (let i = off; i < end; i++) if (x[i]! > max) max = x[i]!;',
      '  let sum = 0;',
      '  for (let i = off; i < end; i++) {',
      '    const e = Math.exp(x[i]! - max);',
      '    y[i] = e;',
      '    sum += e;',
      '  }',
      '  const inv = 1 / sum;',
      '  for (let i = off; i < end; i++) y[i] = y[i]! * inv;',
      '}',
    ],
  },
  log_softmax: {
    name: 'logSoftmax',
    params: rowParams,
    ret: 'void',
    doc: 'log_softmax over each row of x: [rows, cols] into y (y may be x).',
    body: [
      'for (let off = 0; off < rows * cols; off += cols) {',
      '  const end = off + cols;',
      '  let max = -Infinity;',
      '  for (let i = off; i < end; i++) if (x[i]! > max) max = x[i]!;',
      '  let sum = 0;',
      '  for (let i = off; i < end; i++) sum += Math.exp(x[i]! - max);',
      '  const lse = Math.log(sum);',
      '  for (let i = off; i < end; i++) y[i] = x[i]! - max - lse;',
      '}',
    ],
  },
  sparsemax: {
    name: 'sparsemax',
    params: rowParams,
    ret: 'void',
    doc: 'sparsemax over each row of x: [rows, cols] into y (y may be x).',
    body: [
      'for (let off = 0; off < rows * cols; off += cols) {',
      '  const end = off + cols;',
      '  let sum = 0;',
      '  for (let i = off; i < end; i++) sum += x[i]!;',
      '  let k = cols;',
      '  let tau = (sum - 1) / k;',
      '  for (let iter = 0; iter < cols; iter++) {',
      '    let s = 0;',
      '    let c = 0;',
      '    for (let i = off; i < end; i++) {',
      '      if (x[i]! > tau) {',
      '        s += x[i]!;',
      '        c++;',
      '      }',
      '    }',
      '    if (c === k || c === 0) break;',
      '    k = c;',
      '    tau = (s - 1) / c;',
      '  }',
      '  for (let i = off; i < end; i++) {',
      '    const v = x[i]! - tau;',
      '    y[i] = v > 0 ? v : 0;',
      '  }',
      '}',
    ],
  },
};
