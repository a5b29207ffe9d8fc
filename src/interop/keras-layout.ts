/**
 * Where Keras 3 keeps each weight in `model.weights.h5` (saving_lib's `_save_state` walk): the
 * model's own `vars` group, then each layer of `model.layers` under `layers/<key>`, the key
 * being the snake-cased class name made unique in the list (`dense`, `dense_1`, …) — not the
 * layer's name. Every layer gets `<path>/vars` with a `name` attribute (empty when it has no
 * weights), holding datasets `0`, `1`, … in creation order. Sub-layers sit under the attribute
 * that holds them, visited in sorted order: an RNN's `cell`, Bidirectional's
 * `backward_layer` and `forward_layer`, a wrapper's `layer`. A functional model's list starts
 * with its InputLayers; a Sequential's does not.
 */
import { isCallValue, type Args, type CallValue } from '../catalog/index.js';
import type { CheckedModel } from '../check/index.js';
import { functionalOrder, toSnakeCase, type NodeId } from '../layers/index.js';

/** A saveable's `vars` group (`path` '' is the model's own, `vars`) and its `name` attribute. */
export interface VarsGroup {
  path: string;
  name: string;
}

/** One of our weights (by layer and weight name) and its dataset path. */
export interface Placement {
  layer: string;
  name: string;
  path: string;
}

export interface KerasLayout {
  groups: VarsGroup[];
  placements: Placement[];
}

/** The h5 path of a saveable's `vars` group. */
export function varsPath(path: string): string {
  return path ? `${path}/vars` : 'vars';
}

const recurrent = new Set(['SimpleRNN', 'LSTM', 'GRU']);

/** The layout of `model`'s weights, in the order Keras 3 writes them. */
export function kerasLayout(model: CheckedModel): KerasLayout {
  const out: KerasLayout = { groups: [{ path: '', name: model.name }], placements: [] };
  const used = new Map<string, number>();
  const key = (className: string): string => {
    const base = toSnakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  };
  for (const id of kerasLayerOrder(model)) {
    if (id < 0) {
      out.groups.push({ path: `layers/${key('InputLayer')}`, name: model.inputs[-1 - id]!.name });
      continue;
    }
    const l = model.layers[id]!;
    const weights = l.weights.map((w) => ({ layer: l.name, name: w.name, own: w.name }));
    place(l.className, l.args, l.name, `layers/${key(l.className)}`, weights, out);
  }
  return out;
}

/**
 * `model.layers` in Keras's order, as node ids (an input's negative): a Sequential's layers; a
 * functional model's InputLayers and layers by depth (`functionalOrder`, Keras's map_graph),
 * which the checker already gives its layers, but which may put an input after a layer.
 */
export function kerasLayerOrder(model: CheckedModel): NodeId[] {
  return model.functional
    ? functionalOrder(model.layers, model.inputs.length, model.outputs)
    : model.layers.map((l) => l.id);
}

interface Owned {
  layer: string;
  name: string;
  /** The weight's name within the saveable being placed (a Bidirectional's prefix dropped). */
  own: string;
}

function place(
  className: string,
  args: Args,
  name: string,
  path: string,
  weights: Owned[],
  out: KerasLayout,
): void {
  out.groups.push({ path, name });
  const inner = isCallValue(args['layer']) ? (args['layer'] as CallValue) : null;
  if (inner && className === 'Bidirectional') {
    const innerName =
      typeof inner.args['name'] === 'string' ? inner.args['name'] : toSnakeCase(inner.call);
    for (const direction of ['backward', 'forward']) {
      const prefix = `${direction}_${innerName}/`;
      const mine = weights
        .filter((w) => w.own.startsWith(prefix))
        .map((w) => ({ ...w, own: w.own.slice(prefix.length) }));
      place(inner.call, inner.args, prefix.slice(0, -1), `${path}/${direction}_layer`, mine, out);
    }
    return;
  }
  if (inner) {
    const innerName =
      typeof inner.args['name'] === 'string' ? inner.args['name'] : toSnakeCase(inner.call);
    place(inner.call, inner.args, innerName, `${path}/layer`, weights, out);
    return;
  }
  let at = path;
  if (recurrent.has(className)) {
    at = `${path}/cell`;
    out.groups.push({ path: at, name: `${toSnakeCase(className)}_cell` });
  }
  weights.forEach((w, i) =>
    out.placements.push({ layer: w.layer, name: w.name, path: `${varsPath(at)}/${i}` }),
  );
}
