/**
 * Two-feature data as TensorFlow Playground shows it: the points in their own units, the
 * model's output over the plane (decision regions), each hidden Dense unit's output over the
 * plane, and the Dense kernels for the network drawing. Every value comes from the engine: the
 * hidden units from a probe model over the same layers whose outputs are those layers.
 */
import {
  applyScaler,
  Model,
  type CompiledModel,
  type DataInfo,
  type Table,
} from '../../src/index.js';
import type { Plane, PlaneView } from './protocol.js';

const outputGrid = 48;
const hiddenGrid = 20;
/** More hidden units than this are not drawn one by one. */
const maxHiddenUnits = 64;

/** The points of a two-feature table in their own units (the scaling undone), or null. */
export function planeOf(table: Table, trainRows: number): Plane | null {
  if (table.features.length !== 2 || !table.y) return null;
  const x = table.x.slice();
  const s = table.scaler;
  if (s) for (let i = 0; i < x.length; i++) x[i] = x[i]! / s.scale[i % 2]! + s.offset[i % 2]!;
  const labels = new Float32Array(table.rows);
  for (let i = 0; i < table.rows; i++) labels[i] = labelOf(table.y, i, table.yCols);
  const min: [number, number] = [Infinity, Infinity];
  const max: [number, number] = [-Infinity, -Infinity];
  for (let i = 0; i < x.length; i++) {
    min[i % 2] = Math.min(min[i % 2]!, x[i]!);
    max[i % 2] = Math.max(max[i % 2]!, x[i]!);
  }
  for (const j of [0, 1] as const) {
    const pad = (max[j] - min[j] || 1) * 0.1;
    min[j] -= pad;
    max[j] += pad;
  }
  return {
    features: [table.features[0]!, table.features[1]!],
    x,
    labels,
    trainRows,
    box: { min, max },
  };
}

/** A row's class index (one-hot: the hot column), else its single target value. */
function labelOf(y: Float32Array, row: number, cols: number): number {
  if (cols === 1) return y[row]!;
  let best = 0;
  for (let c = 1; c < cols; c++) if (y[row * cols + c]! > y[row * cols + best]!) best = c;
  return best;
}

/** The model's output, its hidden units and its kernels over the plane, now. */
export function planeView(
  model: Model,
  compiled: CompiledModel,
  plane: Plane,
  data: DataInfo,
): PlaneView {
  const grid = gridPoints(plane, outputGrid, data);
  const values = model.predict(grid);
  const units = values.length / (outputGrid * outputGrid);
  return {
    output: { size: outputGrid, units, values },
    hidden: hiddenUnits(model, compiled, plane, data),
    kernels: kernels(model),
  };
}

/** `size`×`size` points over the plane's box, row 0 at the top, scaled as the data was. */
function gridPoints(plane: Plane, size: number, data: DataInfo): Float32Array {
  const { min, max } = plane.box;
  const g = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const k = (r * size + c) * 2;
      g[k] = min[0] + ((c + 0.5) / size) * (max[0] - min[0]);
      g[k + 1] = max[1] - ((r + 0.5) / size) * (max[1] - min[1]);
    }
  const s = data.scaler;
  if (s && (s.kind === 'standard' || s.kind === 'minmax'))
    applyScaler({ kind: s.kind, offset: s.offset, scale: s.scale }, g, size * size, 2);
  return g;
}

/** Each hidden Dense layer's units over the plane: a probe model whose outputs are those layers. */
function hiddenUnits(
  model: Model,
  compiled: CompiledModel,
  plane: Plane,
  data: DataInfo,
): PlaneView['hidden'] {
  const graph = compiled.graph;
  const last = new Set(graph.outputs);
  const hidden = graph.layers.filter((l) => l.className === 'Dense' && !last.has(l.id));
  const total = hidden.reduce((n, l) => n + Number(l.args['units'] ?? 0), 0);
  if (hidden.length === 0 || total > maxHiddenUnits) return [];
  const probe = new Model(
    {
      graph: { ...graph, outputs: hidden.map((l) => l.id), outputPorts: undefined },
      training: null,
      fit: {},
    },
    { backend: 'js' },
  );
  if (!probe.built) probe.build([null, 2]);
  probe.setWeights(model.getWeights());
  const outputs = probe.predictOutputs(gridPoints(plane, hiddenGrid, data));
  return hidden.map((l, i) => ({
    layer: l.name,
    units: Number(l.args['units']),
    size: hiddenGrid,
    values: outputs[i]!,
  }));
}

/** The Dense kernels in layer order: [inputs, units] row-major, as Keras stores them. */
function kernels(model: Model): PlaneView['kernels'] {
  const values = model.getWeights();
  return model
    .weightSpecs()
    .flatMap((w, i) =>
      w.name === 'kernel' && w.shape.length === 2
        ? [{ layer: w.layer, inputs: w.shape[0]!, units: w.shape[1]!, values: values[i]! }]
        : [],
    );
}
