/**
 * Recurrent layers: LSTM, GRU and SimpleRNN over (batch, timesteps, features), Keras 3's
 * weights in its order and names (kernel, recurrent_kernel, bias) and its cells' formulas. One
 * `recurrent` step runs the whole sequence; its backward is backpropagation through time.
 */
import type { Args, Value } from '../catalog/index.js';
import type { RecurrentAttrs } from '../ir/index.js';
import {
  cellActivationNames,
  gateCount,
  savedGateCount,
  type RecurrentCell,
} from '../kernels/index.js';
import { activationSpec, inputGradient, output } from './lowering.js';
import {
  oneInput,
  type BuiltLayer,
  type LayerDef,
  type LayerLowering,
  type LowerContext,
  type Shape,
  type ShapeError,
  type WeightSpec,
} from './types.js';

const cellOf: Record<string, RecurrentCell> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'simple_rnn' };

/**
 * The step's attributes for a built layer; with a mask on the input, `zeroOutput` gives masked
 * steps a zero output (Bidirectional sets Keras's zero_output_for_mask to return_sequences).
 */
function recurrentAttrs(
  layer: BuiltLayer,
  reverseSequence: boolean,
  mask: number | null | undefined,
  zeroOutput: boolean,
  training: boolean,
): RecurrentAttrs {
  const cell = cellOf[layer.className]!;
  const [, steps, inDim] = layer.inputShapes[0]! as [null, number, number];
  const args = layer.args;
  const activation = layer.specs.activation ?? activationSpec(null);
  return {
    cell,
    steps,
    in: inDim,
    units: args['units'] as number,
    bias: args['use_bias'] !== false,
    returnSequences: args['return_sequences'] === true,
    goBackwards: args['go_backwards'] === true,
    ...(reverseSequence && args['return_sequences'] === true ? { reverseSequence: true } : {}),
    resetAfter: cell !== 'gru' || args['reset_after'] !== false,
    ...(mask !== null && mask !== undefined
      ? {
          masked: true,
          ...(zeroOutput && args['return_sequences'] === true ? { zeroOutputForMask: true } : {}),
        }
      : {}),
    ...(training && dropsAt(args['recurrent_dropout']) ? { stateDropout: true } : {}),
    ...(training && implementationOne(cell, args) && dropsAt(args['dropout'])
      ? { gateInputDropout: true }
      : {}),
    activation,
    recurrentActivation:
      cell === 'simple_rnn' ? activation : activationSpec(args['recurrent_activation'] ?? null),
  };
}

/**
 * The recurrent lowering; `reverseSequence` writes a returned sequence reversed along time (the
 * flip Bidirectional applies to its backward copy's output, done by the step itself);
 * `bidirectional` zeroes the output at masked steps, as Bidirectional makes its copies do.
 */
export function recurrentLowering(reverseSequence = false, bidirectional = false): LayerLowering {
  return {
    forward(c, xs) {
      const a = recurrentAttrs(c.layer, reverseSequence, c.mask, bidirectional, c.training);
      const { steps: T, units: U } = a;
      const GU = gateCount(a.cell) * U;
      const lstm = a.cell === 'lstm';
      const buffer = (suffix: string, dims: number[]) =>
        c.b.batch(`${c.layer.name}/${suffix}`, 'activation', [null, ...dims]);
      const y = output(c);
      const saved: Record<string, number> = {
        xw: buffer('xw', [T, GU]),
        rec: buffer('rec', [GU]),
        gates: buffer('gates', [T, savedGateCount(a.cell) * U]),
        hPrev: buffer('h_prev', [T, U]),
        h: buffer('h', [U]),
      };
      const outputs = Object.values(saved);
      // The step leaves the final state in h (and LSTM's cell state in c_step): return_state's.
      const states = [saved['h']!];
      if (lstm) {
        saved['c'] = buffer('c', [T, U]);
        const cStep = buffer('c_step', [U]);
        outputs.push(saved['c'], cStep);
        states.push(cStep);
      }
      const bias = c.param('bias');
      const gateInput = a.gateInputDropout === true;
      const x = gateInput ? xs[0]! : inputDropout(c, xs[0]!, saved);
      const inputs = [x, c.param('kernel')!, c.param('recurrent_kernel')!];
      if (bias !== null) inputs.push(bias);
      if (a.masked || a.stateDropout || gateInput) inputs.push(c.mask ?? -1);
      const draw = (name: string, arg: string, size: number) => {
        const mask = buffer(name, [size]);
        c.b.step('dropout_mask', c.layer.name, [], [mask], {
          rate: c.layer.args[arg] as number,
          size,
          seed: seedOf(c),
        });
        return mask;
      };
      if (a.stateDropout) {
        // recurrent_dropout: masks on the state drawn once per batch, as DropoutRNNCell's — one
        // for SimpleRNN, one per gate (dropout_mask_count) for LSTM and GRU in implementation 1.
        const stateMask = draw('recurrent_dropout_mask', 'recurrent_dropout', GU);
        saved['stateMask'] = stateMask;
        inputs.push(stateMask);
      } else if (gateInput) inputs.push(-1);
      if (a.stateDropout || gateInput) {
        // Output 8: after LSTM's cell state, or its two -1 places for the others.
        if (!lstm) outputs.push(-1, -1);
        outputs.push(a.stateDropout ? buffer('h_dropped', [GU]) : -1);
      }
      if (gateInput) {
        // Implementation 1's dropout: one mask on the inputs per gate (dp_mask[0…G−1]).
        const GI = (GU / U) * a.in;
        saved['inputMask'] = draw('dropout_mask', 'dropout', GI);
        saved['xDropped'] = buffer('x_dropped', [T, GI]);
        inputs.push(saved['inputMask']);
        outputs.push(saved['xDropped']);
      }
      outputs.unshift(y);
      c.b.step('recurrent', c.layer.name, inputs, outputs, a);
      return { xs, y, saved, ...(returnsState(c.layer.args) ? { extra: states } : {}) };
    },
    backward(c, f, dy, needDx, dExtra = []) {
      const a = recurrentAttrs(c.layer, reverseSequence, c.mask, bidirectional, c.training);
      const { steps: T, units: U } = a;
      const GU = gateCount(a.cell) * U;
      const dx = inputGradient(c, needDx[0]);
      const grads = [c.grad('kernel'), c.grad('recurrent_kernel'), c.grad('bias')];
      if (dx === null && grads.every((g) => g === null)) return [null];
      const buffer = (suffix: string, dims: number[]) =>
        c.b.batch(`${c.layer.name}/${suffix}`, 'gradient', [null, ...dims]);
      const s = f.saved;
      // With dropout the step read the dropped inputs: its gradient is theirs, masked after.
      const dropped = s['dropoutMask'] !== undefined;
      const dStepX = dropped && dx !== null ? buffer('d_x_dropped', [T, a.in]) : dx;
      const inputs = [s['x'] ?? f.xs[0]!, c.param('kernel')!, c.param('recurrent_kernel')!];
      const outputs = [
        dStepX ?? -1,
        ...grads.map((g) => g ?? -1),
        buffer('d_gates', [T, GU]),
        a.cell === 'gru' ? buffer('d_rec', [T, GU]) : -1,
        buffer('d_step', [GU]),
        buffer('d_h', [U]),
        ...(a.cell === 'lstm' ? [buffer('d_c', [U])] : []),
      ];
      const reads = [...inputs, s['gates']!, s['hPrev']!, s['c'] ?? -1, dy];
      const gateInput = a.gateInputDropout === true;
      if (a.masked || a.stateDropout || gateInput) {
        reads.push(c.mask ?? -1);
        if (a.cell !== 'lstm') outputs.push(-1);
        outputs.push(a.masked ? buffer('d_carry', [(a.cell === 'lstm' ? 2 : 1) * U]) : -1);
      }
      if (a.stateDropout) {
        reads.push(s['stateMask']!);
        outputs.push(buffer('h_prev_dropped', [T, GU]));
      }
      // return_state: the final states' gradients, after the mask's places (-1 where absent).
      const finals = finalGradients(a, dExtra);
      if (finals.length > 0) {
        while (reads.length < 9) reads.push(-1);
        reads.push(...finals);
      }
      // Inputs 11 and 12, after the places return_state's final-state gradients take (9, 10).
      if (gateInput) {
        while (reads.length < 11) reads.push(-1);
        reads.push(s['inputMask']!, s['xDropped']!);
      }
      c.b.step('recurrent_backward', c.layer.name, reads, outputs, a);
      if (dropped && dx !== null)
        c.b.step('spatial_dropout_backward', c.layer.name, [dStepX!, s['dropoutMask']!], [dx], {
          steps: T,
          channels: a.in,
        });
      return [dx];
    },
  };
}

/** Whether Keras 3's LSTMCell or GRUCell runs implementation 1: it does with recurrent_dropout ≠ 0. */
function implementationOne(cell: RecurrentCell, args: Args): boolean {
  const rate = args['recurrent_dropout'];
  return cell !== 'simple_rnn' && typeof rate === 'number' && rate !== 0;
}

/** Whether Keras's cells drop at this rate: LSTMCell and GRUCell test 0 < rate < 1. */
function dropsAt(rate: Value | undefined): boolean {
  return typeof rate === 'number' && rate > 0 && rate < 1;
}

function seedOf(c: LowerContext): number | null {
  const seed = c.layer.args['seed'];
  return typeof seed === 'number' ? seed : null;
}

/**
 * Keras 3's dropout on a cell's inputs, in training: DropoutRNNCell draws one mask per batch and
 * feature (inverted scaling) and applies it at every time step — SpatialDropout1D's computation
 * over the sequence. Keras applies it only for 0 < dropout < 1. Returns the buffer the step reads.
 */
function inputDropout(c: LowerContext, x: number, saved: Record<string, number>): number {
  const rate = c.layer.args['dropout'];
  if (!c.training || typeof rate !== 'number' || !dropsAt(rate)) return x;
  const [, steps, channels] = c.layer.inputShapes[0]! as [null, number, number];
  const dropped = c.b.batch(`${c.layer.name}/x_dropped`, 'activation', [null, steps, channels]);
  const mask = c.b.batch(`${c.layer.name}/dropout_mask`, 'activation', [null, channels]);
  c.b.step('spatial_dropout', c.layer.name, [x], [dropped, mask], {
    rate,
    steps,
    channels,
    seed: seedOf(c),
  });
  saved['x'] = dropped;
  saved['dropoutMask'] = mask;
  return dropped;
}

const lowering = recurrentLowering();

/** The backward step's dh_final (and LSTM's dc_final) inputs: -1 where no gradient flows. */
function finalGradients(a: RecurrentAttrs, dExtra: readonly (number | null)[]): number[] {
  if (dExtra.every((d) => d === null)) return [];
  const count = a.cell === 'lstm' ? 2 : 1;
  return Array.from({ length: count }, (_, k) => dExtra[k] ?? -1);
}

function returnsState(args: Args): boolean {
  return args['return_state'] === true;
}

/** Keras's outputs with return_state=True: the output, then the final states (LSTM: h and c). */
export function stateNames(className: string): string[] {
  return className === 'LSTM' ? ['state_h', 'state_c'] : ['state'];
}

/** The shape of each final state: (batch, units). */
export function stateShapes(className: string, input: Shape, args: Args): Shape[] {
  return stateNames(className).map(() => [input[0] ?? null, args['units'] as number]);
}

/** Keras's message for a wrong rank, and the engine's need for known sizes. */
function sequenceShape(input: (number | null)[], args: Args): (number | null)[] | ShapeError {
  if (input.length !== 3)
    return {
      error: 'it expects a sequence: an input of rank 3, (batch, timesteps, features).',
    };
  if (input[2] === null) return { error: 'its last dimension (features) must be known.' };
  if (input[1] === null)
    return { error: 'the engine needs a known number of time steps: give it in Input(shape=…).' };
  const units = args['units'] as number;
  const batch = input[0] ?? null;
  return args['return_sequences'] === true ? [batch, input[1]!, units] : [batch, units];
}

function weights(cell: RecurrentCell) {
  return (inputs: (number | null)[][], args: Args): WeightSpec[] => {
    const features = inputs[0]!.at(-1) as number;
    const units = args['units'] as number;
    const G = gateCount(cell);
    const init = (name: string): Value => args[name] ?? null;
    const list: WeightSpec[] = [
      {
        name: 'kernel',
        shape: [features, G * units],
        trainable: true,
        initializer: init('kernel_initializer'),
      },
      {
        name: 'recurrent_kernel',
        shape: [units, G * units],
        trainable: true,
        initializer: init('recurrent_initializer'),
        argPrefix: 'recurrent',
      },
    ];
    if (args['use_bias'] === false) return list;
    const forget = cell === 'lstm' && args['unit_forget_bias'] !== false;
    list.push({
      name: 'bias',
      shape: cell === 'gru' && args['reset_after'] !== false ? [2, G * units] : [G * units],
      trainable: true,
      initializer: init('bias_initializer'),
      // Keras: bias_initializer for [i], ones for [f], bias_initializer for [c, o].
      ...(forget ? { ones: [units, 2 * units] as [number, number] } : {}),
    });
    return list;
  };
}

/** An activation a cell runs: its derivative must follow from its output (see the kernels). */
function cellActivationLimit(args: Args, arg: string): ShapeError | undefined {
  if (!(arg in args)) return undefined;
  let spec;
  try {
    spec = activationSpec(args[arg] ?? null);
  } catch {
    return undefined; // the checker reports the activation itself
  }
  const plainRelu =
    spec.name !== 'relu' ||
    (spec.slope === 0 && spec.threshold === 0 && spec.maxValue === Infinity);
  if ((cellActivationNames as readonly string[]).includes(spec.name) && plainRelu) return undefined;
  return {
    error: `the engine's recurrent cells run ${cellActivationNames.join(', ')}; '${spec.name}' is not one of them yet.`,
    arg,
  };
}

function limits(cell: RecurrentCell) {
  return (args: Args): ShapeError | undefined => {
    if (returnsState(args) && args['activity_regularizer'] != null)
      return {
        error:
          'Keras regularizes every output of a layer, its returned states too; the engine regularizes the first output only, so activity_regularizer must be None with return_state=True.',
        arg: 'activity_regularizer',
      };
    return ownLimits(cell, args);
  };
}

function ownLimits(cell: RecurrentCell, args: Args): ShapeError | undefined {
  if (args['stateful'] === true)
    return {
      error: 'the engine starts every batch from the zero state, so stateful must be False.',
      arg: 'stateful',
    };
  // SimpleRNNCell drops at any rate above 0: at 1 its backends disagree (TensorFlow refuses the
  // rate, JAX drops everything), where LSTMCell and GRUCell skip it.
  for (const arg of ['dropout', 'recurrent_dropout'])
    if (cell === 'simple_rnn' && args[arg] === 1)
      return {
        error: `SimpleRNN(${arg}=1) drops every value, which Keras 3's backends do not agree on; the engine takes a rate below 1.`,
        arg,
      };
  return (
    cellActivationLimit(args, 'activation') ?? cellActivationLimit(args, 'recurrent_activation')
  );
}

/** The step's buffers per sample besides x and y: xw, gates, h_prev (and LSTM's c) over T steps. */
function workspace(cell: RecurrentCell) {
  return (input: (number | null)[], args: Args): number => {
    const steps = input[1] ?? 0;
    const units = args['units'] as number;
    const perStep = gateCount(cell) + savedGateCount(cell) + (cell === 'lstm' ? 2 : 1);
    return steps * perStep * units;
  };
}

/**
 * The training step's dropout buffers per sample: recurrent_dropout's per-gate state masks and
 * the dropped state (2·G·U); dropout's per-gate input masks and the inputs they drop over T
 * steps, kept beside the input in implementation 1 ((T + 1)·G·in), else one mask over the
 * features, the dropped input taking the input's place (SimpleRNN: in).
 */
function dropoutWorkspace(cell: RecurrentCell) {
  return (input: (number | null)[], args: Args): number => {
    const [steps, inDim] = [input[1] ?? 0, input[2] ?? 0];
    const gates = gateCount(cell);
    const state = dropsAt(args['recurrent_dropout']) ? 2 * gates * (args['units'] as number) : 0;
    if (!dropsAt(args['dropout'])) return state;
    return state + (implementationOne(cell, args) ? (steps + 1) * gates * inDim : inDim);
  };
}

function recurrentLayer(className: string, cell: RecurrentCell): LayerDef {
  return {
    outputShape: oneInput(sequenceShape),
    outputNames: (args) => (returnsState(args) ? ['output', ...stateNames(className)] : ['output']),
    extraOutputShapes: (inputs, args) =>
      returnsState(args) && inputs[0] ? stateShapes(className, inputs[0], args) : [],
    weights: weights(cell),
    lowering,
    engineLimit: limits(cell),
    workspace: workspace(cell),
    dropoutWorkspace: dropoutWorkspace(cell),
  };
}

export const recurrentLayers: Record<string, LayerDef> = {
  LSTM: recurrentLayer('LSTM', 'lstm'),
  GRU: recurrentLayer('GRU', 'gru'),
  SimpleRNN: recurrentLayer('SimpleRNN', 'simple_rnn'),
};
