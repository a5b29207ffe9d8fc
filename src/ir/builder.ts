/** Appends buffers and steps to a plan under construction; lowering's only way to write one. */
import type { BufferRole, OpAttrs, OpName, PlanBuffer, PlanStep } from './types.js';

/** A model the engine cannot lower: a bug in nnlang when the checker passed it. */
export class PlanError extends Error {}

export class PlanBuilder {
  readonly buffers: PlanBuffer[] = [];
  readonly steps: PlanStep[] = [];
  readonly prepare: PlanStep[] = [];

  /** A batch-sized buffer of shape `[null, ...dims]`. */
  batch(name: string, role: BufferRole, shape: readonly (number | null)[]): number {
    const dims = shape.slice(1).map((d) => {
      if (d === null)
        throw new PlanError(`the shape of '${name}' is not fully known: ${JSON.stringify(shape)}.`);
      return d;
    });
    return this.add({
      name,
      role,
      shape: [null, ...dims],
      size: dims.reduce((a, b) => a * b, 1),
      perSample: true,
      offset: -1,
    });
  }

  /** A buffer of a fixed size (weights, statistics, the loss). */
  fixed(name: string, role: BufferRole, shape: number[], offset = -1): number {
    return this.add({
      name,
      role,
      shape,
      size: shape.reduce((a, b) => a * b, 1),
      perSample: false,
      offset,
    });
  }

  /** Appends a step of `op`; its attributes are typed by the op. */
  step<O extends OpName>(
    op: O,
    layer: string,
    inputs: number[],
    outputs: number[],
    attrs: OpAttrs[O],
  ): void {
    this.steps.push({ op, layer, inputs, outputs, attrs } as PlanStep);
  }

  private add(b: Omit<PlanBuffer, 'id'>): number {
    const id = this.buffers.length;
    this.buffers.push({ id, ...b });
    return id;
  }
}
