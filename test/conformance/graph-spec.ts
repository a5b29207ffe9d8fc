/**
 * What a graph conformance case is made of: a functional model written as the statements of
 * its .nn source (`h = a -> Dense(4)`, `(h, b) -> Add() -> Dense(1)`), in Keras spelling, so
 * that one description feeds both engines — rendered as source for ours, built as a
 * tf.model() for TF.js (graph-tfjs.ts) — and neither is derived from the other's reading.
 */
import { renderCall, type KerasCall, type TrainingSetup } from './spec.js';

/** A model input: the result it is named as, its shape per sample and its optional name=. */
export interface GraphInput {
  id: string;
  shape: number[];
  name?: string;
}

/** Values per sample of an input. */
export const sizeOf = (i: GraphInput): number => i.shape.reduce((a, b) => a * b, 1);

/**
 * One chain statement: `target = (from…) -> layers…`, or `a, b, c = …` (`targets`: one name per
 * output of a layer with several, as an LSTM with return_state=True). Without a target the
 * chain is a model output (a result alone, with no layers, too). Several `from` form a tuple,
 * which only a merge layer takes.
 */
export interface GraphStatement {
  target?: string;
  targets?: string[];
  from: string[];
  layers: KerasCall[];
}

/** Whether a statement names its result (or results) rather than being an output. */
export const named = (s: GraphStatement): boolean => s.target !== undefined || !!s.targets;

/** `h = ` or `out, h, c = `: what a statement's chain is assigned to. */
const assigned = (s: GraphStatement): string =>
  s.targets ? `${s.targets.join(', ')} = ` : s.target ? `${s.target} = ` : '';

/** A graph case: its inputs and statements, trained as its setup says (steps > 0). */
export interface GraphCase extends TrainingSetup {
  inputs: GraphInput[];
  statements: GraphStatement[];
  /** One loss key per output (compile(loss=[…])); without it `loss` applies to every output. */
  losses?: string[];
  /** compile(loss_weights=[…]): Keras's total is Σ weight·loss. */
  lossWeights?: number[];
}

/** The loss key of each output, in output order. */
export function outputLosses(c: GraphCase): string[] {
  const outputs = c.statements.filter((s) => !named(s)).length;
  return c.losses ?? Array.from({ length: outputs }, () => c.loss);
}

/**
 * The .nn source of a case: its inputs, its statements and `compile(optimizer, loss)` — with
 * `loss=[…]` (one per output) and `loss_weights=[…]` when the case has them. `lossOf` gives a
 * loss key's call.
 */
export function graphSource(c: GraphCase, lossOf: (key: string) => KerasCall): string {
  const inputs = c.inputs.map(
    (i) =>
      `${i.id} = Input(shape=(${i.shape.join(', ')}${i.shape.length === 1 ? ',' : ''})${i.name ? `, name='${i.name}'` : ''})`,
  );
  const statements = c.statements.map((s) => {
    const from = s.from.length === 1 ? s.from[0]! : `(${s.from.join(', ')})`;
    const chain = [from, ...s.layers.map((l) => renderCall(l, true))].join(' -> ');
    return assigned(s) + chain;
  });
  const loss = c.losses
    ? `loss=[${c.losses.map((l) => renderCall(lossOf(l))).join(', ')}]`
    : renderCall(lossOf(c.loss));
  const weights = c.lossWeights ? `, loss_weights=[${c.lossWeights.join(', ')}]` : '';
  const compile = `compile(${renderCall(c.optimizer)}, ${loss}${weights})`;
  return [...inputs, ...statements, compile].join('\n');
}

/** Keras's to_snake_case (keras/src/utils/naming.py), which auto_name applies to class names. */
function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The names Keras 3 gives the case's layers in a fresh session: `name=` when given, else the
 * snake-cased class name, suffixed `_1`, `_2`, … from the second of a kind on, in creation
 * order (the inputs, then each statement's layers left to right). Per statement, per layer.
 */
export function kerasNames(c: GraphCase): { inputs: string[]; layers: string[][] } {
  const seen = new Map<string, number>();
  const auto = (base: string) => {
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
  const inputs = c.inputs.map((i) => i.name ?? auto('input_layer'));
  const layers = c.statements.map((s) =>
    s.layers.map((l) => {
      const given = l.args?.['name'];
      return typeof given === 'string' ? given : auto(snakeCase(l.call));
    }),
  );
  return { inputs, layers };
}

/** A one-line description of the graph for test names: `h = a→Dense(4) · (h, b)→Add→Dense(1)`. */
export function graphSummary(c: GraphCase): string {
  return c.statements
    .map((s) => {
      const from = s.from.length === 1 ? s.from[0]! : `(${s.from.join(', ')})`;
      const layers = s.layers.map((l) =>
        l.positional?.length ? renderCall({ call: l.call, positional: l.positional }) : l.call,
      );
      return `${assigned(s)}${[from, ...layers].join('→')}`;
    })
    .join(' · ');
}
