/**
 * Building conformance cases. Each case draws its sizes, batch size and data seed from its own
 * generator, seeded by its group and label: the table is the same on every run, and adding or
 * removing a case changes no other. CONFORMANCE_SALT=<n> re-draws everything, to explore.
 */
import { Rng } from '../../src/kernels/random.js';
import { lossEntry } from './tfjs-losses.js';
import { k, type Arg, type ConformanceCase, type KerasCall } from './spec.js';

/** A case's random choices: sizes in 3…8, integers below n, elements of a list. */
export interface Draws {
  size(): number;
  below(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** What a case specifies; make() adds the sizes, the output layer and the seed. */
export interface CaseSpec {
  /** The layers before the loss's output Dense. */
  hidden: KerasCall[];
  loss: string;
  optimizer: KerasCall;
  /** The output Dense's activation (default: the loss's usual one). */
  head?: Arg;
  steps?: number;
  viaFit?: boolean;
  /** The inputs are token ids below this (an Embedding first). */
  tokens?: number;
  /** A fixed input size (a case that reshapes its input into an image needs one). */
  inputs?: number;
}

/** FNV-1a of a string, for seeding a case by its name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function drawsOf(rng: Rng): Draws {
  return {
    size: () => 3 + rng.below(6),
    below: (n) => rng.below(n),
    pick: (xs) => xs[rng.below(xs.length)]!,
  };
}

/** A case of `group` named `label` (unique within its group), built from its own draws. */
export function make(group: string, label: string, build: (d: Draws) => CaseSpec): ConformanceCase {
  const rng = new Rng(hash(`${process.env['CONFORMANCE_SALT'] ?? ''}${group}/${label}`));
  const d = drawsOf(rng);
  const spec = build(d);
  const { targets, units, head } = lossEntry(spec.loss);
  // Output units suited to the loss: 1–2 for binary and ±1 targets, 2–4 otherwise.
  const outputs =
    units ?? (targets === 'binary' || targets === 'signs' ? 1 + d.below(2) : 2 + d.below(3));
  const inputs = d.size(); // drawn even when fixed, so the case's later draws stay the same
  return {
    group,
    label,
    inputs: spec.inputs ?? inputs,
    layers: [...spec.hidden, dense(outputs, spec.head ?? head)],
    loss: spec.loss,
    optimizer: spec.optimizer,
    batchSize: 4 + d.below(5),
    steps: spec.steps ?? 4,
    seed: rng.nextUint32(),
    ...(spec.viaFit ? { viaFit: true } : {}),
    ...(spec.tokens ? { tokens: spec.tokens } : {}),
  };
}

/** A Dense layer call: `dense(5, 'relu', { use_bias: false })`. */
export const dense = (units: number, activation?: Arg, extra: Record<string, Arg> = {}) =>
  k('Dense', [units], activation === undefined ? extra : { activation, ...extra });

/** SGD with a learning rate (a number or a schedule call) and more keyword arguments. */
export const sgd = (lr: Arg, extra: Record<string, Arg> = {}) =>
  k('SGD', [], { learning_rate: lr, ...extra });

/** Adam with a learning rate (a number or a schedule call) and more keyword arguments. */
export const adam = (lr: Arg, extra: Record<string, Arg> = {}) =>
  k('Adam', [], { learning_rate: lr, ...extra });
