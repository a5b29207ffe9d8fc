/**
 * What follows a matrix product in a Dense or Conv step: the engine's addBias and activation,
 * fused into one pass over the product (elementwise activations inline, row activations such
 * as softmax as one call after it).
 */
import type { StepOf } from '../ir/index.js';
import { activationCode } from './activations.js';
import type { StepContext } from './context.js';

/** `y = act(v)` for an elementwise activation, or null when the activation is the identity or works on rows. */
export function elementwise(
  ctx: StepContext,
  spec: StepOf<'dense'>['attrs']['activation'],
): string | null {
  if (!spec) return null;
  const code = activationCode(spec);
  if (code.kind !== 'elementwise') return null;
  for (const need of code.needs) ctx.use(need, code.constants);
  return ctx.use(code.fn, code.constants);
}

export function rowActivation(
  ctx: StepContext,
  spec: StepOf<'dense'>['attrs']['activation'],
): string | null {
  if (!spec) return null;
  const code = activationCode(spec);
  return code.kind === 'rows' ? ctx.use(code.fn) : null;
}

/** The buffers of a product's epilogue: `pre` holds the product; z (if any) keeps the pre-activation. */
export interface Epilogue {
  pre: string;
  y: string;
  z: string | null;
  bias: string | null;
  /** Rows of the product as an expression of n, and its columns. */
  rows: string;
  units: number;
}

/** The engine's addBias and activation after a product (Dense, Conv), fused into one pass over it. */
export function biasActivation(
  ctx: StepContext,
  { pre, y, z, bias: b, rows, units: U }: Epilogue,
  spec: StepOf<'dense'>['attrs']['activation'],
): string[] {
  const act = elementwise(ctx, spec);
  const rowAct = rowActivation(ctx, spec);
  const out: string[] = [];
  const value = b ? `Math.fround(${pre}[p]! + ${b}[j]!)` : `${pre}[p]!`;
  const stores = z
    ? [...(b ? [`${z}[p] = ${value};`] : []), ...(act ? [`${y}[p] = ${act}(${z}[p]!);`] : [])]
    : b || act
      ? [`${y}[p] = ${act ? `${act}(${value})` : value};`]
      : [];
  if (stores.length > 0)
    out.push(
      `for (let r = 0, p = 0; r < ${rows}; r++) {`,
      `  for (let j = 0; j < ${U}; j++, p++) {`,
      ...stores.map((l) => `    ${l}`),
      '  }',
      '}',
    );
  if (rowAct) out.push(`${rowAct}(${pre}, ${y}, ${rows}, ${U});`);
  return out;
}
