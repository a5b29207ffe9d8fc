/**
 * The graph conformance table: hand-written functional models, one per shape of graph worth
 * pinning down (fan-out, each merge layer, several inputs, diamonds, a result read at two
 * depths, branches of unequal depth), and seeded random graphs: NN_GRAPH_CASES of them
 * (default 20) from NN_GRAPH_SEED (default 1), to explore further set either.
 */
import { Rng } from '../../src/kernels/random.js';
import { adam, dense, sgd } from './case-builder.js';
import type { GraphCase, GraphInput, GraphStatement } from './graph-spec.js';
import { k, tuple, type Arg, type KerasCall } from './spec.js';
import { lossEntry } from './tfjs-losses.js';

/** `target = from -> layers…` (no target: an output). */
const st = (target: string | undefined, from: string[], ...layers: KerasCall[]): GraphStatement =>
  target === undefined ? { from, layers } : { target, from, layers };

/** An input of `size` values, or of a shape. */
const input = (id: string, size: number | number[], name?: string): GraphInput => {
  const shape = typeof size === 'number' ? [size] : size;
  return name === undefined ? { id, shape } : { id, shape, name };
};

function hand(
  label: string,
  inputs: GraphInput[],
  statements: GraphStatement[],
  loss: string | string[],
  optimizer: KerasCall,
  seed: number,
  viaFit = false,
  lossWeights?: number[],
): GraphCase {
  const losses = typeof loss === 'string' ? {} : { losses: loss };
  return {
    ...(viaFit ? { viaFit } : {}),
    ...losses,
    ...(lossWeights ? { lossWeights } : {}),
    group: 'hand-written',
    label,
    inputs,
    statements,
    loss: typeof loss === 'string' ? loss : loss[0]!,
    optimizer,
    batchSize: 6,
    steps: 3,
    seed,
  };
}

/** One input of 4 read by two Dense branches of 5 joined by `merge`, then the head. */
const branches = (merge: string, loss: string, optimizer: KerasCall, seed: number): GraphCase => {
  const head = lossEntry(loss);
  return hand(
    `${merge} of two branches of one input`,
    [input('x', 4)],
    [
      st('p', ['x'], dense(5, 'tanh')),
      st('q', ['x'], dense(5, 'sigmoid')),
      st(undefined, ['p', 'q'], k(merge), dense(head.units ?? 2, head.head)),
    ],
    loss,
    optimizer,
    seed,
  );
};

/** `a, b, c = from -> layers…`: one name per output of a layer with several (return_state). */
const unpack = (targets: string[], from: string[], ...layers: KerasCall[]): GraphStatement => ({
  targets,
  from,
  layers,
});

/** A recurrent layer's call with return_state=True. */
const withState = (call: string, units: number, extra: Record<string, Arg> = {}): KerasCall =>
  k(call, [units], { return_state: true, ...extra });

/**
 * Recurrent layers' returned states (return_state=True) unpacked by a tuple assignment, read by
 * later layers and as outputs of their own: their gradients join backpropagation through time
 * at the last step.
 */
const STATE_CASES: GraphCase[] = [
  hand(
    'LSTM return_state: output and both states concatenated into a Dense head',
    [input('x', [5, 3])],
    [
      unpack(['out', 'h', 'c'], ['x'], withState('LSTM', 4)),
      st(undefined, ['out', 'h', 'c'], k('Concatenate'), dense(3, 'softmax')),
    ],
    'categorical_crossentropy',
    adam(0.01),
    40,
  ),
  hand(
    'LSTM return_state: the cell state an output of its own, the sequence through a Dense',
    [input('x', [4, 3])],
    [
      unpack(['seq', 'h', 'c'], ['x'], withState('LSTM', 3, { return_sequences: true })),
      st(undefined, ['seq'], k('Flatten'), dense(2)),
      st(undefined, ['c']),
      st(undefined, ['h'], dense(1, 'sigmoid')),
    ],
    ['mse', 'mse', 'binary_crossentropy'],
    sgd(0.1),
    41,
  ),
  hand(
    'GRU return_state (Keras 3’s reset_after=True): the state into the head, the output unused',
    [input('x', [5, 2])],
    [
      unpack(['_out', 'state'], ['x'], withState('GRU', 4, { go_backwards: true })),
      st(undefined, ['state'], dense(2, 'softmax')),
    ],
    'categorical_crossentropy',
    adam(0.01),
    42,
  ),
  hand(
    'GRU(reset_after=False) and SimpleRNN return_state, states merged',
    [input('x', [4, 3])],
    [
      unpack(['_a', 'g'], ['x'], withState('GRU', 3, { reset_after: false })),
      unpack(['s', 'r'], ['x'], withState('SimpleRNN', 3, { return_sequences: true })),
      st(undefined, ['g', 'r'], k('Add'), dense(2)),
      st(undefined, ['s'], k('Flatten'), dense(1)),
    ],
    'mse',
    sgd(0.1),
    43,
  ),
  hand(
    'Bidirectional(LSTM return_state): output, forward h and backward c into a head',
    [input('x', [4, 2])],
    [
      unpack(['out', 'fh', '_fc', '_bh', 'bc'], ['x'], k('Bidirectional', [withState('LSTM', 3)])),
      st(undefined, ['out', 'fh', 'bc'], k('Concatenate'), dense(1, 'sigmoid')),
    ],
    'binary_crossentropy',
    adam(0.01),
    44,
  ),
  hand(
    'Bidirectional merge_mode=None: both directions apart (the backward flipped back), states',
    [input('x', [4, 2])],
    [
      unpack(
        ['fwd', 'bwd', 'fs', '_bs'],
        ['x'],
        k('Bidirectional', [withState('GRU', 3, { reset_after: false, return_sequences: true })], {
          merge_mode: k('None'),
        }),
      ),
      st(undefined, ['fwd', 'bwd'], k('Subtract'), k('Flatten'), dense(2)),
      st(undefined, ['fs'], dense(1)),
    ],
    'mse',
    sgd(0.1),
    45,
  ),
];

export const HAND_CASES: GraphCase[] = [
  hand(
    'residual block: x + Dense(Dense(x))',
    [input('x', 4)],
    [
      st('h', ['x'], dense(6, 'relu'), dense(4, 'tanh')),
      st(undefined, ['x', 'h'], k('Add'), dense(3, 'softmax')),
    ],
    'categorical_crossentropy',
    sgd(0.1),
    11,
  ),
  hand(
    'residual block on a hidden result, fan-out into the Add',
    [input('x', 3)],
    [
      st('h', ['x'], dense(5, 'relu')),
      st('r', ['h'], dense(5, 'tanh')),
      st(undefined, ['h', 'r'], k('Add'), dense(1, 'sigmoid')),
    ],
    'binary_crossentropy',
    adam(0.01),
    12,
  ),
  branches('Subtract', 'mse', adam(0.01), 13),
  branches('Multiply', 'mse', sgd(0.1), 14),
  branches('Average', 'binary_crossentropy', sgd(0.1), 15),
  branches('Maximum', 'categorical_crossentropy', adam(0.01), 16),
  branches('Minimum', 'mse', sgd(0.1), 17),
  hand(
    'Multiply and Add of three results',
    [input('x', 3)],
    [
      st('p', ['x'], dense(4, 'tanh')),
      st('q', ['x'], dense(4, 'sigmoid')),
      st('r', ['x'], dense(4)),
      st('m', ['p', 'q', 'r'], k('Multiply')),
      st(undefined, ['m', 'p', 'r'], k('Add'), dense(2)),
    ],
    'mse',
    sgd(0.1),
    18,
  ),
  hand(
    'two inputs, Concatenate on the last axis',
    [input('a', 3, 'a'), input('b', 2)],
    [
      st('h', ['a'], dense(4, 'relu')),
      st(undefined, ['h', 'b'], k('Concatenate'), dense(3, 'softmax')),
    ],
    'categorical_crossentropy',
    adam(0.01),
    19,
  ),
  hand(
    'two inputs, each through a Dense, Concatenate then Add with a third branch',
    [input('a', 3), input('b', 5, 'side')],
    [
      st('ha', ['a'], dense(2, 'tanh')),
      st('hb', ['b'], dense(3, 'relu')),
      st('c', ['ha', 'hb'], k('Concatenate')),
      st('s', ['b'], dense(5, 'sigmoid')),
      st(undefined, ['c', 's'], k('Add'), dense(1, 'sigmoid')),
    ],
    'binary_crossentropy',
    sgd(0.1),
    20,
  ),
  hand(
    'two inputs merged directly, trained through fit()',
    [input('a', 4, 'left'), input('b', 4, 'right')],
    [
      st('m', ['a', 'b'], k('Average')),
      st('d', ['a', 'b'], k('Subtract'), dense(4, 'tanh')),
      st(undefined, ['m', 'd', 'b'], k('Maximum'), k('LayerNormalization'), dense(2)),
    ],
    'mse',
    sgd(0.1),
    29,
    true,
  ),
  hand(
    'Concatenate(axis=1) of rank-3 results of different lengths on that axis',
    [input('x', 5)],
    [
      st('p', ['x'], dense(6, 'tanh'), k('Reshape', [tuple(2, 3)])),
      st('q', ['x'], dense(3), k('Reshape', [tuple(1, 3)])),
      st(
        undefined,
        ['q', 'p'],
        k('Concatenate', [], { axis: 1 }),
        k('Flatten'),
        dense(1, 'sigmoid'),
      ),
    ],
    'binary_crossentropy',
    sgd(0.1),
    30,
    true,
  ),
  hand(
    'a rank-3 input and a flat one: Dense on the last axis, Concatenate, Flatten',
    [input('seq', [2, 3], 'seq'), input('flat', 3)],
    [
      st('h', ['seq'], dense(4, 'tanh')),
      st('c', ['h', 'seq'], k('Concatenate'), k('Flatten'), dense(3, 'relu')),
      st(undefined, ['c', 'flat'], k('Multiply'), dense(2, 'softmax')),
    ],
    'categorical_crossentropy',
    sgd(0.1),
    31,
  ),
  hand(
    'Concatenate(axis=1) of rank-3 results (Reshape), then Flatten',
    [input('x', 4)],
    [
      st('p', ['x'], dense(6), k('Reshape', [tuple(2, 3)])),
      st('q', ['x'], dense(6, 'tanh'), k('Reshape', [tuple(2, 3)])),
      st(undefined, ['p', 'q'], k('Concatenate', [], { axis: 1 }), k('Flatten'), dense(2)),
    ],
    'mse',
    adam(0.01),
    21,
  ),
  hand(
    'Concatenate(axis=-1) of rank-3 results of different widths',
    [input('x', 4)],
    [
      st('p', ['x'], dense(6, 'relu'), k('Reshape', [tuple(3, 2)])),
      st('q', ['x'], dense(3, 'tanh'), k('Reshape', [tuple(3, 1)])),
      st(undefined, ['p', 'q'], k('Concatenate'), k('Flatten'), dense(3, 'softmax')),
    ],
    'categorical_crossentropy',
    sgd(0.1),
    22,
  ),
  hand(
    'diamond: one result read by two branches merged later',
    [input('x', 4)],
    [
      st('h', ['x'], dense(5, 'relu')),
      st('l', ['h'], dense(4, 'tanh')),
      st('r', ['h'], dense(4, 'sigmoid'), k('BatchNormalization')),
      st(undefined, ['l', 'r'], k('Average'), dense(1, 'sigmoid')),
    ],
    'binary_crossentropy',
    sgd(0.1),
    23,
  ),
  hand(
    'a result read by a merge and by a later layer (two depths)',
    [input('x', 3)],
    [
      st('h', ['x'], dense(4, 'tanh')),
      st('g', ['x'], dense(4)),
      st('m', ['h', 'g'], k('Add'), dense(4, 'relu')),
      st(undefined, ['m', 'h'], k('Concatenate'), dense(2)),
    ],
    'mse',
    adam(0.01),
    24,
  ),
  hand(
    'one result twice in a tuple: (h, h) -> Multiply(), a square',
    [input('x', 3)],
    [st('h', ['x'], dense(4, 'tanh')), st(undefined, ['h', 'h'], k('Multiply'), dense(2))],
    'mse',
    sgd(0.1),
    27,
  ),
  hand(
    'one result twice in a Concatenate, around the input',
    [input('x', 3)],
    [
      st('h', ['x'], dense(3, 'relu')),
      st('s', ['h', 'x'], k('Subtract')),
      st(undefined, ['h', 'x', 'h', 's'], k('Concatenate'), dense(3, 'softmax')),
    ],
    'categorical_crossentropy',
    adam(0.01),
    28,
  ),
  hand(
    'two outputs of one trunk, one loss for both',
    [input('x', 4)],
    [
      st('h', ['x'], dense(5, 'relu')),
      st(undefined, ['h'], dense(2)),
      st(undefined, ['h'], dense(3, 'tanh'), dense(1)),
    ],
    'mse',
    sgd(0.1),
    32,
  ),
  hand(
    'two outputs with their own losses and loss_weights, one reading a merge',
    [input('x', 3)],
    [
      st('h', ['x'], dense(4, 'tanh')),
      st('g', ['x'], dense(4, 'relu')),
      st(undefined, ['h'], dense(1, 'sigmoid')),
      st(undefined, ['h', 'g'], k('Add'), dense(3, 'softmax')),
    ],
    ['binary_crossentropy', 'categorical_crossentropy'],
    adam(0.01),
    33,
    false,
    [1, 0.5],
  ),
  hand(
    'two inputs, three outputs (the last declared first in depth), trained through fit()',
    [input('a', 3, 'a'), input('b', 2, 'b')],
    [
      st('ha', ['a'], dense(4, 'tanh')),
      st(undefined, ['ha', 'b'], k('Concatenate'), dense(3, 'tanh'), dense(2, 'softmax')),
      st(undefined, ['b'], dense(1)),
      st(undefined, ['ha'], dense(1, 'sigmoid')),
    ],
    ['categorical_crossentropy', 'mse', 'binary_crossentropy'],
    sgd(0.1),
    34,
    true,
    [0.3, 1, 2],
  ),
  hand(
    'branches of unequal depth, the shallow one first in the tuple',
    [input('x', 3)],
    [
      st('short', ['x'], dense(3, 'tanh')),
      st('long', ['x'], dense(4, 'relu'), dense(3, 'tanh'), dense(3)),
      st(undefined, ['short', 'long'], k('Subtract'), dense(2, 'softmax')),
    ],
    'categorical_crossentropy',
    sgd(0.1),
    25,
  ),
  hand(
    'branches of unequal depth, the deep one declared first',
    [input('x', 3)],
    [
      st('long', ['x'], dense(4, 'relu'), dense(3, 'tanh')),
      st('short', ['x'], dense(3, 'sigmoid')),
      st(undefined, ['short', 'long'], k('Maximum'), dense(2)),
    ],
    'mse',
    sgd(0.1),
    26,
  ),
  ...STATE_CASES,
];

const ELEMENTWISE = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'];
const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'];
const LOSSES = ['mse', 'categorical_crossentropy', 'binary_crossentropy'];

/** A result of a random graph: its id and its shape per sample. */
interface Result {
  id: string;
  shape: number[];
}

/** What a random statement reads, its one layer and the shape it makes. */
interface Made {
  read: string[];
  layer: KerasCall;
  shape: number[];
}

const sameShape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Whether two shapes may be concatenated along sample axis `axis` (equal elsewhere). */
const joinable = (a: number[], b: number[], axis: number) =>
  a.length === b.length && a.every((d, i) => i === axis || d === b[i]);

/**
 * A merge of `a` with one or two partners: elementwise when shapes agree, else Concatenate on
 * the last axis or — for rank-3 results — on axis 1; null when no partner fits.
 */
function merge(a: Result, partners: Result[], rng: Rng): Made | null {
  const pick = <T>(xs: readonly T[]): T => xs[rng.below(xs.length)]!;
  const same = partners.filter((r) => sameShape(r.shape, a.shape));
  // Rank-3 results concatenate more often, so that both of their axes get joined.
  const elementwise = same.length > 0 && rng.below(4) >= a.shape.length;
  const axis = a.shape.length === 2 && rng.below(2) === 0 ? 0 : a.shape.length - 1;
  const others = elementwise ? same : partners.filter((r) => joinable(r.shape, a.shape, axis));
  if (others.length === 0) return null;
  const name = elementwise ? pick(ELEMENTWISE) : 'Concatenate';
  // A third input now and then (Subtract takes exactly two); each result once (TF.js's
  // executor can dispose a tensor one layer reads twice, so repeats stay with the
  // hand-written cases).
  const b = pick(others);
  const rest = others.filter((r) => r !== b);
  const third = name !== 'Subtract' && rest.length > 0 && rng.below(4) === 0;
  const read = third ? [a, b, pick(rest)] : [a, b];
  const shape = [...a.shape];
  if (!elementwise) shape[axis] = read.reduce((n, r) => n + r.shape[axis]!, 0);
  const layer = elementwise || axis === a.shape.length - 1 ? k(name) : k(name, [], { axis: 1 });
  return { read: read.map((r) => r.id), layer, shape };
}

/**
 * A one-input layer: mostly a Dense (on the last axis, often keeping the width so that later
 * merges find partners), an Activation or a normalization; now and then a Reshape of an even
 * vector to rank 3, or a Flatten of a rank-3 result. No last axis is left of size 1: a
 * LayerNormalization over one value is constant, and Adam would step on the float noise of
 * its zero gradient.
 */
function unary(a: Result, rng: Rng): Made {
  const read = [a.id];
  const width = a.shape[a.shape.length - 1]!;
  if (a.shape.length === 1 && width % 2 === 0 && width >= 4 && rng.below(3) === 0)
    return { read, layer: k('Reshape', [tuple(2, width / 2)]), shape: [2, width / 2] };
  if (a.shape.length === 2 && rng.below(3) === 0)
    return { read, layer: k('Flatten'), shape: [a.shape[0]! * width] };
  const kind = rng.below(10);
  const units = kind < 7 && rng.below(2) === 1 ? 2 + rng.below(4) : width;
  const activation = ACTIVATIONS[rng.below(ACTIVATIONS.length)]!;
  return {
    read,
    layer: unaryLayer(kind, units, activation),
    shape: [...a.shape.slice(0, -1), units],
  };
}

/** A one-input layer of a random graph: kind 0–6 a Dense, 7 an Activation, 8–9 a normalization. */
function unaryLayer(kind: number, width: number, activation: string): KerasCall {
  if (kind < 7) return dense(width, activation);
  if (kind === 7) return k('Activation', [activation]);
  return k(kind === 8 ? 'LayerNormalization' : 'BatchNormalization');
}

/**
 * A random graph: 1–2 inputs of 2–5 values and 3–8 layers, each reading one or two (now and
 * then three) random earlier results: a Dense, an Activation, a normalization, a Reshape to
 * rank 3 or a Flatten for one; an elementwise merge for results of one shape, else
 * Concatenate (rank-3 results also on axis 1). The results nothing reads end in one output
 * (alone, or joined by a Concatenate) or, now and then, each in its own with its own loss,
 * sometimes weighted: no result is left unused.
 */
export function randomGraph(seed: number, index: number): GraphCase {
  const rng = new Rng((Math.imul(seed, 0x9e3779b1) + index * 7919) >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[rng.below(xs.length)]!;
  const inputs = Array.from({ length: 1 + rng.below(2) }, (_, i) =>
    input(`x${i}`, 2 + rng.below(4)),
  );
  const pool: Result[] = inputs.map((i) => ({ id: i.id, shape: i.shape }));
  const unread = new Set(pool.map((r) => r.id));
  const statements: GraphStatement[] = [];
  const body = 2 + rng.below(6);
  for (let s = 0; s < body; s++) {
    const id = `r${s}`;
    const a = pick(pool);
    const partners = pool.filter((r) => r.id !== a.id);
    const merged = partners.length > 0 && rng.below(2) === 0 ? merge(a, partners, rng) : null;
    const made = merged ?? unary(a, rng);
    statements.push(st(id, made.read, made.layer));
    made.read.forEach((r) => unread.delete(r));
    pool.push({ id, shape: made.shape });
    unread.add(id);
  }
  // Rank-3 results end flat, so that the output's Concatenate and Dense see vectors.
  const open = [...unread].map((id) => {
    const r = pool.find((x) => x.id === id)!;
    if (r.shape.length === 1) return id;
    statements.push(st(`${id}_flat`, [id], k('Flatten')));
    return `${id}_flat`;
  });
  const headOf = (loss: string) => {
    const head = lossEntry(loss);
    return dense(head.units ?? (loss === 'binary_crossentropy' ? 1 : 3), head.head);
  };
  // Open results joined into one output, or (now and then, up to three) each its own output
  // with its own loss and maybe a weight.
  const several = open.length > 1 && open.length <= 3 && rng.below(2) === 0;
  const losses = several ? open.map(() => pick(LOSSES)) : [pick(LOSSES)];
  if (several) open.forEach((id, i) => statements.push(st(undefined, [id], headOf(losses[i]!))));
  else
    statements.push(
      open.length === 1
        ? st(undefined, open, headOf(losses[0]!))
        : st(undefined, open, k('Concatenate'), headOf(losses[0]!)),
    );
  const weighted = several && rng.below(2) === 0;
  const multi = several
    ? {
        losses,
        ...(weighted ? { lossWeights: losses.map(() => pick([0.5, 1, 2])) } : {}),
      }
    : {};
  const hasBatchNorm = statements.some((x) =>
    x.layers.some((l) => l.call === 'BatchNormalization'),
  );
  return {
    group: `random (NN_GRAPH_SEED=${seed})`,
    label: `graph ${index}`,
    inputs,
    statements,
    loss: losses[0]!,
    ...multi,
    // Adam only without BatchNormalization (it zeroes the gradient of any bias shift before
    // it), and with ε = 0.1: random graphs make gradients near zero by cancellation (seed 1's
    // graph 7: 1e-5 out of terms of 0.1, the two engines' float32 sums 1.6e-3 apart), which
    // the default ε would scale up to steps of 0.76·lr, its float noise with them.
    optimizer: rng.below(2) === 0 || hasBatchNorm ? sgd(0.05) : adam(0.01, { epsilon: 0.1 }),
    batchSize: 4 + rng.below(5),
    steps: 3,
    seed: rng.nextUint32(),
  };
}

const envInt = (key: string, fallback: number): number => {
  const v = process.env[key];
  return v === undefined || v === '' ? fallback : Number.parseInt(v, 10);
};

export const RANDOM_CASES: GraphCase[] = Array.from(
  { length: envInt('NN_GRAPH_CASES', 20) },
  (_, i) => randomGraph(envInt('NN_GRAPH_SEED', 1), i),
);
