/**
 * The emitters of the global pooling and copy ops (GlobalAveragePooling, GlobalMaxPooling,
 * ZeroPadding, Cropping, UpSampling, RepeatVector, Permute), forward and backward: each is its
 * kernel in src/kernels/global-pooling.ts, spatial-copy.ts or permute.ts, operation for operation.
 */
import type { CopyAxis, StepOf } from '../ir/index.js';
import { permutationIndex } from '../kernels/index.js';
import { indentLines, loop } from './code.js';
import type { StepContext } from './context.js';

/** The loop over samples and channels of a global pooling step, `body` run per (r, c) with `base`. */
function perChannel(steps: number, C: number, body: string[]): string[] {
  return loop('r', 'n', [`const base = r * ${steps * C};`, ...loop('c', String(C), body)]);
}

/** A loop over the positions of channel c of sample r (`p` steps by C), with a block body. */
function positions(steps: number, C: number, body: string[]): string[] {
  return [
    `for (let p = base + c; p < base + ${steps * C}; p += ${C}) {`,
    ...indentLines(body, 2),
    '}',
  ];
}

/** perChannel with Keras's mask: `count` is the sample's unmasked steps (its mask's sum). */
function maskedPerChannel(S: number, C: number, mask: string, body: string[]): string[] {
  return loop('r', 'n', [
    `const base = r * ${S * C};`,
    'let count = 0;',
    ...loop('s', String(S), [`count += ${mask}[r * ${S} + s]!;`]),
    ...loop('c', String(C), body),
  ]);
}

/** The positions of channel c of sample r with `m`, the step's index in the mask. */
function maskedSteps(S: number, C: number, body: string[]): string[] {
  return [
    `for (let p = base + c, m = r * ${S}; m < (r + 1) * ${S}; m++, p += ${C}) {`,
    ...indentLines(body, 2),
    '}',
  ];
}

export function globalPool(s: StepOf<'global_pool'>, ctx: StepContext): string[] {
  const { pool, steps: S, channels: C } = s.attrs;
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  if (s.attrs.masked) {
    // Keras's mask over the steps: the mean of the unmasked ones (as globalAvgPoolMaskedForward).
    const mask = ctx.ref(s.inputs[1]!, 'mask');
    return maskedPerChannel(S, C, mask, [
      'let sum = 0;',
      ...maskedSteps(S, C, [`sum += ${mask}[m]! * ${x}[p]!;`]),
      `${y}[r * ${C} + c] = sum / count;`,
    ]);
  }
  if (pool === 'avg')
    return perChannel(S, C, [
      'let sum = 0;',
      ...positions(S, C, [`sum += ${x}[p]!;`]),
      `${y}[r * ${C} + c] = sum / ${S};`,
    ]);
  return perChannel(S, C, [
    'let max = -Infinity;',
    ...positions(S, C, [
      `const v = ${x}[p]!;`,
      'if (v > max || v !== v) max = v;',
      'if (max !== max) break;',
    ]),
    `${y}[r * ${C} + c] = max;`,
  ]);
}

export function globalPoolBackward(s: StepOf<'global_pool_backward'>, ctx: StepContext): string[] {
  const { pool, steps: S, channels: C } = s.attrs;
  const [dy, dx] = [ctx.ref(s.inputs[0]!, 'dy'), ctx.ref(s.outputs[0]!, 'dx')];
  if (s.attrs.masked) {
    const mask = ctx.ref(s.inputs[1]!, 'mask');
    return maskedPerChannel(S, C, mask, [
      `const g = ${dy}[r * ${C} + c]! / count;`,
      ...maskedSteps(S, C, [`${dx}[p] = ${mask}[m]! * g;`]),
    ]);
  }
  if (pool === 'avg')
    return perChannel(S, C, [
      `const g = ${dy}[r * ${C} + c]! / ${S};`,
      ...positions(S, C, [`${dx}[p] = g;`]),
    ]);
  const [x, y] = [ctx.ref(s.inputs[1]!, 'x'), ctx.ref(s.inputs[2]!, 'y')];
  return perChannel(S, C, [
    `const max = ${y}[r * ${C} + c]!;`,
    'let count = 0;',
    ...positions(S, C, [`if (${x}[p] === max) count++;`]),
    `const g = count > 0 ? ${dy}[r * ${C} + c]! / count : 0;`,
    ...positions(S, C, [`${dx}[p] = ${x}[p] === max ? g : 0;`]),
  ]);
}

/** `const <i> = <source of o>;` on one axis: ⌊o / repeat⌋ + shift. */
function source(i: string, o: string, a: CopyAxis): string {
  const index = a.repeat === 1 ? o : `Math.floor(${o} / ${a.repeat})`;
  const shifted =
    a.shift === 0 ? index : `${index} ${a.shift < 0 ? '-' : '+'} ${Math.abs(a.shift)}`;
  return `const ${i} = ${shifted};`;
}

/** Whether a source index lies outside its axis. */
function outside(i: string, a: CopyAxis): string {
  return `${i} < 0 || ${i} >= ${a.in}`;
}

/**
 * The loops of a copy step over samples and output positions (one or two axes): `inside`
 * runs with `p` (input) and `q` (output) at a position that reads the input, `zero` at one
 * that does not.
 */
function copyLoops(
  axes: readonly CopyAxis[],
  C: number,
  inside: string[],
  zero: string[],
): string[] {
  const [outer, inner] = axes.length === 1 ? [null, axes[0]!] : [axes[0]!, axes[1]!];
  const row = outer ? `(r * ${outer.in} + ih) * ${inner.in} + iw` : `r * ${inner.in} + iw`;
  const position = [
    source('iw', 'ow', inner),
    `if (${outer ? `${outside('ih', outer)} || ` : ''}${outside('iw', inner)}) {`,
    ...indentLines(zero, 2),
    '  continue;',
    '}',
    `const p = (${row}) * ${C};`,
    ...inside,
  ];
  const innerLoop = [
    `for (let ow = 0; ow < ${inner.out}; ow++, q += ${C}) {`,
    ...indentLines(position, 2),
    '}',
  ];
  const body = outer
    ? [
        `for (let oh = 0; oh < ${outer.out}; oh++) {`,
        ...indentLines([source('ih', 'oh', outer), ...innerLoop], 2),
        '}',
      ]
    : innerLoop;
  return ['for (let r = 0, q = 0; r < n; r++) {', ...indentLines(body, 2), '}'];
}

export function spatialCopy(s: StepOf<'spatial_copy'>, ctx: StepContext): string[] {
  const { axes, channels: C } = s.attrs;
  const [x, y] = [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  return copyLoops(
    axes,
    C,
    [`for (let c = 0; c < ${C}; c++) {`, `  ${y}[q + c] = ${x}[p + c]!;`, '}'],
    [`${y}.fill(0, q, q + ${C});`],
  );
}

export function spatialCopyBackward(
  s: StepOf<'spatial_copy_backward'>,
  ctx: StepContext,
): string[] {
  const { axes, channels: C } = s.attrs;
  const [dy, dx] = [ctx.ref(s.inputs[0]!, 'dy'), ctx.ref(s.outputs[0]!, 'dx')];
  const inputSize = axes.reduce((n, a) => n * a.in, C);
  return [
    `${dx}.fill(0, 0, n * ${inputSize});`,
    ...copyLoops(
      axes,
      C,
      [`for (let c = 0; c < ${C}; c++) {`, `  ${dx}[p + c] = ${dx}[p + c]! + ${dy}[q + c]!;`, '}'],
      [],
    ),
  ];
}

/** Permute forward and backward: a gather (or scatter) through the step's index map, written out once. */
function permuteLines(
  s: StepOf<'permute'> | StepOf<'permute_backward'>,
  ctx: StepContext,
  backward: boolean,
): string[] {
  const index = permutationIndex(s.attrs.shape, s.attrs.perm);
  const S = index.length;
  const map = ctx.constant(`${s.layer}_permutation`, 'Int32Array', Array.from(index));
  const [from, to] = backward
    ? [ctx.ref(s.inputs[0]!, 'dy'), ctx.ref(s.outputs[0]!, 'dx')]
    : [ctx.ref(s.inputs[0]!, 'x'), ctx.ref(s.outputs[0]!, 'y')];
  const copy = backward ? `${to}[at] = ${from}[base + o]!;` : `${to}[base + o] = ${from}[at]!;`;
  return [
    `for (let r = 0, base = 0; r < n; r++, base += ${S}) {`,
    `  for (let o = 0; o < ${S}; o++) {`,
    `    const at = base + ${map}[o]!;`,
    `    ${copy}`,
    '  }',
    '}',
  ];
}

export const permute = (s: StepOf<'permute'>, ctx: StepContext) => permuteLines(s, ctx, false);

export const permuteBackward = (s: StepOf<'permute_backward'>, ctx: StepContext) =>
  permuteLines(s, ctx, true);
