/**
 * Grouped and depthwise convolutions as code: the engine's products (src/kernels/conv.ts and
 * depthwise.ts) operation for operation. A grouped product is one gemmAt per group over its
 * block of col, the kernel's columns and the output's; a depthwise one (groups = channels) runs
 * the direct loops over the plain im2col layout, with the same float64 sums.
 */
import type { StepOf } from '../ir/index.js';
import { colGroups, windowTaps } from '../kernels/index.js';
import { indentLines, printCall, times, type Fn } from './code.js';
import type { StepContext } from './context.js';

const f32 = 'Float32Array';

/** The module's gemm with offsets: one group's block of each operand of a grouped product. */
const gemmAtFn: Fn = {
  name: 'gemmAt',
  doc: 'c[co + i·ldc + j] = Σ_k a[ao + i·sai + k·sak]·b[bo + k·sbk + j·sbj].',
  params: [
    ['a', f32],
    ['ao', 'number'],
    ['sai', 'number'],
    ['sak', 'number'],
    ['b', f32],
    ['bo', 'number'],
    ['sbk', 'number'],
    ['sbj', 'number'],
    ['c', f32],
    ['co', 'number'],
    ['ldc', 'number'],
    ['M', 'number'],
    ['K', 'number'],
    ['N', 'number'],
  ],
  ret: 'void',
  body: [
    'if (K === 0) {',
    '  for (let i = 0; i < M; i++) c.fill(0, co + i * ldc, co + i * ldc + N);',
    '}',
    'for (let k0 = 0; k0 < K; k0 += 256) {',
    '  const kl = K - k0 < 256 ? K - k0 : 256;',
    '  for (let i = 0; i < M; i++) {',
    '    for (let j = 0; j < N; j++) {',
    '      let s = 0;',
    '      let pa = ao + i * sai + k0 * sak;',
    '      let pb = bo + k0 * sbk + j * sbj;',
    '      for (let k = 0; k < kl; k++, pa += sak, pb += sbk) s += a[pa]! * b[pb]!;',
    '      const pc = co + i * ldc + j;',
    '      c[pc] = k0 > 0 ? c[pc]! + s : s;',
    '    }',
    '  }',
    '}',
  ],
};

const depthwiseParams: [string, string][] = [
  ['rows', 'number'],
  ['T', 'number'],
  ['C', 'number'],
  ['M', 'number'],
];

const depthwiseFn: Fn = {
  name: 'depthwise',
  doc: 'y[r, c·M + m] = Σ_t col[r, t·C + c]·kernel[t, c·M + m] (depthwise).',
  params: [['col', f32], ['kernel', f32], ['y', f32], ...depthwiseParams],
  ret: 'void',
  body: [
    'const F = C * M;',
    'for (let r = 0; r < rows; r++) {',
    '  for (let f = 0; f < F; f++) {',
    '    let p = r * T * C + Math.floor(f / M);',
    '    let s = 0;',
    '    for (let q = f; q < T * F; q += F, p += C) s += col[p]! * kernel[q]!;',
    '    y[r * F + f] = s;',
    '  }',
    '}',
  ],
};

const depthwiseKernelGradFn: Fn = {
  name: 'depthwiseKernelGrad',
  doc: 'dk[t, c·M + m] = Σ_r col[r, t·C + c]·dz[r, c·M + m], rows in blocks of 256.',
  params: [['col', f32], ['dz', f32], ['dk', f32], ...depthwiseParams],
  ret: 'void',
  body: [
    'const F = C * M;',
    'dk.fill(0, 0, T * F);',
    'for (let r0 = 0; r0 < rows; r0 += 256) {',
    '  const r1 = Math.min(rows, r0 + 256);',
    '  for (let t = 0; t < T; t++) {',
    '    for (let f = 0; f < F; f++) {',
    '      let p = (r0 * T + t) * C + Math.floor(f / M);',
    '      let s = 0;',
    '      for (let q = r0 * F + f; q < r1 * F; q += F, p += T * C) {',
    '        s += col[p]! * dz[q]!;',
    '      }',
    '      dk[t * F + f] = dk[t * F + f]! + s;',
    '    }',
    '  }',
    '}',
  ],
};

const depthwiseColGradFn: Fn = {
  name: 'depthwiseColGrad',
  doc: 'dcol[r, t·C + c] = Σ_m dz[r, c·M + m]·kernel[t, c·M + m].',
  params: [['dz', f32], ['kernel', f32], ['dcol', f32], ...depthwiseParams],
  ret: 'void',
  body: [
    'const F = C * M;',
    'for (let r = 0, p = 0; r < rows; r++) {',
    '  for (let t = 0; t < T; t++) {',
    '    for (let c = 0; c < C; c++, p++) {',
    '      let s = 0;',
    '      for (let f = c * M; f < c * M + M; f++) {',
    '        s += dz[r * F + f]! * kernel[t * F + f]!;',
    '      }',
    '      dcol[p] = s;',
    '    }',
    '  }',
    '}',
  ],
};

/** `for` each group `g`: the call of gemmAt with its operands' offsets (g·k, g·f) written in. */
function perGroup(ctx: StepContext, groups: number, args: string[]): string[] {
  // Step functions sit at 2 columns inside the module's factory; the loop body is at 6.
  const call = printCall(ctx.use(gemmAtFn), args, 4);
  return [`for (let g = 0; g < ${groups}; g++) {`, ...indentLines(call, 2), '}'];
}

type Geometry = StepOf<'conv_backward'>['attrs'];

/** A call of a depthwise helper over `rows` with the geometry's taps, channels and multiplier. */
function depthwiseCall(ctx: StepContext, fn: Fn, g: Geometry, args: string[]): string[] {
  const sizes = [times(g.oh * g.ow), String(g.kh * g.kw), String(g.c), String(g.filters / g.c)];
  return printCall(ctx.use(fn), [...args, ...sizes], 2);
}

/** pre = col·kernel for groups > 1 (convForward in the kernels). */
export function groupedForward(
  ctx: StepContext,
  g: Geometry,
  [col, kernel, pre]: [string, string, string],
): string[] {
  if (g.groups === g.c) return depthwiseCall(ctx, depthwiseFn, g, [col, kernel, pre]);
  const [taps, F, G] = [windowTaps(g), g.filters, g.groups];
  const [k, f] = [taps / G, F / G];
  const rows = times(g.oh * g.ow);
  return perGroup(ctx, G, [
    ...[col, `g * ${k}`, `${taps}`, '1'],
    ...[kernel, `g * ${f}`, `${F}`, '1'],
    ...[pre, `g * ${f}`, `${F}`, rows, `${k}`, `${f}`],
  ]);
}

/** dkernel and dcol for groups > 1 (convBackward in the kernels); null where not wanted. */
export function groupedBackward(
  ctx: StepContext,
  g: Geometry,
  ops: {
    col: string;
    kernel: () => string;
    dz: string;
    dKernel: string | null;
    dcol: string | null;
  },
): string[] {
  const out: string[] = [];
  if (g.groups === g.c) {
    if (ops.dKernel)
      out.push(...depthwiseCall(ctx, depthwiseKernelGradFn, g, [ops.col, ops.dz, ops.dKernel]));
    if (ops.dcol)
      out.push(...depthwiseCall(ctx, depthwiseColGradFn, g, [ops.dz, ops.kernel(), ops.dcol]));
    return out;
  }
  const rows = times(g.oh * g.ow);
  const [taps, F, G] = [windowTaps(g), g.filters, g.groups];
  const [k, f] = [taps / G, F / G];
  if (ops.dKernel)
    out.push(
      ...perGroup(ctx, G, [
        ...[ops.col, `g * ${k}`, '1', `${taps}`],
        ...[ops.dz, `g * ${f}`, `${F}`, '1'],
        ...[ops.dKernel, `g * ${f}`, `${F}`, `${k}`, rows, `${f}`],
      ]),
    );
  if (ops.dcol)
    out.push(
      ...perGroup(ctx, G, [
        ...[ops.dz, `g * ${f}`, `${F}`, '1'],
        ...[ops.kernel(), `g * ${f}`, '1', `${F}`],
        ...[ops.dcol, `g * ${k}`, `${taps}`, rows, `${f}`, `${k}`],
      ]),
    );
  return out;
}

/** The groups the im2col walk is cut by (none for depthwise), as the kernels lay it out. */
export function layoutGroups(g: Geometry): number {
  return colGroups(g, g.groups);
}
