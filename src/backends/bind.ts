/**
 * Running a plan on a backend: one memory block per session — the parameter arena (weights,
 * gradients, optimizer state) then a work arena that every plan of the session shares, sized
 * to the largest — and plans bound to views of it, step by step, once per block.
 */
import { arenaOf, bufferLength, type Plan, type PlanStep } from '../ir/index.js';
import type { Backend, BindContext, Run } from './types.js';

/** Elements are aligned to 16 bytes, so a SIMD tier can load any arena aligned. */
const align = (n: number) => Math.ceil(n / 4) * 4;

/** The backend could not allocate a block of `floats` elements (too long an array, or no memory). */
export class AllocationError extends Error {
  constructor(
    readonly floats: number,
    readonly reason: string,
  ) {
    super(`cannot allocate ${floats} float32 elements: ${reason}`);
  }
}

/** The backend's allocation, its RangeError (V8's "Invalid typed array length", "Array buffer allocation failed") made an AllocationError. */
function allocate(backend: Backend, floats: number): Float32Array {
  try {
    return backend.allocate(floats);
  } catch (e) {
    if (e instanceof RangeError) throw new AllocationError(floats, e.message);
    throw e;
  }
}

/**
 * A session's memory: one allocation holding every arena. It grows when a plan needs more —
 * a training plan adds gradients and optimizer state to the parameter arena, a larger batch
 * more work space — and only then: a session that only predicts never holds gradients.
 */
export class Memory {
  data: Float32Array;
  /** Elements of the parameter arena: weights, then (once a training plan is bound) gradients and optimizer state. */
  paramSize: number;
  private workSize = 0;
  /** The bound plan whose work buffers (its prepared ones too) the work arena holds now. */
  holder: BoundPlan | null = null;
  private readonly bound = new Set<BoundPlan>();

  constructor(
    readonly backend: Backend,
    paramSize: number,
  ) {
    this.paramSize = paramSize;
    this.data = allocate(backend, align(paramSize));
  }

  /** Where the work arena starts. */
  get workBase(): number {
    return align(this.paramSize);
  }

  /** The parameter arena (weights first, in get_weights() order). */
  get params(): Float32Array {
    return this.data.subarray(0, this.paramSize);
  }

  /** Binds a plan to this memory, growing the block if the plan needs more of either arena. */
  bind(plan: Plan, ctx: BindContext): BoundPlan {
    const params = Math.max(this.paramSize, plan.paramSize);
    const work = Math.max(this.workSize, plan.workSize);
    if (params > this.paramSize || work > this.workSize) this.grow(params, work);
    const bound = new BoundPlan(plan, this, ctx);
    this.bound.add(bound);
    return bound;
  }

  /** A larger block: the parameters keep their offsets and values, and every bound plan takes views of it. */
  private grow(paramSize: number, workSize: number): void {
    const data = allocate(this.backend, align(paramSize) + align(workSize));
    data.set(this.data.subarray(0, this.paramSize));
    this.data = data;
    this.paramSize = paramSize;
    this.workSize = workSize;
    this.holder = null;
    for (const b of this.bound) b.rebind();
  }
}

/** A plan bound to memory: views of its buffers and one bound call per step. */
export class BoundPlan {
  private views: Float32Array[] = [];
  private calls: Run[] = [];
  private prepareCalls: Run[] = [];
  /** Index of the optimizer step (training plans), else the number of steps. */
  private readonly updateAt: number;
  /** Parameter-arena buffers that steps before the update write (moving statistics), to undo them. */
  private readonly touched: number[];
  /** Copies of the touched buffers taken before a guarded run, allocated once. */
  private touchedCopies: Float32Array[] = [];
  /** The parameters' version the prepared (derived) buffers were computed from. */
  private preparedVersion = -1;

  constructor(
    readonly plan: Plan,
    private readonly memory: Memory,
    private readonly ctx: BindContext,
  ) {
    const at = plan.steps.findIndex((s) => s.op === 'optimizer');
    this.updateAt = at < 0 ? plan.steps.length : at;
    const touched = plan.steps
      .slice(0, this.updateAt)
      .flatMap((s) => s.outputs)
      .filter((id) => id >= 0 && arenaOf(plan.buffers[id]!) === 'params');
    this.touched = [...new Set(touched)];
    this.rebind();
  }

  /** The view of buffer `id` (an input, an output, the loss…). */
  view(id: number): Float32Array {
    return this.views[id]!;
  }

  /** The work arena's elements this plan uses: the peak memory `nn plan` reports. */
  get workSize(): number {
    return this.plan.workSize;
  }

  /** Recomputes derived buffers (folded weights) when the parameters changed, or another plan used the work arena. */
  prepare(version: number): void {
    if (version === this.preparedVersion && this.memory.holder === this) return;
    this.memory.holder = this;
    for (const call of this.prepareCalls) call(0);
    this.preparedVersion = version;
  }

  /** Runs every step for `n` samples (n ≤ the plan's batch size). */
  run(n: number): void {
    this.claimWorkArena();
    const calls = this.calls;
    for (let i = 0; i < calls.length; i++) calls[i]!(n);
  }

  /**
   * Runs a training step only as far as its loss when the loss is not finite: the update is
   * skipped and the parameters the forward pass wrote (moving statistics) are put back, so the
   * weights and the optimizer's state are those before the step. fit's divergence guard, at
   * the cost of copying those few buffers instead of every weight per step. `observe` (the
   * health figures) runs before the update of a step that goes on. Returns whether the step
   * ran whole.
   */
  runUnlessDiverged(
    n: number,
    observe: ((bound: BoundPlan, n: number) => void) | null = null,
  ): boolean {
    const loss = this.views[this.plan.loss!]!;
    const copies = this.touchedCopies;
    for (let i = 0; i < copies.length; i++) copies[i]!.set(this.views[this.touched[i]!]!);
    this.claimWorkArena();
    const calls = this.calls;
    const at = this.updateAt;
    for (let i = 0; i < at; i++) calls[i]!(n);
    if (!Number.isFinite(loss[0]!)) {
      for (let i = 0; i < copies.length; i++) this.views[this.touched[i]!]!.set(copies[i]!);
      return false;
    }
    observe?.(this, n);
    for (let i = at; i < calls.length; i++) calls[i]!(n);
    return true;
  }

  /**
   * run(n), calling `observe` after the backward steps and before a training plan's optimizer
   * step: fit's health figures read the gradients there, before clipnorm or clipvalue scale
   * them in place.
   */
  runObserved(n: number, observe: (bound: BoundPlan, n: number) => void): void {
    this.claimWorkArena();
    const calls = this.calls;
    const at = this.updateAt;
    for (let i = 0; i < at; i++) calls[i]!(n);
    observe(this, n);
    for (let i = at; i < calls.length; i++) calls[i]!(n);
  }

  /** Takes the work arena: another plan's use of it invalidates this plan's prepared buffers. */
  private claimWorkArena(): void {
    if (this.memory.holder === this) return;
    this.memory.holder = this;
    if (this.prepareCalls.length > 0) this.preparedVersion = -1;
  }

  /** Takes views of the memory's current block and binds every step again. */
  rebind(): void {
    const { plan, memory } = this;
    const data = memory.data;
    this.views = plan.buffers.map((b) => {
      if (b.offset < 0) return new Float32Array(0);
      const start = arenaOf(b) === 'work' ? memory.workBase + b.offset : b.offset;
      return data.subarray(start, start + bufferLength(b, plan.batchSize));
    });
    this.touchedCopies = this.touched.map((id) => new Float32Array(this.views[id]!.length));
    this.prepareCalls = plan.prepare.map((s) => this.bindStep(s));
    this.calls = plan.steps.map((s) => this.bindStep(s));
    this.preparedVersion = -1;
  }

  private bindStep(s: PlanStep): Run {
    const view = (id: number) => (id >= 0 ? this.views[id]! : null);
    return this.memory.backend.bind(
      s,
      { inputs: s.inputs.map(view), outputs: s.outputs.map(view) },
      { ...this.ctx, mode: this.plan.mode },
    );
  }
}
