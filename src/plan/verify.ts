/**
 * The plan verifier: structural invariants every pass must keep, and every op's buffer sizes
 * against its attributes. Tests run it between passes, and `planModel` after the last; a
 * failure is a bug in nnlang (a message per broken rule, empty when the plan is sound).
 */
import {
  arenaOf,
  bufferLength,
  type OpName,
  type Plan,
  type PlanBuffer,
  type PlanStep,
} from '../ir/index.js';
import { gateCount, recurrentBiasSize, savedGateCount } from '../kernels/index.js';
import type { RecurrentAttrs } from '../ir/index.js';
import { windowTaps } from '../kernels/index.js';
import { liveness } from './memory.js';

const trainingOnly = new Set<OpName>([
  'dropout',
  'spatial_dropout',
  'dropout_mask',
  'gaussian_noise',
  'batch_norm_train',
  'loss',
  'softmax_cross_entropy',
  'sigmoid_cross_entropy',
  'optimizer',
  'regularizer',
  'activity_regularizer',
]);

/** The steps that compute a loss. */
const lossOps = new Set<OpName>(['loss', 'softmax_cross_entropy', 'sigmoid_cross_entropy']);

/** Which ops may write a weight, and optimizer state. */
const writesParams = new Set<OpName>(['optimizer']);

/** BatchNormalization in training moves its moving statistics: weights nobody trains. */
function movesStatistic(plan: Plan, s: PlanStep, id: number): boolean {
  if (s.op !== 'batch_norm_train') return false;
  const w = plan.weights.find((p) => p.buffer === id);
  return w !== undefined && !w.trainable && w.grad === null;
}

export function verifyPlan(plan: Plan): string[] {
  const problems: string[] = [];
  const say = (s: PlanStep | undefined, what: string) =>
    problems.push(s ? `step ${s.op} (${s.layer}): ${what}` : what);
  const valid = (id: number) =>
    id === -1 || (Number.isInteger(id) && id >= 0 && id < plan.buffers.length);
  const defined = new Set<number>([...plan.inputs, ...plan.targets]);
  if (plan.penalty !== null) defined.add(plan.penalty); // zeroed by the caller
  for (const b of plan.buffers) if (arenaOf(b) === 'params') defined.add(b.id);
  for (const s of plan.prepare) for (const id of s.outputs) defined.add(id);

  for (const s of [...plan.prepare, ...plan.steps]) {
    for (const id of [...s.inputs, ...s.outputs])
      if (!valid(id)) say(s, `refers to buffer ${id}, which does not exist.`);
    for (const id of s.inputs)
      if (id >= 0 && !defined.has(id) && !s.outputs.includes(id))
        say(s, `reads '${plan.buffers[id]?.name}' before any step writes it.`);
    for (const id of s.outputs) {
      const b = plan.buffers[id];
      if (
        (b?.role === 'param' || b?.role === 'state') &&
        !writesParams.has(s.op) &&
        !movesStatistic(plan, s, id)
      )
        say(s, `writes '${b.name}'; only the optimizer may.`);
      if (id >= 0) defined.add(id);
    }
    if (plan.mode !== 'training' && (trainingOnly.has(s.op) || s.op.endsWith('_backward')))
      if (!(plan.mode === 'evaluation' && lossOps.has(s.op)))
        say(s, `is a training step in an ${plan.mode} plan.`);
    for (const problem of checkSizes(plan, s)) say(s, problem);
  }
  for (const id of plan.outputs)
    if (!defined.has(id))
      say(undefined, `the output '${plan.buffers[id]?.name}' is never written.`);
  for (const o of plan.observed ?? [])
    if (!valid(o.buffer) || !defined.has(o.buffer))
      say(
        undefined,
        `the observed activation of '${o.layer}' (buffer ${o.buffer}) is never written.`,
      );
  if (plan.mode !== 'training' && plan.buffers.some((b) => b.role === 'grad'))
    say(undefined, `an ${plan.mode} plan has gradient buffers.`);
  if (plan.mode !== 'inference') {
    const losses = plan.steps.filter((s) => lossOps.has(s.op));
    if (losses.length !== plan.targets.length || losses.length === 0)
      say(
        undefined,
        `a ${plan.mode} plan needs one loss step per target (${plan.targets.length}), found ${losses.length}.`,
      );
  }
  if (plan.mode === 'training') {
    const opt = plan.steps.findIndex((s) => s.op === 'optimizer');
    if (opt >= 0 && opt !== plan.steps.length - 1)
      say(plan.steps[opt], 'the optimizer must be the last step.');
  }
  if (plan.workSize > 0) problems.push(...checkMemory(plan));
  return problems;
}

/** One expected size: `n` values per sample (batch-sized) or in all (fixed). */
type Size = { per: number } | { all: number };

const per = (n: number): Size => ({ per: n });
const all = (n: number): Size => ({ all: n });

/** The sizes an op's inputs and outputs must have, from its attributes. */
function expectedSizes(s: PlanStep): { inputs: Size[]; outputs: Size[] } | undefined {
  switch (s.op) {
    case 'dense': {
      const { rows, in: inDim, units } = s.attrs;
      const bias = s.attrs.bias ? [all(units)] : [];
      return {
        inputs: [per(rows * inDim), all(inDim * units), ...bias],
        outputs: s.outputs.map(() => per(rows * units)),
      };
    }
    case 'dense_backward': {
      const { rows, in: inDim, units } = s.attrs;
      return {
        inputs: [per(rows * inDim), all(inDim * units), per(rows * units)],
        outputs: [per(rows * inDim), all(inDim * units), all(units)],
      };
    }
    case 'activation':
    case 'unit_norm':
      return {
        inputs: [per(s.attrs.rows * s.attrs.cols)],
        outputs: [per(s.attrs.rows * s.attrs.cols)],
      };
    case 'activation_backward':
    case 'unit_norm_backward': {
      const n = per(s.attrs.rows * s.attrs.cols);
      return { inputs: [n, n, n], outputs: [n] };
    }
    case 'copy':
    case 'gaussian_noise':
      return { inputs: [per(s.attrs.size)], outputs: [per(s.attrs.size)] };
    case 'add':
      return { inputs: [per(s.attrs.size), per(s.attrs.size)], outputs: [per(s.attrs.size)] };
    case 'weighted_sum':
      return { inputs: s.inputs.map(() => all(1)), outputs: [all(1)] };
    case 'scale':
      return { inputs: [per(s.attrs.size)], outputs: [per(s.attrs.size)] };
    case 'merge':
      return { inputs: s.inputs.map(() => per(s.attrs.size)), outputs: [per(s.attrs.size)] };
    case 'merge_backward':
      return {
        inputs: s.inputs.map(() => per(s.attrs.size)),
        outputs: s.outputs.map(() => per(s.attrs.size)),
      };
    case 'concatenate':
    case 'concatenate_backward': {
      const { outer, blocks } = s.attrs;
      const parts = blocks.map((b) => per(outer * b));
      const whole = [per(outer * blocks.reduce((a, b) => a + b, 0))];
      return s.op === 'concatenate'
        ? { inputs: parts, outputs: whole }
        : { inputs: whole, outputs: parts };
    }
    case 'dropout':
      return { inputs: [per(s.attrs.size)], outputs: [per(s.attrs.size), per(s.attrs.size)] };
    case 'dropout_backward':
      return { inputs: [per(s.attrs.size), per(s.attrs.size)], outputs: [per(s.attrs.size)] };
    case 'batch_norm':
    case 'batch_norm_train': {
      const { rows, cols } = s.attrs;
      const stats = [all(cols), all(cols), all(cols), all(cols)];
      const saved = s.op === 'batch_norm_train' ? [all(cols), all(cols), all(cols), all(cols)] : [];
      return { inputs: [per(rows * cols), ...stats], outputs: [per(rows * cols), ...saved] };
    }
    case 'layer_norm': {
      const { rows, cols } = s.attrs;
      return {
        inputs: [per(rows * cols), all(cols), all(cols)],
        outputs: [per(rows * cols), per(rows), per(rows)],
      };
    }
    case 'batch_norm_backward':
    case 'layer_norm_backward': {
      const { rows, cols } = s.attrs;
      const stat = s.op === 'batch_norm_backward' ? all(cols) : per(rows);
      return {
        inputs: [per(rows * cols), per(rows * cols), all(cols), stat, stat],
        outputs: [per(rows * cols), all(cols), all(cols)],
      };
    }
    case 'prelu':
    case 'prelu_backward': {
      const { size, alphaIndex } = s.attrs;
      const alpha = all(Math.max(0, ...alphaIndex) + 1);
      return s.op === 'prelu'
        ? { inputs: [per(size), alpha], outputs: [per(size)] }
        : { inputs: [per(size), alpha, per(size)], outputs: [per(size), alpha] };
    }
    case 'global_pool':
    case 'global_pool_backward': {
      const { steps, channels } = s.attrs;
      const [x, y] = [per(steps * channels), per(channels)];
      const mask = per(steps);
      if (s.op === 'global_pool') return { inputs: [x, mask], outputs: [y] };
      return { inputs: s.attrs.masked ? [y, mask] : [y, x, y], outputs: [x] };
    }
    case 'spatial_copy':
    case 'spatial_copy_backward': {
      const { axes, channels } = s.attrs;
      const x = per(axes.reduce((n, a) => n * a.in, channels));
      const y = per(axes.reduce((n, a) => n * a.out, channels));
      return s.op === 'spatial_copy'
        ? { inputs: [x], outputs: [y] }
        : { inputs: [y], outputs: [x] };
    }
    case 'permute':
    case 'permute_backward': {
      const n = per(s.attrs.shape.reduce((a, b) => a * b, 1));
      return { inputs: [n], outputs: [n] };
    }
    case 'spatial_dropout':
    case 'spatial_dropout_backward': {
      const { steps, channels } = s.attrs;
      const [x, mask] = [per(steps * channels), per(channels)];
      return s.op === 'spatial_dropout'
        ? { inputs: [x], outputs: [x, mask] }
        : { inputs: [x, mask], outputs: [x] };
    }
    case 'fold_batch_norm': {
      const { in: inDim, units } = s.attrs;
      const u = all(units);
      return { inputs: [all(inDim * units), u, u, u, u, u], outputs: [all(inDim * units), u] };
    }
    case 'loss':
    case 'softmax_cross_entropy':
    case 'sigmoid_cross_entropy': {
      const { rows, cols } = s.attrs;
      const sparse = s.attrs.loss.name === 'sparse_categorical_crossentropy';
      const target = per(sparse ? rows : rows * cols);
      const logits = s.op === 'loss' ? [] : [per(rows * cols)];
      return { inputs: [per(rows * cols), target, ...logits], outputs: [all(1), per(rows * cols)] };
    }
    case 'activity_regularizer':
      return {
        inputs: [per(s.attrs.size), per(s.attrs.size), all(1)],
        outputs: [per(s.attrs.size), all(1)],
      };
    case 'activity_penalty':
      return { inputs: [per(s.attrs.size), all(1)], outputs: [all(1)] };
    // --- embedding and recurrent ops ---
    case 'embedding': {
      const { tokens, vocab, dim } = s.attrs;
      return { inputs: [per(tokens), all(vocab * dim)], outputs: [per(tokens * dim)] };
    }
    case 'embedding_backward': {
      const { tokens, vocab, dim } = s.attrs;
      return { inputs: [per(tokens), per(tokens * dim)], outputs: [all(vocab * dim)] };
    }
    case 'token_mask':
      return { inputs: [per(s.attrs.size)], outputs: [per(s.attrs.size)] };
    case 'dropout_mask':
      return { inputs: [], outputs: [per(s.attrs.size)] };
    case 'recurrent':
    case 'recurrent_backward':
      return recurrentSizes(s.attrs, s.op === 'recurrent_backward');
    // --- end of the embedding and recurrent ops ---
    case 'conv':
    case 'conv_backward': {
      const g = s.attrs;
      const [x, col] = [per(g.h * g.w * g.c), per(g.oh * g.ow * windowTaps(g))];
      const [y, kernel] = [
        per(g.oh * g.ow * g.filters),
        all((windowTaps(g) / g.groups) * g.filters),
      ];
      if (s.op === 'conv_backward')
        return { inputs: [col, kernel, y], outputs: [x, kernel, all(g.filters), col] };
      const bias = s.attrs.bias ? [all(g.filters)] : [];
      return { inputs: [x, kernel, ...bias], outputs: [y, col, y] };
    }
    case 'max_pool':
    case 'max_pool_backward':
    case 'avg_pool':
    case 'avg_pool_backward': {
      const g = s.attrs;
      const [x, y] = [per(g.h * g.w * g.c), per(g.oh * g.ow * g.c)];
      if (s.op === 'max_pool') return { inputs: [x], outputs: [y, y] };
      if (s.op === 'avg_pool') return { inputs: [x], outputs: [y] };
      return { inputs: s.op === 'max_pool_backward' ? [y, y] : [y], outputs: [x] };
    }
    case 'regularizer':
    case 'optimizer':
      return undefined; // checked by pairing inputs with outputs below
    default: {
      // Every op has its size rule: a new op fails to type-check here until it gets one.
      const unknown: never = s;
      return unknown;
    }
  }
}

/** The recurrent ops' buffers (see OpAttrs.recurrent): LSTM's cell state is absent for the others. */
function recurrentSizes(a: RecurrentAttrs, backward: boolean): { inputs: Size[]; outputs: Size[] } {
  const { cell, steps: T, in: I, units: U } = a;
  const GU = gateCount(cell) * U;
  const lstm = cell === 'lstm';
  const weights = [all(I * GU), all(U * GU), all(recurrentBiasSize(cell, U, a.resetAfter))];
  const gates = per(T * savedGateCount(cell) * U);
  const cellState = lstm ? [per(T * U)] : [];
  const y = per(a.returnSequences ? T * U : U);
  // The mask (or its -1 place) and recurrent_dropout's state masks, one per gate block.
  const gateInput = a.gateInputDropout === true;
  const mask = a.masked || a.stateDropout || gateInput ? [per(T)] : [];
  const stateMask = a.stateDropout || gateInput ? [per(GU)] : [];
  const GI = (GU / U) * I;
  const inputMask = gateInput ? [per(GI)] : [];
  const xDropped = gateInput ? [per(T * GI)] : [];
  if (!backward)
    return {
      inputs: [
        per(T * I),
        ...weights.slice(0, a.bias ? 3 : 2),
        ...mask,
        ...stateMask,
        ...inputMask,
      ],
      outputs: [
        y,
        per(T * GU),
        per(GU),
        gates,
        per(T * U),
        per(U),
        ...(lstm ? [...cellState, per(U)] : [all(0), all(0)]),
        ...stateMask,
        ...xDropped,
      ],
    };
  return {
    inputs: [
      per(T * I),
      weights[0]!,
      weights[1]!,
      gates,
      per(T * U),
      ...(lstm ? cellState : [all(0)]),
      y,
      ...(mask.length > 0 ? mask : [all(0)]),
      ...(stateMask.length > 0 ? stateMask : [all(0)]),
      // return_state's final-state gradients (9, LSTM's 10), then implementation 1's inputs' masks.
      per(U),
      ...(lstm ? [per(U)] : gateInput ? [all(0)] : []),
      ...inputMask,
      ...xDropped,
    ],
    outputs: [
      per(T * I),
      ...weights,
      per(T * GU),
      per(T * GU),
      per(GU),
      per(U),
      per(U),
      per((lstm ? 2 : 1) * U),
      per(T * GU),
    ],
  };
}

/** Size mismatches of a step's buffers, as messages. */
function checkSizes(plan: Plan, s: PlanStep): string[] {
  const problems: string[] = [];
  const buffer = (id: number): PlanBuffer | undefined => (id >= 0 ? plan.buffers[id] : undefined);
  if (s.op === 'regularizer' || s.op === 'optimizer') {
    s.inputs.slice(0, s.outputs.length).forEach((id, i) => {
      const [a, b] = [buffer(id), buffer(s.outputs[i]!)];
      if (s.op === 'optimizer' && a && b && a.size !== b.size)
        problems.push(`'${a.name}' has ${a.size} values but '${b.name}' has ${b.size}.`);
    });
    return problems;
  }
  const expected = expectedSizes(s);
  if (!expected) return problems;
  const compare = (ids: number[], sizes: Size[], what: string) =>
    ids.forEach((id, i) => {
      const b = buffer(id);
      const want = sizes[i];
      if (!b || !want) return;
      const [n, perSample] = 'per' in want ? [want.per, true] : [want.all, false];
      if (b.size !== n || b.perSample !== perSample)
        problems.push(
          `its ${what} '${b.name}' has ${b.size} values${b.perSample ? ' per sample' : ''}, expected ${n}${perSample ? ' per sample' : ''}.`,
        );
    });
  compare(s.inputs, expected.inputs, 'input');
  compare(s.outputs, expected.outputs, 'output');
  return problems;
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
