/**
 * Buffer reuse by liveness: every work-arena buffer lives from the step that first writes it
 * to the step that last reads it; buffers whose lifetimes do not overlap share memory. The
 * arena's size is the plan's peak memory, and the runtime allocates exactly that.
 */
import { arenaOf, bufferLength, type Plan } from '../ir/index.js';

/** Offsets are rounded up to 16 bytes, so a SIMD tier can load them aligned. */
const align = 4;

export interface Interval {
  id: number;
  start: number;
  end: number;
  length: number;
}

/** Lifetimes in step indices: inputs and prepared buffers are live from the start; the output and the loss to the end. */
export function liveness(plan: Plan): Interval[] {
  const n = plan.steps.length;
  const start = new Map<number, number>();
  const end = new Map<number, number>();
  const touch = (id: number, at: number) => {
    // -1 is an optional buffer left out; an id past the buffers is the verifier's to report.
    if (id < 0 || id >= plan.buffers.length) return;
    if (!start.has(id)) start.set(id, at);
    end.set(id, Math.max(end.get(id) ?? at, at));
  };
  // The caller writes the input and target — and zeroes the activity penalty — before a run.
  const callerWritten = [...plan.inputs, ...plan.targets, plan.penalty ?? -1];
  for (const id of callerWritten) touch(id, -1);
  // What prepare steps write is kept between runs: live over the whole plan.
  for (const s of plan.prepare) for (const id of s.outputs) [-1, n].forEach((at) => touch(id, at));
  plan.steps.forEach((s, i) => {
    for (const id of s.inputs) touch(id, i);
    for (const id of s.outputs) touch(id, i);
  });
  // Read after a run: the outputs, the loss, each output's loss (logged per output) and the penalty.
  for (const id of [...plan.outputs, plan.loss ?? -1, ...plan.outputLosses, plan.penalty ?? -1])
    touch(id, n);
  // Read after a run by fit's health figures, when the plan was made for them.
  for (const o of plan.observed ?? []) touch(o.buffer, n);
  const out: Interval[] = [];
  for (const [id, s] of start) {
    const b = plan.buffers[id]!;
    if (arenaOf(b) !== 'work') continue;
    out.push({ id, start: s, end: end.get(id)!, length: roundUp(bufferLength(b, plan.batchSize)) });
  }
  return out.sort((a, b) => a.start - b.start || b.length - a.length || a.id - b.id);
}

/** Assigns work-arena offsets (first fit among the memory of buffers no longer live) and sets `workSize`. */
export function assignMemory(input: Plan): Plan {
  const plan: Plan = { ...input, buffers: input.buffers.map((b) => ({ ...b })) };
  const intervals = liveness(plan);
  const { offsets, size } = firstFit(intervals);
  for (const [id, offset] of offsets) plan.buffers[id]!.offset = offset;
  // Unused work buffers (removed by a pass) keep offset -1 and take no memory.
  for (const b of plan.buffers) if (arenaOf(b) === 'work' && !offsets.has(b.id)) b.offset = -1;
  plan.workSize = size;
  return plan;
}

/**
 * Offsets for lifetimes sorted by start: each goes to the lowest place that no live buffer
 * occupies. Returns the offsets by buffer id and the arena's size. (The emitter lays out one
 * sample's buffers with it, to scale by the batch.)
 */
export function firstFit(intervals: readonly Interval[]): {
  offsets: Map<number, number>;
  size: number;
} {
  const live: { offset: number; length: number; end: number }[] = [];
  const offsets = new Map<number, number>();
  let size = 0;
  for (const iv of intervals) {
    for (let i = live.length - 1; i >= 0; i--) if (live[i]!.end < iv.start) live.splice(i, 1);
    live.sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const block of live) {
      if (block.offset - offset >= iv.length) break;
      offset = Math.max(offset, block.offset + block.length);
    }
    live.push({ offset, length: iv.length, end: iv.end });
    offsets.set(iv.id, offset);
    size = Math.max(size, offset + iv.length);
  }
  return { offsets, size };
}

function roundUp(n: number): number {
  return Math.ceil(n / align) * align;
}
