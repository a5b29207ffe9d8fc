/**
 * The training plan's gradient ops as code: each emitter is the engine's kernel (src/kernels)
 * operation for operation — float64 sums in the same order, float32 stores at the same places —
 * so the module's gradients are the engine's bit for bit.
 */
import type { ActivationSpec, StepOf } from '../ir/index.js';
import { activationCode, softplusFn } from './activations.js';
import { loop, times, type Fn } from './code.js';
import { numberLiteral as lit } from './literals.js';
import { EmitError, type StepContext } from './context.js';

const f32 = 'Float32Array';

/** The engine's gemm for any strides (matmulTransA / matmulTransB): K in blocks of 256, each block summed in float64 and added once. */
export const gemmFn: Fn = {
  name: 'gemmStrided',
  doc: 'c[M,N] = Σ_k a[i·sai + k·sak]·b[k·sbk + j·sbj]; c is overwritten.',
  params: [
    ['a', f32],
    ['sai', 'number'],
    ['sak', 'number'],
    ['b', f32],
    ['sbk', 'number'],
    ['sbj', 'number'],
    ['c', f32],
    ['M', 'number'],
    ['K', 'number'],
    ['N', 'number'],
  ],
  ret: 'void',
  body: [
    'if (K === 0) c.fill(0, 0, M * N);',
    'for (let k0 = 0; k0 < K; k0 += 256) {',
    '  const kl = K - k0 < 256 ? K - k0 : 256;',
    '  for (let i = 0; i < M; i++) {',
    '    for (let j = 0; j < N; j++) {',
    '      let s = 0;',
    '      let pa = i * sai + k0 * sak;',
    '      let pb = k0 * sbk + j * sbj;',
    '      for (let k = 0; k < kl; k++, pa += sak, pb += sbk) s += a[pa]! * b[pb]!;',
    '      const pc = i * N + j;',
    '      c[pc] = k0 > 0 ? c[pc]! + s : s;',
    '    }',
    '  }',
    '}',
  ],
};

/** The buffers of a product y = x·kernel (+ bias) for its gradients; null where not wanted. */
export interface ProductGradients {
  x: string;
  /** The kernel's name, asked for only when dx is computed (else it would be an unused parameter). */
  kernel: () => string;
  dz: string;
  dx: string | null;
  dKernel: string | null;
  dBias: string | null;
  /** Rows of the product as an expression of n, its inner size and its columns. */
  rows: string;
  in: number;
  units: number;
}

/**
 * dKernel = xᵀ·dz, dBias = Σ dz and dx = dz·kernelᵀ: the engine's matmulTransA, biasGrad and
 * matmulTransB, which Dense and Conv (with x the im2col matrix) share.
 */
export function productBackward(ctx: StepContext, p: ProductGradients): string[] {
  const { x, kernel, dz, rows, in: I, units: U } = p;
  const gemm = () => ctx.use(gemmFn);
  const out: string[] = [];
  // matmulTransA(x, dz, dKernel, in, rows, units): a = xᵀ.
  if (p.dKernel)
    out.push(`${gemm()}(${x}, 1, ${I}, ${dz}, ${U}, 1, ${p.dKernel}, ${I}, ${rows}, ${U});`);
  if (p.dBias)
    out.push(
      `${p.dBias}.fill(0, 0, ${U});`,
      `for (let r = 0, p = 0; r < ${rows}; r++) {`,
      `  for (let c = 0; c < ${U}; c++, p++) ${p.dBias}[c] = ${p.dBias}[c]! + ${dz}[p]!;`,
      '}',
    );
  // matmulTransB(dz, kernel, dx, rows, units, in): b = kernelᵀ.
  if (p.dx)
    out.push(`${gemm()}(${dz}, ${U}, 1, ${kernel()}, 1, ${U}, ${p.dx}, ${rows}, ${U}, ${I});`);
  return out;
}

export function denseBackward(s: StepOf<'dense_backward'>, ctx: StepContext): string[] {
  const { rows, in: I, units: U } = s.attrs;
  const ref = (id: number | undefined, hint: string) => (ctx.has(id) ? ctx.ref(id!, hint) : null);
  return productBackward(ctx, {
    x: ctx.ref(s.inputs[0]!, 'x'),
    kernel: () => ctx.ref(s.inputs[1]!, 'kernel'),
    dz: ctx.ref(s.inputs[2]!, 'dz'),
    dKernel: ref(s.outputs[1], 'dKernel'),
    dBias: ref(s.outputs[2], 'dBias'),
    dx: ref(s.outputs[0], 'dx'),
    rows: times(rows),
    in: I,
    units: U,
  });
}

const sigmoidFn: Fn = {
  name: 'sigmoid',
  params: [['v', 'number']],
  ret: 'number',
  body: ['return 1 / (1 + Math.exp(-v));'],
  doc: 'sigmoid: 1/(1 + e^−v).',
};

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const GELU_C = 0.7978845608028654;
const GELU_A = 0.044715;
const INV_SQRT_2PI = 0.3989422804014327;

/** Lines computing `d` (the derivative at v = x[i], y = y[i]) for an elementwise activation. */
function derivative(spec: ActivationSpec, ctx: StepContext): string[] | null {
  const { alpha, slope, threshold: t, b } = spec;
  const sig = () => ctx.use(sigmoidFn);
  switch (spec.name) {
    case 'relu': {
      const max = spec.maxValue;
      if (slope === 0 && t === 0 && max === Infinity) return ['const d = v > 0 ? 1 : 0;'];
      if (t === 0 && max === Infinity) return [`const d = v > 0 ? 1 : ${lit(slope)};`];
      const relu6 = t === 0 && max === 6;
      const clip = max !== Infinity && !relu6;
      const lines = [
        t !== 0
          ? `let d = v > ${lit(t)} ? 1 : 0;`
          : relu6
            ? 'let d = v > 0 && v < 6 ? 1 : 0;'
            : 'let d = v > 0 ? 1 : 0;',
      ];
      if (clip) {
        lines.push(
          `const p = ${t !== 0 ? `v > ${lit(t)} ? v : 0` : 'v > 0 ? v : 0'};`,
          `if (p < 0 || p > ${lit(max)}) d = 0;`,
        );
      }
      lines.push(`if (${lit(t)} - v > 0) d += ${lit(slope)};`);
      return lines;
    }
    case 'relu6':
      return ['const d = v > 0 && v < 6 ? 1 : 0;'];
    case 'hard_sigmoid':
      return ['const d = v > -3 && v < 3 ? 1 / 6 : 0;'];
    case 'hard_silu':
      return ['const d = v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6;'];
    case 'elu':
      return [`const d = v > 0 ? 1 : ${lit(alpha)} * Math.exp(v);`];
    case 'selu':
      return [
        `const d = v > 0 ? ${lit(SELU_SCALE)} : ${lit(SELU_SCALE * SELU_ALPHA)} * Math.exp(v);`,
      ];
    case 'softplus':
      return [`const d = ${sig()}(v);`];
    case 'softsign':
      return ['const a = 1 + Math.abs(v);', 'const d = 1 / (a * a);'];
    case 'silu':
      return [`const s = ${sig()}(v);`, 'const d = s * (1 + v * (1 - s));'];
    case 'gelu': {
      if (spec.approximate)
        return [
          `const t = Math.tanh(${lit(GELU_C)} * (v + ${lit(GELU_A)} * v * v * v));`,
          `const k = 0.5 * v * (1 - t * t) * ${lit(GELU_C)};`,
          `const d = 0.5 * (1 + t) + k * (1 + 3 * ${lit(GELU_A)} * v * v);`,
        ];
      const code = activationCode(spec);
      if (code.kind !== 'elementwise') return null;
      for (const need of code.needs) ctx.use(need, code.constants);
      return [
        'const e = 0.5 * erfc(-v * Math.SQRT1_2);',
        `const d = e + v * ${lit(INV_SQRT_2PI)} * Math.exp(-0.5 * v * v);`,
      ];
    }
    case 'mish':
      return [
        `const t = Math.tanh(${ctx.use(softplusFn)}(v));`,
        `const d = t + v * (1 - t * t) * ${sig()}(v);`,
      ];
    case 'leaky_relu':
      return [`const d = v > 0 ? 1 : ${lit(slope)};`];
    case 'celu':
      return [`const d = v > 0 ? 1 : Math.exp(v / ${lit(alpha)});`];
    case 'hard_shrink':
    case 'soft_shrink':
      return [`const d = Math.abs(v) > ${lit(t)} ? 1 : 0;`];
    case 'hard_tanh':
      return ['const d = v >= -1 && v <= 1 ? 1 : 0;'];
    case 'log_sigmoid':
      return ['const d = 1 / (1 + Math.exp(v));'];
    case 'sparse_plus':
      return ['const d = v <= -1 ? 0 : v < 1 ? 0.5 * (v + 1) : 1;'];
    case 'sparse_sigmoid':
      return ['const d = v > -1 && v < 1 ? 0.5 : 0;'];
    case 'squareplus':
      return [
        `const r = Math.sqrt(v * v + ${lit(b)});`,
        'const d = 0.5 * (1 + (r > 0 ? v / r : 0));',
      ];
    case 'tanh_shrink':
      return ['const t = Math.tanh(v);', 'const d = t * t;'];
    case 'threshold':
      return [`const d = v > ${lit(t)} ? 1 : 0;`];
    default:
      return null;
  }
}

export function activationBackward(s: StepOf<'activation_backward'>, ctx: StepContext): string[] {
  const { rows, cols, activation: spec } = s.attrs;
  const n = times(rows * cols);
  const dx = ctx.ref(s.outputs[0]!, 'dx');
  if (spec.name === 'step') return [`${dx}.fill(0, 0, ${n});`];
  const dy = ctx.ref(s.inputs[2]!, 'dy');
  const y = () => ctx.ref(s.inputs[1]!, 'y');
  const x = () => ctx.ref(s.inputs[0]!, 'x');
  switch (spec.name) {
    case 'linear':
      return dx === dy ? [] : [`${dx}.set(${dy}.subarray(0, ${n}));`];
    case 'sigmoid':
      return loop('i', n, [`${dx}[i] = ${dy}[i]! * ${y()}[i]! * (1 - ${y()}[i]!);`]);
    case 'tanh':
      return loop('i', n, [`${dx}[i] = ${dy}[i]! * (1 - ${y()}[i]! * ${y()}[i]!);`]);
    case 'exponential':
      return loop('i', n, [`${dx}[i] = ${dy}[i]! * ${y()}[i]!;`]);
    case 'softmax':
    case 'log_softmax':
    case 'sparsemax': {
      const yv = y();
      const body =
        spec.name === 'softmax'
          ? [
              `for (let i = off; i < end; i++) s += ${dy}[i]! * ${yv}[i]!;`,
              `for (let i = off; i < end; i++) ${dx}[i] = ${yv}[i]! * (${dy}[i]! - s);`,
            ]
          : spec.name === 'log_softmax'
            ? [
                `for (let i = off; i < end; i++) s += ${dy}[i]!;`,
                `for (let i = off; i < end; i++) ${dx}[i] = ${dy}[i]! - Math.exp(${yv}[i]!) * s;`,
              ]
            : [
                'let k = 0;',
                'for (let i = off; i < end; i++) {',
                `  if (${yv}[i]! > 0) {`,
                `    s += ${dy}[i]!;`,
                '    k++;',
                '  }',
                '}',
                'const mean = k > 0 ? s / k : 0;',
                `for (let i = off; i < end; i++) ${dx}[i] = ${yv}[i]! > 0 ? ${dy}[i]! - mean : 0;`,
              ];
      return loop('r', times(rows), [
        `const off = r * ${cols};`,
        `const end = off + ${cols};`,
        'let s = 0;',
        ...body,
      ]);
    }
  }
  const d = derivative(spec, ctx);
  if (!d)
    throw new EmitError(
      `layer '${s.layer}': the gradient of activation '${spec.name}' cannot be emitted.`,
      s.layer,
    );
  if (d.length === 1 && spec.name === 'relu' && d[0] === 'const d = v > 0 ? 1 : 0;')
    return loop('i', n, [`${dx}[i] = ${x()}[i]! > 0 ? ${dy}[i]! : 0;`]);
  return loop('i', n, [`const v = ${x()}[i]!;`, ...d, `${dx}[i] = ${dy}[i]! * d;`]);
}

export function batchNormTrain(s: StepOf<'batch_norm_train'>, ctx: StepContext): string[] {
  const { rows, cols: C, epsilon, momentum } = s.attrs;
  const [xId, gamma, beta, mean, variance] = s.inputs;
  const x = ctx.ref(xId!, 'x');
  const y = ctx.ref(s.outputs[0]!, 'y');
  const [sm, si] = [ctx.ref(s.outputs[1]!, 'saveMean'), ctx.ref(s.outputs[2]!, 'saveInvStd')];
  const mm = ctx.ref(mean!, 'movingMean');
  const mv = ctx.ref(variance!, 'movingVariance');
  const g = ctx.has(gamma) ? `${ctx.ref(gamma!, 'gamma')}[c]! * invStd` : 'invStd';
  const b = ctx.has(beta) ? `${ctx.ref(beta!, 'beta')}[c]!` : '0';
  const end = times(rows * C);
  return loop('c', String(C), [
    'let sum = 0;',
    `for (let p = c; p < ${end}; p += ${C}) sum += ${x}[p]!;`,
    `const mean = sum / ${times(rows)};`,
    'let sq = 0;',
    `for (let p = c; p < ${end}; p += ${C}) {`,
    `  const d = ${x}[p]! - mean;`,
    '  sq += d * d;',
    '}',
    `const v = sq / ${times(rows)};`,
    `const invStd = 1 / Math.sqrt(v + ${lit(epsilon)});`,
    `const scale = ${g};`,
    `const shift = ${b};`,
    `for (let p = c; p < ${end}; p += ${C}) ${y}[p] = (${x}[p]! - mean) * scale + shift;`,
    `${sm}[c] = mean;`,
    `${si}[c] = invStd;`,
    `${mm}[c] = ${mm}[c]! * ${lit(momentum)} + mean * (1 - ${lit(momentum)});`,
    `${mv}[c] = ${mv}[c]! * ${lit(momentum)} + v * (1 - ${lit(momentum)});`,
  ]);
}

export function batchNormBackward(s: StepOf<'batch_norm_backward'>, ctx: StepContext): string[] {
  const { rows, cols: C } = s.attrs;
  const [xId, dyId, gamma, mean, invStd] = s.inputs;
  const x = ctx.ref(xId!, 'x');
  const dy = ctx.ref(dyId!, 'dy');
  const [dx, dg, db] = s.outputs.map((id, i) =>
    ctx.has(id) ? ctx.ref(id, ['dx', 'dGamma', 'dBeta'][i]!) : null,
  );
  const sm = ctx.ref(mean!, 'saveMean');
  const si = ctx.ref(invStd!, 'saveInvStd');
  const end = times(rows * C);
  const body = [
    `const mean = ${sm}[c]!;`,
    `const invStd = ${si}[c]!;`,
    'let sum = 0;',
    'let sq = 0;',
    `for (let p = c; p < ${end}; p += ${C}) {`,
    `  const g = ${dy}[p]!;`,
    '  sum += g;',
    `  sq += g * (${x}[p]! - mean) * invStd;`,
    '}',
    ...(dg ? [`${dg}[c] = sq;`] : []),
    ...(db ? [`${db}[c] = sum;`] : []),
  ];
  if (dx) {
    const g = ctx.has(gamma) ? `${ctx.ref(gamma!, 'gamma')}[c]!` : '1';
    body.push(
      `const k = ${g} * invStd;`,
      `const meanDy = sum / ${times(rows)};`,
      `const meanDyXhat = sq / ${times(rows)};`,
      `for (let p = c; p < ${end}; p += ${C}) {`,
      `  const xhat = (${x}[p]! - mean) * invStd;`,
      `  ${dx}[p] = k * (${dy}[p]! - meanDy - xhat * meanDyXhat);`,
      '}',
    );
  }
  return loop('c', String(C), body);
}

export function layerNormBackward(s: StepOf<'layer_norm_backward'>, ctx: StepContext): string[] {
  const { rows, cols: C } = s.attrs;
  const [xId, dyId, gamma, meanId, invId] = s.inputs;
  const x = ctx.ref(xId!, 'x');
  const dy = ctx.ref(dyId!, 'dy');
  const [dx, dg, db] = s.outputs.map((id, i) =>
    ctx.has(id) ? ctx.ref(id, ['dx', 'dGamma', 'dBeta'][i]!) : null,
  );
  const sm = ctx.ref(meanId!, 'rowMean');
  const si = ctx.ref(invId!, 'rowInvStd');
  const out: string[] = [];
  if (dg || db) {
    out.push(
      ...loop('c', String(C), [
        'let sg = 0;',
        'let sb = 0;',
        `for (let r = 0, p = c; r < ${times(rows)}; r++, p += ${C}) {`,
        `  const g = ${dy}[p]!;`,
        `  sg += g * (${x}[p]! - ${sm}[r]!) * ${si}[r]!;`,
        '  sb += g;',
        '}',
        ...(dg ? [`${dg}[c] = sg;`] : []),
        ...(db ? [`${db}[c] = sb;`] : []),
      ]),
    );
  }
  if (dx) {
    const g = ctx.has(gamma) ? `${dy}[p]! * ${ctx.ref(gamma!, 'gamma')}[c]!` : `${dy}[p]! * 1`;
    out.push(
      ...loop('r', times(rows), [
        `const off = r * ${C};`,
        `const mean = ${sm}[r]!;`,
        `const invStd = ${si}[r]!;`,
        'let sum = 0;',
        'let sq = 0;',
        `for (let c = 0; c < ${C}; c++) {`,
        '  const p = off + c;',
        `  const g = ${g};`,
        '  sum += g;',
        `  sq += g * ((${x}[p]! - mean) * invStd);`,
        '}',
        `const meanG = sum / ${C};`,
        `const meanGX = sq / ${C};`,
        `for (let c = 0; c < ${C}; c++) {`,
        '  const p = off + c;',
        `  const g = ${g};`,
        `  ${dx}[p] = invStd * (g - meanG - (${x}[p]! - mean) * invStd * meanGX);`,
        '}',
      ]),
    );
  }
  return out;
}

export function unitNormBackward(s: StepOf<'unit_norm_backward'>, ctx: StepContext): string[] {
  const { rows, cols: C } = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const dy = ctx.ref(s.inputs[2]!, 'dy');
  const dx = ctx.ref(s.outputs[0]!, 'dx');
  return loop('r', times(rows), [
    `const off = r * ${C};`,
    'let sq = 0;',
    'let dot = 0;',
    `for (let p = off; p < off + ${C}; p++) {`,
    `  sq += ${x}[p]! * ${x}[p]!;`,
    `  dot += ${dy}[p]! * ${x}[p]!;`,
    '}',
    'if (sq > 1e-24) {',
    '  const inv = 1 / Math.sqrt(sq);',
    '  const k = dot * inv * inv;',
    `  for (let p = off; p < off + ${C}; p++) ${dx}[p] = inv * (${dy}[p]! - ${x}[p]! * k);`,
    '} else {',
    '  const inv = 1 / Math.sqrt(1e-24);',
    `  for (let p = off; p < off + ${C}; p++) ${dx}[p] = ${dy}[p]! * inv;`,
    '}',
  ]);
}

export function preluBackward(s: StepOf<'prelu_backward'>, ctx: StepContext): string[] {
  const { size, alphaIndex } = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const dy = ctx.ref(s.inputs[2]!, 'dy');
  const identity = alphaIndex.every((a, i) => a === i);
  const index = identity
    ? 'f'
    : `${ctx.constant(`${s.layer}_alpha_index`, 'Int32Array', alphaIndex)}[f]!`;
  const out: string[] = [];
  if (ctx.has(s.outputs[1])) {
    const da = ctx.ref(s.outputs[1]!, 'dAlpha');
    out.push(
      `for (let f = 0; f < ${size}; f++) ${da}[${index}] = 0;`,
      'for (let r = 0, p = 0; r < n; r++) {',
      `  for (let f = 0; f < ${size}; f++, p++) {`,
      `    const v = ${x}[p]!;`,
      '    if (v < 0) {',
      `      const k = ${index};`,
      `      ${da}[k] = ${da}[k]! + ${dy}[p]! * v;`,
      '    }',
      '  }',
      '}',
    );
  }
  if (ctx.has(s.outputs[0])) {
    const alpha = ctx.ref(s.inputs[1]!, 'alpha');
    const dx = ctx.ref(s.outputs[0]!, 'dx');
    out.push(
      'for (let r = 0, p = 0; r < n; r++) {',
      `  for (let f = 0; f < ${size}; f++, p++) {`,
      `    const v = ${x}[p]!;`,
      `    const a = ${alpha}[${index}]!;`,
      `    ${dx}[p] = v > 0 ? ${dy}[p]! : v < 0 ? a * ${dy}[p]! : 0;`,
      '  }',
      '}',
    );
  }
  return out;
}
