/**
 * The plan verifier: structural invariants every pass must keep. Tests run it between passes;
 * a failure is a bug in nnlang (a message per broken rule, empty when the plan is sound).
 */
import { liveness } from './memory.js';
import { arenaOf, bufferLength, type Plan, type PlanStep } from './types.js';

const trainingOnly = new Set([
  'dropout',
  'gaussian_noise',
  'batch_norm_train',
  'loss',
  'softmax_cross_entropy',
  'sigmoid_cross_entropy',
  'optimizer',
  'regularizer',
  'activity_regularizer',
]);

export function verifyPlan(plan: Plan): string[] {
  const problems: string[] = [];
  const say = (s: PlanStep | undefined, what: string) =>
    problems.push(s ? `step ${s.op} (${s.layer}): ${what}` : what);
  const valid = (id: number) =>
    id === -1 || (Number.isInteger(id) && id >= 0 && id < plan.buffers.length);
  const defined = new Set<number>([plan.input, ...(plan.target === null ? [] : [plan.target])]);
  if (plan.mode === 'inference' && plan.loss !== null) defined.add(plan.loss); // zeroed by the caller
  for (const b of plan.buffers) if (b.role === 'param' || b.role === 'grad') defined.add(b.id);
  for (const s of plan.prepare) for (const id of s.outputs) defined.add(id);

  for (const s of [...plan.prepare, ...plan.steps]) {
    for (const id of [...s.inputs, ...s.outputs])
      if (!valid(id)) say(s, `refers to buffer ${id}, which does not exist.`);
    for (const id of s.inputs)
      if (id >= 0 && !defined.has(id) && !s.outputs.includes(id))
        say(s, `reads '${plan.buffers[id]?.name}' before any step writes it.`);
    for (const id of s.outputs) {
      const b = plan.buffers[id];
      if (b?.role === 'param' && s.op !== 'optimizer')
        say(s, `writes the weight '${b.name}'; only the optimizer may.`);
      if (id >= 0) defined.add(id);
    }
    if (plan.mode === 'inference' && (trainingOnly.has(s.op) || s.op.endsWith('_backward')))
      say(s, 'is a training step in an inference plan.');
    if (s.op === 'dense') checkDense(plan, s, say);
  }
  if (!defined.has(plan.output))
    say(undefined, `the output '${plan.buffers[plan.output]?.name}' is never written.`);
  if (plan.mode === 'training') {
    const losses = plan.steps.filter((s) => s.op === 'loss' || s.op.endsWith('_cross_entropy'));
    if (losses.length !== 1)
      say(undefined, `a training plan needs exactly one loss step, found ${losses.length}.`);
    const opt = plan.steps.findIndex((s) => s.op === 'optimizer');
    if (opt >= 0 && opt !== plan.steps.length - 1)
      say(plan.steps[opt], 'the optimizer must be the last step.');
  }
  if (plan.workSize > 0) problems.push(...checkMemory(plan));
  return problems;
}

function checkDense(plan: Plan, s: PlanStep, say: (s: PlanStep, what: string) => void): void {
  const rows = s.attrs['rows'] as number;
  const inDim = s.attrs['in'] as number;
  const units = s.attrs['units'] as number;
  const [x, kernel] = s.inputs.map((id) => plan.buffers[id]);
  if (x && x.size !== rows * inDim)
    say(s, `its input has ${x.size} values per sample, expected ${rows}×${inDim}.`);
  if (kernel && kernel.size !== inDim * units)
    say(s, `its kernel has ${kernel.size} values, expected ${inDim}×${units}.`);
  for (const id of s.outputs) {
    const y = plan.buffers[id];
    if (y && y.size !== rows * units)
      say(s, `its output '${y.name}' has ${y.size} values per sample, expected ${rows}×${units}.`);
  }
}

/** After memory assignment: every live buffer fits the arena and no two live at once overlap. */
function checkMemory(plan: Plan): string[] {
  const problems: string[] = [];
  const intervals = liveness(plan);
  for (const iv of intervals) {
    const b = plan.buffers[iv.id]!;
    if (arenaOf(b) !== 'work') continue;
    if (b.offset < 0 || b.offset + bufferLength(b, plan.batchSize) > plan.workSize)
      problems.push(`buffer '${b.name}' lies outside the work arena.`);
  }
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i]!;
      const c = intervals[j]!;
      if (a.end < c.start || c.end < a.start) continue;
      const ba = plan.buffers[a.id]!;
      const bc = plan.buffers[c.id]!;
      const overlap =
        ba.offset < bc.offset + bufferLength(bc, plan.batchSize) &&
        bc.offset < ba.offset + bufferLength(ba, plan.batchSize);
      if (overlap)
        problems.push(`buffers '${ba.name}' and '${bc.name}' are live at once but share memory.`);
    }
  }
  return problems;
}
