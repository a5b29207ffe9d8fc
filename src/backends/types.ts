/**
 * The backend seam: what a kernel backend provides to run a plan. The plan says which op runs
 * over which buffers; a backend allocates the arenas in one block and binds each step, once,
 * to a function that runs it for a number of rows. The reference backend is plain JavaScript
 * over Float32Arrays; another (WebAssembly SIMD) implements the same interface.
 */
import type { Plan, PlanStep } from '../ir/index.js';

/** A plan's mode: inference, evaluation or training. */
type PlanMode = Plan['mode'];
import type { Rng } from '../kernels/random.js';
import type { Optimizer } from '../optim/index.js';

/** The buffers a step reads and writes, as views of the arenas; null for an optional buffer left out. */
export interface StepViews {
  inputs: (Float32Array | null)[];
  outputs: (Float32Array | null)[];
}

/** What binding a step may need beyond its buffers. */
export interface BindContext {
  /** The session's seeded generator (dropout masks, noise). */
  rng: Rng;
  /** The optimizer a training plan's update step applies (its iterations and learning rate live there). */
  optimizer?: Optimizer;
  /** The mode of the step's plan (BoundPlan sets it): the threads option splits products outside training only. */
  mode?: PlanMode;
}

/** A bound step: runs over the first `rows` samples of its batch-sized buffers. */
export type Run = (rows: number) => void;

export interface Backend {
  readonly name: string;
  /** One allocation for every arena of a session: weights, gradients, optimizer state, work. */
  allocate(floats: number): Float32Array;
  /** Binds one step to its buffers; called once per step, never per run. */
  bind(step: PlanStep, views: StepViews, ctx: BindContext): Run;
  /**
   * The index of the first NaN or ±Infinity among the first `n` values of a view of this
   * backend's block, or −1 (predict and evaluate check each batch where it was copied). A
   * backend without it is checked in JavaScript.
   */
  firstNonFinite?(view: Float32Array, n: number): number;
  /** Threads its products may run on (the wasm backend's threads option); 1 when absent. */
  readonly threads?: number;
  /** Stops what the backend started (the threads option's workers); a no-op when absent. */
  dispose?(): void;
}

/**
 * Bad data a step found while it ran (a token id outside an Embedding's vocabulary): the
 * runtime reports it to the user as an input error, where any other throw would be a bug.
 */
export class DataError extends Error {}
