/**
 * A model's parameters: every weight in Keras's get_weights() order with its place in the
 * parameter arena — the weights first, then (for training) the gradients of the trainable
 * ones, then the optimizer's state. Every plan of a model shares this layout, so plans share
 * one parameter arena.
 */
import type { InitializerSpec } from '../init/index.js';
import type { ConstraintSpec, OptimizerSpec, RegularizerSpec } from '../ir/index.js';
import type { GraphLayer } from '../layers/index.js';
import { optimizerSlots, type OptimizerSlot } from '../optim/index.js';

export interface ParamEntry {
  layer: string;
  /** Keras's weight name: kernel, bias, gamma, beta, moving_mean, moving_variance, alpha. */
  name: string;
  shape: number[];
  size: number;
  trainable: boolean;
  offset: number;
  /** Offset of the gradient, or -1 for a non-trainable weight. */
  gradOffset: number;
  initializer: InitializerSpec | null;
  regularizer: RegularizerSpec | null;
  constraint: ConstraintSpec | null;
  /** Elements [start, end) set to one after the initializer (LSTM's unit_forget_bias). */
  ones?: [number, number];
}

export interface ParamLayout {
  entries: ParamEntry[];
  /** Elements of the weights alone (what get_weights() returns, and all an inference plan uses). */
  weightSize: number;
  /** Elements of the weights and the gradients: where the optimizer's state starts. */
  size: number;
}

/** Lays out the weights of built layers; a frozen layer (trainable=False) gets no gradients. */
export function layoutParams(layers: readonly GraphLayer[]): ParamLayout {
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const layer of layers) {
    const layerTrainable = layer.args['trainable'] !== false;
    for (const w of layer.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      entries.push({
        layer: layer.name,
        name: w.name,
        shape: w.shape,
        size,
        trainable: w.trainable && layerTrainable,
        offset,
        gradOffset: -1,
        initializer: layer.specs.initializers[w.argPrefix ?? w.name] ?? null,
        regularizer: layer.specs.regularizers[w.argPrefix ?? w.name] ?? null,
        constraint: layer.specs.constraints[w.argPrefix ?? w.name] ?? null,
        ...(w.ones ? { ones: w.ones } : {}),
      });
      offset += size;
    }
  }
  const weightSize = offset;
  for (const e of entries) {
    if (!e.trainable) continue;
    e.gradOffset = offset;
    offset += e.size;
  }
  return { entries, size: offset, weightSize };
}

/** An optimizer state slot with its offset in the parameter arena. */
export interface StateSlot extends OptimizerSlot {
  offset: number;
}

/**
 * The optimizer's state after the weights and gradients, in its variables() order: one slot
 * per trained weight (every trainable one, unless given) and kind (moments, accumulators,
 * averages), plus shared ones.
 */
export function layoutState(
  layout: ParamLayout,
  optimizer: OptimizerSpec,
  trained: readonly ParamEntry[] = layout.entries.filter((e) => e.trainable),
): { slots: StateSlot[]; size: number } {
  const sizes = trained.map((e) => e.size);
  let offset = layout.size;
  const slots = optimizerSlots(optimizer, sizes).map((slot) => {
    const placed = { ...slot, offset };
    offset += slot.size;
    return placed;
  });
  return { slots, size: offset - layout.size };
}
