/**
 * What a step emitter is given and may throw: the module's context for one step, and the error
 * for a step the module cannot express. Apart from steps.ts so that the emitters of every family
 * (steps, windows, backward, losses, optimizer) can import it without a cycle.
 */
import type { PlanStep } from '../ir/index.js';
import type { Fn } from './code.js';

/** What a step emitter can ask of the module it writes into. */
export interface StepContext {
  /** A name for buffer `id` inside the step's function (a parameter named after `hint`). */
  ref(id: number, hint: string): string;
  /** Whether an optional input or output is present. */
  has(id: number | undefined): boolean;
  /** Declares a module-level function (once) and returns its name. */
  use(fn: Fn, constants?: readonly string[]): string;
  /** Declares a module-level typed array of integers (once) and returns its name. */
  constant(name: string, type: 'Int32Array', values: readonly number[]): string;
}

/** A step the module cannot express: the emitter reports it, never emits something else. */
export class EmitError extends Error {
  constructor(
    message: string,
    readonly layer: string,
  ) {
    super(message);
  }
}

export type StepEmitter = (step: PlanStep, ctx: StepContext) => string[];
