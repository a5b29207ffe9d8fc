/**
 * SpatialDropout in the training module: the engine's spatialDropoutForward / Backward
 * (src/kernels/dropout.ts) operation for operation, drawing from the module's copy of the
 * engine's Rng stream in the same order (sample, then channel).
 */
import type { StepOf } from '../ir/index.js';
import { numberLiteral as lit } from './literals.js';
import type { StepContext } from './context.js';

export function spatialDropout(
  s: StepOf<'spatial_dropout'>,
  ctx: StepContext,
  uniform: string,
): string[] {
  const { rate, steps: S, channels: C } = s.attrs;
  const [x, y, mask] = [
    ctx.ref(s.inputs[0]!, 'x'),
    ctx.ref(s.outputs[0]!, 'y'),
    ctx.ref(s.outputs[1]!, 'mask'),
  ];
  const keep = 1 - rate;
  const draws = rate > 0 && rate < 1;
  const scale = rate <= 0 ? 1 : rate >= 1 ? 0 : Math.fround(1 / keep);
  const m = draws ? `${uniform}() < ${lit(keep)} ? ${lit(scale)} : 0` : lit(scale);
  return [
    'for (let r = 0; r < n; r++) {',
    `  for (let c = 0; c < ${C}; c++) {`,
    `    ${mask}[r * ${C} + c] = ${m};`,
    '  }',
    `  for (let s = 0, p = r * ${S * C}; s < ${S}; s++) {`,
    `    for (let c = 0; c < ${C}; c++, p++) {`,
    `      ${y}[p] = ${x}[p]! * ${mask}[r * ${C} + c]!;`,
    '    }',
    '  }',
    '}',
  ];
}

export function spatialDropoutBackward(
  s: StepOf<'spatial_dropout_backward'>,
  ctx: StepContext,
): string[] {
  const { steps: S, channels: C } = s.attrs;
  const [dy, mask, dx] = [
    ctx.ref(s.inputs[0]!, 'dy'),
    ctx.ref(s.inputs[1]!, 'mask'),
    ctx.ref(s.outputs[0]!, 'dx'),
  ];
  return [
    'for (let r = 0; r < n; r++) {',
    `  for (let s = 0, p = r * ${S * C}; s < ${S}; s++) {`,
    `    for (let c = 0; c < ${C}; c++, p++) {`,
    `      ${dx}[p] = ${dy}[p]! * ${mask}[r * ${C} + c]!;`,
    '    }',
    '  }',
    '}',
  ];
}

/** A dropout mask alone (SimpleRNN's recurrent_dropout): the engine's dropoutMask, one draw per element. */
export function dropoutMask(
  s: StepOf<'dropout_mask'>,
  ctx: StepContext,
  uniform: string,
): string[] {
  const keep = 1 - s.attrs.rate;
  const mask = ctx.ref(s.outputs[0]!, 'mask');
  const scale = Math.fround(1 / keep);
  return [
    `for (let i = 0; i < n * ${s.attrs.size}; i++) {`,
    `  ${mask}[i] = ${uniform}() < ${lit(keep)} ? ${lit(scale)} : 0;`,
    '}',
  ];
}
