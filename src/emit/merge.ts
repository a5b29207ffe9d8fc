/**
 * The merge layers' ops as code, forward and backward: the engine's kernels (src/kernels/merge.ts)
 * operation for operation, float32 rounding at the same places.
 */
import type { StepOf } from '../ir/index.js';
import { loop, times } from './code.js';
import type { StepContext } from './context.js';

/** `v = v ∘ w` for one more input, as the engine folds it. */
function foldLine(mode: StepOf<'merge'>['attrs']['mode'], w: string): string {
  switch (mode) {
    case 'subtract':
      return `v = Math.fround(v - ${w});`;
    case 'multiply':
      return `v = Math.fround(v * ${w});`;
    case 'average':
      return `v = Math.fround(v + ${w});`;
    case 'maximum':
      return `v = v >= ${w} ? v : ${w};`;
    case 'minimum':
      return `v = v <= ${w} ? v : ${w};`;
  }
}

export function merge(s: StepOf<'merge'>, ctx: StepContext): string[] {
  const { mode, size } = s.attrs;
  const xs = s.inputs.map((id, k) => ctx.ref(id, `x${k}`));
  const y = ctx.ref(s.outputs[0]!, 'y');
  const extreme = mode === 'maximum' || mode === 'minimum';
  return loop('i', times(size), [
    `let v = ${xs[0]}[i]!;`,
    ...xs
      .slice(1)
      .flatMap((x) =>
        extreme
          ? ['{', `  const w = ${x}[i]!;`, `  ${foldLine(mode, 'w')}`, '}']
          : [foldLine(mode, `${x}[i]!`)],
      ),
    `${y}[i] = ${mode === 'average' ? `v / ${xs.length}` : 'v'};`,
  ]);
}

export function mergeBackward(s: StepOf<'merge_backward'>, ctx: StepContext): string[] {
  const { mode, size } = s.attrs;
  const count = s.inputs.length - 1;
  // The inputs' values, referenced only where a gradient reads them (Subtract and Average read
  // none), so the function takes no parameter it does not use.
  const x = (k: number) => ctx.ref(s.inputs[k]!, `x${k}`);
  const dy = ctx.ref(s.inputs[count]!, 'dy');
  const dxs = s.outputs.map((id, k) => (ctx.has(id) ? ctx.ref(id, `dx${k}`) : null));
  const body: string[] = [`const g = ${dy}[i]!;`];
  if (mode === 'subtract') {
    if (dxs[0]) body.push(`${dxs[0]}[i] = g;`);
    if (dxs[1]) body.push(`${dxs[1]}[i] = -g;`);
  } else if (mode === 'average') {
    for (const dx of dxs) if (dx) body.push(`${dx}[i] = g / ${count};`);
  } else if (mode === 'multiply') {
    dxs.forEach((dx, k) => {
      if (dx)
        body.push(
          `${dx}[i] = g${Array.from({ length: count }, (_, j) => (j === k ? '' : ` * ${x(j)}[i]!`)).join('')};`,
        );
    });
  } else {
    const keep = mode === 'maximum' ? '>=' : '<=';
    body.push('let best = 0;', `let v = ${x(0)}[i]!;`);
    for (let j = 0; j + 1 < count; j++) {
      body.push(
        '{',
        `  const w = ${x(j + 1)}[i]!;`,
        `  if (!(v ${keep} w)) {`,
        `    best = ${j + 1};`,
        '    v = w;',
        '  }',
        '}',
      );
    }
    dxs.forEach((dx, k) => {
      if (dx) body.push(`${dx}[i] = best === ${k} ? g : 0;`);
    });
  }
  return loop('i', times(size), body);
}

export function concatenate(s: StepOf<'concatenate'>, ctx: StepContext): string[] {
  const { outer, blocks } = s.attrs;
  const xs = s.inputs.map((id, k) => ctx.ref(id, `x${k}`));
  const y = ctx.ref(s.outputs[0]!, 'y');
  return [
    `for (let o = 0, p = 0; o < ${times(outer)}; o++) {`,
    ...xs.flatMap((x, k) =>
      loop('j', String(blocks[k]), [`${y}[p++] = ${x}[o * ${blocks[k]} + j]!;`]).map(
        (l) => `  ${l}`,
      ),
    ),
    '}',
  ];
}

export function concatenateBackward(s: StepOf<'concatenate_backward'>, ctx: StepContext): string[] {
  const { outer, blocks } = s.attrs;
  const dy = ctx.ref(s.inputs[0]!, 'dy');
  const body: string[] = [];
  s.outputs.forEach((id, k) => {
    const b = blocks[k]!;
    if (ctx.has(id)) {
      const dx = ctx.ref(id, `dx${k}`);
      body.push(...loop('j', String(b), [`${dx}[o * ${b} + j] = ${dy}[p + j]!;`]));
    }
    body.push(`p += ${b};`);
  });
  return [`for (let o = 0, p = 0; o < ${times(outer)}; o++) {`, ...body.map((l) => `  ${l}`), '}'];
}
