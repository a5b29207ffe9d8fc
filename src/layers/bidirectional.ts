/**
 * Bidirectional(layer): Keras 3's wrapper running a forward copy of a recurrent layer and a
 * backward copy (go_backwards flipped) over the same input, then merging their outputs (a
 * returned sequence of the backward copy reversed back in time first, as Keras does). Its
 * lowering is the recurrent lowering twice and a merge layer's lowering, so it needs no kernel
 * of its own; the weights are the forward copy's then the backward copy's, as Keras lists them.
 */
import { isCallValue, type Args, type CallValue } from '../catalog/index.js';
import { mergingLayers } from './merging.js';
import { recurrentLayers, recurrentLowering, stateNames, stateShapes } from './recurrent.js';
import {
  isShapeError,
  oneInput,
  shapeToString,
  type BuiltLayer,
  type LayerDef,
  type LayerLowering,
  type LowerContext,
  type Shape,
  type WeightSpec,
} from './types.js';

/**
 * Keras's merge_mode → the merge layer computing it; None keeps both directions' outputs apart
 * (the layer's first two outputs, the backward one flipped back in time).
 */
const mergeLayerOf: Record<string, string> = {
  concat: 'Concatenate',
  sum: 'Add',
  mul: 'Multiply',
  ave: 'Average',
};

const directions = ['forward', 'backward'] as const;
type Direction = (typeof directions)[number];

function innerCall(args: Args): CallValue {
  const inner = args['layer'];
  if (!isCallValue(inner)) throw new Error('internal: Bidirectional without a layer call.');
  return inner;
}

/** Keras's automatic name of the wrapped layer (or its own name=…): lstm, gru, simple_rnn. */
function innerName(inner: CallValue): string {
  const given = inner.args['name'];
  if (typeof given === 'string') return given;
  return { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'simple_rnn' }[inner.call] ?? inner.call;
}

/** The copy's arguments: Keras's backward copy flips go_backwards. */
function copyArgs(inner: CallValue, direction: Direction): Args {
  if (direction === 'forward') return inner.args;
  return { ...inner.args, go_backwards: inner.args['go_backwards'] !== true };
}

/** Keras names the copies forward_<layer> and backward_<layer>; their weights sit under them. */
function prefix(inner: CallValue, direction: Direction): string {
  return `${direction}_${innerName(inner)}/`;
}

/** merge_mode=None: the two directions' outputs stay apart, Keras's list of both. */
function separate(args: Args): boolean {
  return args['merge_mode'] === null;
}

function innerDef(args: Args): LayerDef | undefined {
  return recurrentLayers[innerCall(args).call];
}

/** One copy as a built layer of its own: its buffers and weights sit under its Keras name. */
function copyContext(c: LowerContext, direction: Direction): LowerContext {
  const inner = innerCall(c.layer.args);
  const args = copyArgs(inner, direction);
  const p = prefix(inner, direction);
  const outputShape = innerDef(c.layer.args)!.outputShape(c.layer.inputShapes, args) as Shape;
  const layer: BuiltLayer = {
    ...c.layer,
    className: inner.call,
    name: `${c.layer.name}/${p.slice(0, -1)}`,
    args,
    outputShape,
  };
  return { ...c, layer, param: (n) => c.param(p + n), grad: (n) => c.grad(p + n) };
}

/** The merge layer's context over the two copies' outputs. */
function mergeContext(c: LowerContext): LowerContext {
  const mode = (c.layer.args['merge_mode'] as string | undefined) ?? 'concat';
  const className = mergeLayerOf[mode]!;
  const half = copyContext(c, 'forward').layer.outputShape;
  return {
    ...c,
    layer: {
      ...c.layer,
      className,
      args: className === 'Concatenate' ? { axis: -1 } : {},
      inputShapes: [half, half],
    },
  };
}

function mergeLowering(c: LowerContext): LayerLowering {
  return mergingLayers[mergeContext(c).layer.className]!.lowering!;
}

/**
 * Each copy's lowering: Keras flips the backward copy's output sequence along time before
 * merging, which its step does by writing step s's output at T−1−s.
 */
const copyLowering: Record<Direction, LayerLowering> = {
  forward: recurrentLowering(false, true),
  backward: recurrentLowering(true, true),
};

const lowering: LayerLowering = {
  forward(c, xs) {
    const copies = directions.map((d) => copyLowering[d].forward(copyContext(c, d), xs));
    // return_state: the forward copy's final states, then the backward copy's (Keras's order).
    const states = copies.flatMap((f) => f.extra ?? []);
    if (separate(c.layer.args)) {
      const saved: Record<string, number> = {};
      copies.forEach((f, i) => {
        for (const [k, v] of Object.entries(f.saved)) saved[`${directions[i]}/${k}`] = v;
      });
      return { xs, y: copies[0]!.y, extra: [copies[1]!.y, ...states], saved };
    }
    const merged = mergeLowering(c).forward(
      mergeContext(c),
      copies.map((f) => f.y),
    );
    const saved: Record<string, number> = {};
    copies.forEach((f, i) => {
      for (const [k, v] of Object.entries(f.saved)) saved[`${directions[i]}/${k}`] = v;
      saved[`${directions[i]}/y`] = f.y;
    });
    for (const [k, v] of Object.entries(merged.saved)) saved[`merge/${k}`] = v;
    return { xs, y: merged.y, saved, ...(states.length > 0 ? { extra: states } : {}) };
  },
  backward(c, f, dy, needDx, dExtra = []) {
    const part = (prefixKey: string) =>
      Object.fromEntries(
        Object.entries(f.saved)
          .filter(([k]) => k.startsWith(prefixKey))
          .map(([k, v]) => [k.slice(prefixKey.length), v]),
      );
    const apart = separate(c.layer.args);
    const ys = apart ? [f.y, f.extra![0]!] : directions.map((d) => f.saved[`${d}/y`]!);
    const dStates = apart ? dExtra.slice(1) : dExtra;
    // dy is -1 when only returned states have a gradient: then no copy's output has one.
    const dys = apart
      ? [dy, dExtra[0] ?? -1]
      : dy < 0
        ? [-1, -1]
        : mergeLowering(c).backward(
            mergeContext(c),
            { xs: ys, y: f.y, saved: part('merge/') },
            dy,
            [true, true],
          );
    const half = dStates.length / 2;
    const dxs = directions.map((d, i) => {
      const own = dStates.slice(i * half, (i + 1) * half);
      // A copy none of whose outputs has a gradient (merge_mode=None) adds nothing.
      if (dys[i]! < 0 && own.every((g) => g === null)) return null;
      return (
        copyLowering[d].backward(
          copyContext(c, d),
          { xs: f.xs, y: ys[i]!, saved: part(`${d}/`) },
          dys[i]!,
          needDx,
          own,
        )[0] ?? null
      );
    });
    const [dxf, dxb] = dxs;
    if (dxf === null || dxf === undefined || dxb === null || dxb === undefined)
      return [dxf ?? dxb ?? null];
    const shape = c.layer.inputShapes[0]!;
    const dx = c.b.batch(`${c.layer.name}/d_in`, 'gradient', shape);
    const size = shape.slice(1).reduce<number>((n, d) => n * (d ?? 0), 1);
    c.b.step('add', c.layer.name, [dxf, dxb], [dx], { size });
    return [dx];
  },
};

function outputShape(input: Shape, args: Args): Shape | { error: string; arg?: string } {
  const inner = innerCall(args);
  const def = innerDef(args);
  if (!def)
    return {
      error: `it wraps a recurrent layer (LSTM, GRU, SimpleRNN), not ${inner.call}.`,
      arg: 'layer',
    };
  const half = def.outputShape([input], inner.args);
  if (isShapeError(half))
    return {
      error: `${inner.call} cannot take an input of shape ${shapeToString(input)}: ${half.error}`,
      arg: 'layer',
    };
  // merge_mode=None: the forward output first (the backward one is the second output).
  if (separate(args) || ((args['merge_mode'] as string | undefined) ?? 'concat') !== 'concat')
    return half;
  const last = half.at(-1) as number;
  return [...half.slice(0, -1), 2 * last];
}

function weights(inputs: Shape[], args: Args): WeightSpec[] {
  const inner = innerCall(args);
  const def = innerDef(args);
  if (!def?.weights) return [];
  return directions.flatMap((d) =>
    def.weights!(inputs, copyArgs(inner, d)).map((w) => ({
      ...w,
      name: prefix(inner, d) + w.name,
      // Both copies read the wrapped layer's initializer, regularizer and constraint arguments.
      argPrefix: w.argPrefix ?? w.name,
    })),
  );
}

function engineLimit(args: Args) {
  const inner = args['layer'];
  if (!isCallValue(inner)) return undefined;
  if (args['backward_layer'] !== undefined && args['backward_layer'] !== null)
    return {
      error:
        'the engine builds the backward layer as Keras does by default: backward_layer must be None.',
      arg: 'backward_layer',
    };
  // The wrapped layer's own limits are reported on it, where its arguments stand.
  return undefined;
}

/** The wrapped layer's states with return_state, as Keras returns them: forward's, then backward's. */
function innerStates(args: Args): string[] {
  const inner = args['layer'];
  if (!isCallValue(inner) || inner.args['return_state'] !== true || !recurrentLayers[inner.call])
    return [];
  return stateNames(inner.call);
}

export const bidirectional: LayerDef = {
  outputShape: oneInput(outputShape),
  outputNames: (args) => [
    ...(separate(args) ? ['forward_output', 'backward_output'] : ['output']),
    ...directions.flatMap((d) => innerStates(args).map((name) => `${d}_${name}`)),
  ],
  extraOutputShapes: (inputs, args) => {
    const inner = args['layer'];
    if (!isCallValue(inner) || !inputs[0]) return [];
    const half = separate(args) ? innerDef(args)?.outputShape(inputs, inner.args) : undefined;
    const states =
      innerStates(args).length > 0 ? stateShapes(inner.call, inputs[0], inner.args) : [];
    return [...(half && !isShapeError(half) ? [half] : []), ...states, ...states];
  },
  weights,
  lowering,
  engineLimit,
  workspace: (input, args) => {
    const inner = innerCall(args);
    return 2 * (recurrentLayers[inner.call]?.workspace?.(input, inner.args) ?? 0);
  },
  dropoutWorkspace: (input, args) => {
    const inner = innerCall(args);
    return 2 * (recurrentLayers[inner.call]?.dropoutWorkspace?.(input, inner.args) ?? 0);
  },
};
