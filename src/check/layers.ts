/**
 * A model's chain of layer calls → checked layers: arguments bound, input shape found,
 * shapes inferred layer by layer with Keras's rules, weights and automatic names assigned.
 */
import type * as ast from '../ast/index.js';
import { catalog, isCallValue, type Args, type Value } from '../catalog/index.js';
import {
  inputLayers,
  modelInput,
  buildLayer,
  layerDefs,
  outputNamesOf,
  shapeToString,
  toSnakeCase,
  type NodeId,
  type Shape,
  type WeightSpec,
} from '../layers/index.js';
import type { Range } from '../source/index.js';
import { Binder, type BoundCall } from './bind.js';
import { failedArgs } from './failed.js';
import { resolveLayerSpecs } from './resolve.js';
import { describe, withArticle } from './values.js';
import type { CheckedLayer } from './types.js';

/** The layer calls of a model, in order, and the Input call at the head, if any. */
export interface LayerCalls {
  input?: ast.Call;
  calls: ast.Call[];
}

/** Input shape declared by Input(...) or by the first layer's input_shape / input_dim. */
export interface DeclaredInput {
  shape: Shape;
  range: Range;
}

/** The checked layers, the input shape, and whether one was written at all (even if invalid). */
export function checkLayers(
  source: LayerCalls,
  binder: Binder,
  checker = new LayerChecker(binder),
): { layers: CheckedLayer[]; inputShape: Shape | null; inputWritten: boolean } {
  const sink = binder.sink;
  let declared = source.input
    ? inputOf(
        binder.bind(source.input, catalog.lookup('layer', source.input.callee.name)!, 'layer'),
        'Input',
      )
    : undefined;
  const layers: CheckedLayer[] = [];
  let shape: Shape | null = null;
  let inputWritten = source.input !== undefined;
  source.calls.forEach((call, index) => {
    const bound = checker.bind(call);
    if (!bound) {
      shape = null;
      return;
    }
    const { b } = bound;
    const fromArgs = inputOf(b, 'first');
    if (index === 0)
      inputWritten ||= 'input_shape' in b.ranges || ('input_dim' in b.ranges && !ownsInputDim(b));
    if (fromArgs && index === 0) {
      if (declared)
        sink.report(
          'conflictingInput',
          fromArgs.range,
          { why: 'by Input(...) and by this argument.' },
          { related: [{ range: declared.range, message: 'Input declared here' }] },
        );
      else declared = fromArgs;
    } else if (fromArgs) {
      const arg = 'input_shape' in b.ranges ? 'input_shape' : 'input_dim';
      sink.report('misplacedInput', b.ranges[arg]!, { arg });
    }
    if (index === 0 && declared) shape = declared.shape;
    // A chain: each layer reads the one before it, the first the model's input.
    const id = layers.length;
    const input = { id: id === 0 ? modelInput(0) : id - 1, shape, range: call.range };
    const layer = checker.layer(bound, [input], id);
    layers.push(layer);
    shape = layer.outputShape;
    const names = outputNamesOf(layerDefs[layer.className], layer.args);
    if (names.length > 1) {
      // Keras: "All layers in a Sequential model should have a single output tensor."
      reportSeveralOutputs(
        layer,
        names,
        call.range,
        'a Sequential model takes layers of one',
        binder,
      );
      shape = null;
    }
  });
  return { layers, inputShape: declared?.shape ?? null, inputWritten };
}

/**
 * "LSTM with return_state=True", "Bidirectional with merge_mode=None": a layer of several
 * outputs, as messages name it.
 */
export function severalOutputsName(layer: CheckedLayer): string {
  const why = layer.args['merge_mode'] === null ? 'merge_mode=None' : 'return_state=True';
  return `${layer.className} with ${why}`;
}

/** Reports a layer of several outputs (Keras's list) where one value is needed, `where` saying why. */
export function reportSeveralOutputs(
  layer: CheckedLayer,
  names: readonly string[],
  range: Range,
  where: string,
  binder: Binder,
): void {
  binder.sink.report('severalOutputs', range, {
    layer: severalOutputsName(layer),
    className: layer.className,
    count: String(names.length),
    names: names.join(', '),
    where,
  });
}

/** A value a layer reads: a node of the graph, its shape (null when unknown) and where it was made. */
export interface LayerInput {
  id: NodeId;
  /** Which output of the node (a layer's returned states are 1, 2, …); absent: the first. */
  port?: number;
  shape: Shape | null;
  range: Range;
  /**
   * Set when the value is a whole layer with several outputs (an LSTM with return_state=True):
   * their names. Keras returns them as a list; only a tuple assignment takes it apart.
   */
  outputs?: string[];
}

/** A layer call bound to its catalog entry, with the arguments whose written value failed. */
export interface BoundLayer {
  b: BoundCall;
  failed: ReadonlySet<string>;
}

/**
 * Checks layer calls one at a time, for chains and graphs alike: binds the arguments, names the
 * layer as Keras would (names are unique in the model), infers its shape and weights from its
 * inputs.
 */
export class LayerChecker {
  private readonly usedNames = new Map<string, Range>();
  private readonly counters = new Map<string, number>();

  constructor(readonly binder: Binder) {}

  /** Binds a layer call; undefined (reported) when the name is not a layer. */
  bind(call: ast.Call): BoundLayer | undefined {
    const sink = this.binder.sink;
    const entry = catalog.lookup('layer', call.callee.name);
    if (!entry) {
      const guess = catalog.suggest('layer', call.callee.name);
      const other = catalog.kindsOf(call.callee.name).find((k) => k !== 'layer');
      if (other)
        sink.report('kindMismatch', call.callee.range, {
          name: call.callee.name,
          actual: withArticle(other),
          expected: 'a layer',
        });
      else
        sink.report(
          'unknownName',
          call.callee.range,
          { kind: 'layer', name: call.callee.name },
          guess ? { hint: `Did you mean '${guess}'?` } : {},
        );
      return undefined;
    }
    const reported = sink.diagnostics.length;
    const b = this.binder.bind(call, entry, 'layer');
    const failed = failedArgs(b, sink.diagnostics.slice(reported));
    if (entry.unsupported)
      sink.report('unsupported', call.callee.range, { name: entry.name, why: entry.unsupported });
    return { b, failed };
  }

  /** Keras's automatic name for a layer of `className` (or the given one, checked unique). */
  name(b: BoundCall, className: string): string {
    return layerName(b, className, this.usedNames, this.counters, this.binder);
  }

  /** The checked layer `id` of a bound call reading `inputs`. */
  layer(bound: BoundLayer, inputs: LayerInput[], id: NodeId): CheckedLayer {
    const { b, failed } = bound;
    // Keras names a wrapped layer when it is constructed, before its wrapper: it takes a name too.
    const wrapped = wrappedCall(b, this.binder);
    const wrappedName = wrapped && this.name(wrapped, wrapped.entry.name);
    const name = this.name(b, b.entry.name);
    return inferLayer(b, name, inputs, id, this.binder, failed, wrappedName);
  }
}

/** Embedding's own input_dim is its vocabulary size, not the legacy input declaration. */
function ownsInputDim(b: BoundCall): boolean {
  return b.entry.args.some((p) => p.name === 'input_dim');
}

/** The input shape a call declares: Input's `shape`, or a first layer's input_shape/input_dim. */
export function inputOf(b: BoundCall, role: 'Input' | 'first'): DeclaredInput | undefined {
  const batch = (b.args['batch_size'] as number | null) ?? null;
  if (role === 'Input') {
    const batchShape = b.args['batch_shape'] as Shape | null;
    if (batchShape) return { shape: batchShape, range: b.ranges['batch_shape']! };
    // Keras 3's InputLayer still takes the legacy input_shape for shape.
    const shape = (b.args['shape'] ?? b.args['input_shape'] ?? null) as Shape | null;
    return shape
      ? {
          shape: [batch, ...shape],
          range: b.ranges['shape'] ?? b.ranges['input_shape'] ?? b.callRange,
        }
      : undefined;
  }
  const shape = b.args['input_shape'] as Shape | null;
  if (shape) return { shape: [batch, ...shape], range: b.ranges['input_shape']! };
  const dim = ownsInputDim(b) ? null : (b.args['input_dim'] as number | null);
  if (dim) return { shape: [batch, dim], range: b.ranges['input_dim']! };
  return undefined;
}

/** Keras's automatic names: `dense`, `dense_1`, …; explicit names must be unique. */
function layerName(
  b: BoundCall,
  className: string,
  used: Map<string, Range>,
  counters: Map<string, number>,
  binder: Binder,
): string {
  const given = b.args['name'];
  if (typeof given === 'string') {
    const earlier = used.get(given);
    if (earlier)
      binder.sink.report(
        'duplicateDefinition',
        b.ranges['name']!,
        { name: given },
        { related: [{ range: earlier, message: 'first used here' }] },
      );
    used.set(given, b.ranges['name']!);
    return given;
  }
  const prefix = snakeCaseOf(className);
  let name: string;
  do {
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    name = n === 0 ? prefix : `${prefix}_${n}`;
  } while (used.has(name));
  used.set(name, b.calleeRange);
  return name;
}

/** `toSnakeCase` of each layer class seen so far: three regular expressions per layer add up. */
const snakeCaseNames = new Map<string, string>();

function snakeCaseOf(className: string): string {
  let name = snakeCaseNames.get(className);
  if (name === undefined) snakeCaseNames.set(className, (name = toSnakeCase(className)));
  return name;
}

function inferLayer(
  b: BoundCall,
  name: string,
  inputs: LayerInput[],
  id: number,
  binder: Binder,
  failed: ReadonlySet<string>,
  wrappedName?: string,
): CheckedLayer {
  const def = layerDefs[b.entry.name];
  const wrapped = wrappedCall(b, binder);
  const layer: CheckedLayer = {
    id,
    className: b.entry.name,
    name,
    args: wrappedName ? namedInner(b, wrappedName) : b.args,
    range: b.callRange,
    argRanges: b.ranges,
    failedArgs: failed,
    inputs: inputs.map((i) => i.id),
    ...(inputs.some((i) => i.port) ? { inputPorts: inputs.map((i) => i.port ?? 0) } : {}),
    inputShape: inputs[0]?.shape ?? null,
    outputShape: null,
    weights: [],
    specs: resolveLayerSpecs(wrapped ?? b, binder),
  };
  // A wrapped layer missing a required argument has its error out already, as the layer would.
  const complete = [b, ...(wrapped ? [wrapped] : [])].every((c) =>
    c.entry.args.every((p) => !p.required || p.name in c.args),
  );
  // A layer without a definition (and a wrapper around one) stays unbuilt: its catalog entry says why.
  if (!def || !complete || wrapped?.entry.unsupported) return layer;
  if (def.merge && inputs.length < 2) {
    binder.sink.report('mergeNeedsInputs', b.calleeRange, {
      layer: b.entry.name,
      found: inputs.length === 1 ? 'only one input' : 'no input',
    });
    return layer;
  }
  if (!def.merge && inputs.length > 1) {
    binder.sink.report('notOneInput', b.calleeRange, {
      layer: b.entry.name,
      count: String(inputs.length),
    });
    return layer;
  }
  const shapes = inputs.map((i) => i.shape);
  if (shapes.length === 0 || shapes.some((s) => s === null)) return layer;
  const built = buildLayer(def, shapes as Shape[], layer.args);
  if ('error' in built) {
    const at = (built.arg && b.ranges[built.arg]) || b.calleeRange;
    binder.sink.report(
      'incompatibleInput',
      at,
      {
        layer: b.entry.name,
        shape: (shapes as Shape[]).map(shapeToString).join(' and '),
        why: built.error,
      },
      inputs.length > 1
        ? {
            related: inputs.map((i, k) => ({
              range: i.range,
              message: `input ${k + 1}, of shape ${shapeToString(i.shape!)}, comes from here`,
            })),
          }
        : {},
    );
    return layer;
  }
  layer.outputShape = built.outputShape;
  if (built.extraOutputShapes) layer.extraOutputShapes = built.extraOutputShapes;
  layer.weights = built.weights;
  const initial = b.args['weights'];
  if (Array.isArray(initial)) {
    if (checkInitialWeights(initial, layer.weights, b, binder)) layer.initialWeights = initial;
  }
  return layer;
}

/**
 * The layer call a wrapper (TimeDistributed) holds as its argument: its activation, initializers
 * and regularizers are the ones the engine runs.
 */
function wrappedCall(b: BoundCall, binder: Binder): BoundCall | undefined {
  const param = b.entry.args.find((p) => p.type === 'layer');
  const at = param && b.ranges[param.name];
  if (!at) return undefined;
  return binder.calls.find(
    (c) => c.kind === 'layer' && c.callRange.start.offset === at.start.offset,
  );
}

/**
 * The wrapper's arguments with the wrapped layer's name filled in, as Keras named it when it was
 * constructed (`lstm_1` for the second LSTM): Bidirectional names its copies after it
 * (`forward_lstm_1`), and so their weights.
 */
function namedInner(b: BoundCall, name: string): Args {
  const param = b.entry.args.find((p) => p.type === 'layer')!.name;
  const inner = b.args[param];
  if (!isCallValue(inner)) return b.args;
  return { ...b.args, [param]: { ...inner, args: { ...inner.args, name } } };
}

/** weights=[kernel, bias]: one nested array per weight, each of the weight's exact shape. */
function checkInitialWeights(
  given: Value[],
  specs: WeightSpec[],
  b: BoundCall,
  binder: Binder,
): boolean {
  const at = b.ranges['weights']!;
  const report = (why: string) => {
    binder.sink.report('weightsMismatch', at, { layer: b.entry.name, why });
    return false;
  };
  if (given.length !== specs.length) {
    return report(
      `expected ${specs.length} array${specs.length === 1 ? '' : 's'} (${specs.map((s) => `${s.name} ${shapeToString(s.shape)}`).join(', ')}), found ${given.length}.`,
    );
  }
  for (const [i, spec] of specs.entries()) {
    const found = nestedShape(given[i]!);
    if (found === undefined || found.join() !== spec.shape.join()) {
      return report(
        `'${spec.name}' must have shape ${shapeToString(spec.shape)}, found ${found ? shapeToString(found) : 'a ragged array'}.`,
      );
    }
  }
  return true;
}

/** The shape of a nested number array, or undefined when ragged. */
function nestedShape(v: Value): number[] | undefined {
  if (!Array.isArray(v)) return [];
  const inner = v.map(nestedShape);
  const first = inner[0];
  if (inner.some((s) => s === undefined || s.join() !== first?.join())) return undefined;
  return [v.length, ...(first ?? [])];
}

/**
 * A name read where a layer or result stands that a constant binds to a call (`d = Dense(8)`):
 * a layer call is sharing, which the engine does not do yet; a name that is no layer at all is
 * most likely a typo of one (`x = Inpt(4)`), said at the call with a did-you-mean. Returns
 * whether `ref` was such a name (and is reported).
 */
export function reportNamedCall(ref: ast.Identifier, binder: Binder): boolean {
  const value = binder.scope.lookup(ref.name)?.value;
  if (value?.kind !== 'Call') return false;
  const name = value.callee.name;
  if (catalog.lookup('layer', name))
    binder.sink.report('sharedLayer', ref.range, { name: ref.name });
  else if (catalog.kindsOf(name).length > 0)
    binder.sink.report('notALayer', ref.range, { found: `the constant '${ref.name}'` });
  else {
    const guess = catalog.suggest('layer', name);
    binder.sink.report(
      'unknownName',
      value.callee.range,
      { kind: 'layer', name },
      guess ? { hint: `Did you mean '${guess}'?` } : {},
    );
  }
  return true;
}

/** The layer calls of a chain; anything else in it is reported. */
export function layerCallsOf(
  steps: ast.Expression[],
  binder: Binder,
  isFirstChain: boolean,
): LayerCalls {
  const out: LayerCalls = { calls: [] };
  steps.forEach((step, i) => {
    if (step.kind === 'Error') return;
    if (step.kind !== 'Call') {
      if (step.kind === 'Identifier' && reportNamedCall(step, binder)) return;
      else
        binder.sink.report(
          'notALayer',
          step.range,
          { found: describe(step) },
          step.kind === 'Identifier' && catalog.lookup('layer', step.name)
            ? { hint: `Call it: ${step.name}(…)` }
            : {},
        );
      return;
    }
    if (inputLayers.has(step.callee.name)) {
      if (i === 0 && isFirstChain) out.input = step;
      else
        binder.sink.report('misplacedStatement', step.callee.range, {
          what: `${step.callee.name}(...) must stand at the head of the model's first chain.`,
        });
      return;
    }
    if (step.callee.name === 'compile' || step.callee.name === 'fit') {
      binder.sink.report(
        'notALayer',
        step.range,
        { found: `${step.callee.name}(...)` },
        {
          hint: `Put ${step.callee.name}(...) in a statement of its own, after a ';' or a new line.`,
        },
      );
      return;
    }
    out.calls.push(step);
  });
  return out;
}

export type { Args };
