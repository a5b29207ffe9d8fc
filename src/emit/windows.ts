/**
 * Convolution and pooling as code: the engine's kernels (src/kernels/conv.ts, pooling.ts)
 * operation for operation, with the window geometry written in as literals — im2col and the
 * module's matmul for a convolution, col2im and the strided gemm for its backward, the same
 * window walks (and the same first-maximum rule) for pooling.
 */
import type { PlanStep, StepOf, WindowGeometry } from '../ir/index.js';
import { windowTaps } from '../kernels/index.js';
import { productBackward } from './backward.js';
import { times } from './code.js';
import { groupedBackward, groupedForward, layoutGroups } from './grouped.js';
import { matmulFns } from './matmul.js';
import { biasActivation } from './epilogue.js';
import type { StepContext, StepEmitter } from './context.js';

/** `a * s + b * t - c` with the literal ones and zeros left out. */
function sum(terms: [string, number][], offset: number): string {
  const parts = terms.filter(([, k]) => k !== 0).map(([v, k]) => (k === 1 ? v : `${v} * ${k}`));
  const head = parts.length ? parts.join(' + ') : '0';
  return offset === 0 ? head : offset > 0 ? `${head} + ${offset}` : `${head} - ${-offset}`;
}

/** A block statement: `head {`, the body indented, `}`. */
function block(head: string, body: readonly string[]): string[] {
  return [`${head} {`, ...body.map((l) => (l === '' ? l : `  ${l}`)), '}'];
}

/** The index of channel 0 of input cell (iy, ix) of sample b. */
function cell(g: WindowGeometry, iy: string, ix: string): string {
  return `((b * ${g.h} + ${iy}) * ${g.w} + ${ix}) * ${g.c}`;
}

/**
 * The loops over samples and output positions. `counter` starts at 0 with the samples; with
 * `step` it advances by that much per output position (pooling's `o`), without it the body
 * advances it (im2col's `p`, per tap).
 */
function positions(
  g: WindowGeometry,
  counter: string,
  step: number | null,
  perRow: string[],
  body: string[],
): string[] {
  const ox = `for (let ox = 0; ox < ${g.ow}; ox++${step === null ? '' : `, ${counter} += ${step}`})`;
  return block(
    `for (let b = 0, ${counter} = 0; b < n; b++)`,
    block(`for (let oy = 0; oy < ${g.oh}; oy++)`, [...perRow, ...block(ox, body)]),
  );
}

/**
 * The walk over every output position's window taps that im2col and col2im share: `p` advances
 * by the group's channels per tap; `inside` runs where the tap lies in the input (q is the first
 * channel of the group, `cg` of them), `outside` where it lies in the padding. With groups the
 * taps are walked group by group (gc: the group's first channel), the kernels' grouped layout.
 */
function tapWalk(g: WindowGeometry, groups: number, inside: string[], outside: string[]): string[] {
  const cg = g.c / groups;
  const iy = sum(
    [
      ['oy', g.sh],
      ['i', g.dh],
    ],
    -g.top,
  );
  const ix = sum(
    [
      ['ox', g.sw],
      ['j', g.dw],
    ],
    -g.left,
  );
  const out = `iy < 0 || iy >= ${g.h} || ix < 0 || ix >= ${g.w}`;
  const q = groups === 1 ? cell(g, 'iy', 'ix') : `${cell(g, 'iy', 'ix')} + gc`;
  const read = [`const q = ${q};`, ...inside];
  const tap =
    outside.length > 0
      ? [...block(`if (${out})`, outside).slice(0, -1), ...block('} else', read)]
      : block(`if (!(${out}))`, read);
  const taps = block(`for (let i = 0; i < ${g.kh}; i++)`, [
    `const iy = ${iy};`,
    ...block(`for (let j = 0; j < ${g.kw}; j++, p += ${cg})`, [`const ix = ${ix};`, ...tap]),
  ]);
  return positions(
    g,
    'p',
    null,
    [],
    groups === 1 ? taps : block(`for (let gc = 0; gc < ${g.c}; gc += ${cg})`, taps),
  );
}

/** The im2col copy of `x` into `col` (group by group when grouped). */
function im2col(g: WindowGeometry, groups: number, x: string, col: string): string[] {
  const cg = g.c / groups;
  return tapWalk(
    g,
    groups,
    block(`for (let ch = 0; ch < ${cg}; ch++)`, [`${col}[p + ch] = ${x}[q + ch]!;`]),
    [`${col}.fill(0, p, p + ${cg});`],
  );
}

function conv(s: StepOf<'conv'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const kernel = ctx.ref(s.inputs[1]!, 'kernel');
  const bias = g.bias ? ctx.ref(s.inputs[2]!, 'bias') : null;
  const y = ctx.ref(s.outputs[0]!, 'y');
  const col = ctx.ref(s.outputs[1]!, 'col');
  const z = ctx.has(s.outputs[2]) ? ctx.ref(s.outputs[2]!, 'z') : null;
  const pre = z ?? y;
  const rows = times(g.oh * g.ow);
  const [taps, F] = [windowTaps(g), g.filters];
  let product: string[];
  if (g.groups === 1) {
    for (const fn of matmulFns) ctx.use(fn);
    product = [`matmul(${col}, ${kernel}, ${pre}, ${rows}, ${taps}, ${F});`];
  } else product = groupedForward(ctx, g, [col, kernel, pre]);
  return [
    ...im2col(g, layoutGroups(g), x, col),
    ...product,
    ...biasActivation(ctx, { pre, y, z, bias, rows, units: F }, g.activation),
  ];
}

function convBackward(s: StepOf<'conv_backward'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const ref = (id: number | undefined, hint: string) => (ctx.has(id) ? ctx.ref(id!, hint) : null);
  const dx = ref(s.outputs[0], 'dx');
  const dcol = dx === null ? null : ctx.ref(s.outputs[3]!, 'dcol');
  const dKernel = ref(s.outputs[1], 'dKernel');
  const ops = {
    col: ctx.ref(s.inputs[0]!, 'col'),
    kernel: () => ctx.ref(s.inputs[1]!, 'kernel'),
    dz: ctx.ref(s.inputs[2]!, 'dz'),
  };
  const out = productBackward(ctx, {
    x: ops.col,
    kernel: ops.kernel,
    dz: ops.dz,
    dKernel: g.groups === 1 ? dKernel : null,
    dBias: ref(s.outputs[2], 'dBias'),
    dx: g.groups === 1 ? dcol : null,
    rows: times(g.oh * g.ow),
    in: windowTaps(g),
    units: g.filters,
  });
  if (g.groups > 1) out.push(...groupedBackward(ctx, g, { ...ops, dKernel, dcol }));
  if (dx === null || dcol === null) return out;
  // col2im: dcol's rows summed back into the input cells they were read from.
  const cg = g.c / layoutGroups(g);
  return [
    ...out,
    `${dx}.fill(0, 0, ${times(g.h * g.w * g.c)});`,
    ...tapWalk(
      g,
      layoutGroups(g),
      block(`for (let ch = 0; ch < ${cg}; ch++)`, [
        `${dx}[q + ch] = ${dx}[q + ch]! + ${dcol}[p + ch]!;`,
      ]),
      [],
    ),
  ];
}

function maxPool(s: StepOf<'max_pool'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const x = ctx.ref(s.inputs[0]!, 'x');
  const y = ctx.ref(s.outputs[0]!, 'y');
  const argmax = ctx.has(s.outputs[1]) ? ctx.ref(s.outputs[1]!, 'argmax') : null;
  const better = [`${y}[o + ch] = v;`, ...(argmax ? [`${argmax}[o + ch] = i * ${g.kw} + j;`] : [])];
  return positions(
    g,
    'o',
    g.c,
    [],
    [
      `${y}.fill(-Infinity, o, o + ${g.c});`,
      ...(argmax ? [`${argmax}.fill(0, o, o + ${g.c});`] : []),
      ...block(`for (let i = 0; i < ${g.kh}; i++)`, [
        `const iy = ${sum(
          [
            ['oy', g.sh],
            ['i', 1],
          ],
          -g.top,
        )};`,
        `if (iy < 0 || iy >= ${g.h}) continue;`,
        ...block(`for (let j = 0; j < ${g.kw}; j++)`, [
          `const ix = ${sum(
            [
              ['ox', g.sw],
              ['j', 1],
            ],
            -g.left,
          )};`,
          `if (ix < 0 || ix >= ${g.w}) continue;`,
          `const q = ${cell(g, 'iy', 'ix')};`,
          ...block(`for (let ch = 0; ch < ${g.c}; ch++)`, [
            `const v = ${x}[q + ch]!;`,
            ...block(`if (v > ${y}[o + ch]!)`, better),
          ]),
        ]),
      ]),
    ],
  );
}

function maxPoolBackward(s: StepOf<'max_pool_backward'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const [dy, argmax] = [ctx.ref(s.inputs[0]!, 'dy'), ctx.ref(s.inputs[1]!, 'argmax')];
  const dx = ctx.ref(s.outputs[0]!, 'dx');
  return [
    `${dx}.fill(0, 0, ${times(g.h * g.w * g.c)});`,
    ...positions(
      g,
      'o',
      g.c,
      [],
      block(`for (let ch = 0; ch < ${g.c}; ch++)`, [
        `const tap = ${argmax}[o + ch]!;`,
        `const i = Math.floor(tap / ${g.kw});`,
        `const j = tap - i * ${g.kw};`,
        `const iy = ${sum(
          [
            ['oy', g.sh],
            ['i', 1],
          ],
          -g.top,
        )};`,
        `const ix = ${sum(
          [
            ['ox', g.sw],
            ['j', 1],
          ],
          -g.left,
        )};`,
        `const q = ${cell(g, 'iy', 'ix')} + ch;`,
        `${dx}[q] = ${dx}[q]! + ${dy}[o + ch]!;`,
      ]),
    ),
  ];
}

/** The window's cells inside the input: taps [i0, i1) × [j0, j1) from corner (y0, x0), and their count. */
function avgWindow(g: WindowGeometry, body: string[]): string[] {
  return positions(
    g,
    'o',
    g.c,
    [
      `const y0 = ${sum([['oy', g.sh]], -g.top)};`,
      'const i0 = Math.max(0, -y0);',
      `const i1 = Math.min(${g.kh}, ${g.h} - y0);`,
    ],
    [
      `const x0 = ${sum([['ox', g.sw]], -g.left)};`,
      'const j0 = Math.max(0, -x0);',
      `const j1 = Math.min(${g.kw}, ${g.w} - x0);`,
      'const count = (i1 - i0) * (j1 - j0);',
      ...block(`for (let ch = 0; ch < ${g.c}; ch++)`, body),
    ],
  );
}

/** The loops over a window's cells inside the input, `q` the cell's value for channel ch. */
function cells(g: WindowGeometry, body: string[]): string[] {
  return block(
    'for (let i = i0; i < i1; i++)',
    block('for (let j = j0; j < j1; j++)', [
      `const q = ${cell(g, 'y0 + i', 'x0 + j')} + ch;`,
      ...body,
    ]),
  );
}

function avgPool(s: StepOf<'avg_pool'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  return avgWindow(g, ['let s = 0;', ...cells(g, [`s += ${x}[q]!;`]), `${y}[o + ch] = s / count;`]);
}

function avgPoolBackward(s: StepOf<'avg_pool_backward'>, ctx: StepContext): string[] {
  const g = s.attrs;
  const [dy, dx] = [ctx.ref(s.inputs[0]!, 'dy'), ctx.ref(s.outputs[0]!, 'dx')];
  return [
    `${dx}.fill(0, 0, ${times(g.h * g.w * g.c)});`,
    ...avgWindow(g, [
      `const d = ${dy}[o + ch]! / count;`,
      ...cells(g, [`${dx}[q] = ${dx}[q]! + d;`]),
    ]),
  ];
}

/** The forward ops of convolution and pooling layers (steps.ts's table takes them in). */
export const windowForwardEmitters: Partial<Record<PlanStep['op'], StepEmitter>> = {
  conv: (s, c) => conv(s as StepOf<'conv'>, c),
  max_pool: (s, c) => maxPool(s as StepOf<'max_pool'>, c),
  avg_pool: (s, c) => avgPool(s as StepOf<'avg_pool'>, c),
};

/** Their backward ops, for the training emitter. */
export const windowBackwardEmitters: Partial<Record<PlanStep['op'], StepEmitter>> = {
  conv_backward: (s, c) => convBackward(s as StepOf<'conv_backward'>, c),
  max_pool_backward: (s, c) => maxPoolBackward(s as StepOf<'max_pool_backward'>, c),
  avg_pool_backward: (s, c) => avgPoolBackward(s as StepOf<'avg_pool_backward'>, c),
};
