/** A plan as readable text for `nn plan`: memory, buffers with their offsets, then the steps. */
import {
  arenaOf,
  bufferLength,
  planBytes,
  type CopyAxis,
  type Plan,
  type PlanBuffer,
  type PlanStep,
} from '../ir/index.js';
import { resolveActivation, resolveLoss } from '../kernels/index.js';
import { resolveOptimizer } from '../optim/index.js';
import { readableSize } from '../summary/render.js';

export function printPlan(plan: Plan, modelName: string): string {
  const bytes = planBytes(plan);
  const sizeOf = (role: PlanBuffer['role']) =>
    plan.buffers.filter((b) => b.role === role).reduce((n, b) => n + b.size * 4, 0);
  const grads = sizeOf('grad');
  const state = sizeOf('state');
  const parts = [
    `activations ${readableSize(bytes.work)}`,
    `parameters ${readableSize(bytes.params - grads - state)}`,
    ...(grads ? [`gradients ${readableSize(grads)}`] : []),
    ...(state ? [`optimizer state ${readableSize(state)}`] : []),
  ];
  const lines = [
    `${plan.mode} plan of model '${modelName}', batch size ${plan.batchSize}`,
    `memory: ${parts.join(' + ')} = peak ${readableSize(bytes.total)}`,
    '',
    'buffers (offsets in float32 elements):',
  ];
  const shown = plan.buffers.filter((b) => b.offset >= 0);
  const nameWidth = Math.max(...shown.map((b) => b.name.length));
  for (const b of shown) {
    lines.push(
      `  ${b.name.padEnd(nameWidth)}  ${b.role.padEnd(10)} ${shapeText(b).padEnd(14)} ${arenaOf(b)} @${b.offset} (${bufferLength(b, plan.batchSize)})`,
    );
  }
  if (plan.prepare.length > 0) {
    lines.push('', 'when the weights change:');
    plan.prepare.forEach((s, i) => lines.push(stepText(plan, s, i)));
  }
  lines.push('', 'steps:');
  plan.steps.forEach((s, i) => lines.push(stepText(plan, s, i)));
  return lines.join('\n') + '\n';
}

function shapeText(b: PlanBuffer): string {
  const dims = b.shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function stepText(plan: Plan, s: PlanStep, i: number): string {
  const name = (id: number) => (id < 0 ? '-' : plan.buffers[id]!.name);
  const attrs = Object.entries(s.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${attrText(k, v)}`)
    .join(' ');
  return `  ${String(i + 1).padStart(2)}. ${s.op} [${s.layer}] ${s.inputs.map(name).join(', ')} -> ${s.outputs.map(name).join(', ')}${attrs ? `  {${attrs}}` : ''}`;
}

/** An attribute as text: a spec by its name and whatever differs from that name's defaults. */
function attrText(key: string, v: unknown): string {
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) {
    if (key === 'axes' && v.every(isCopyAxis)) return `[${v.map(copyAxisText).join(', ')}]`;
    if (v.some((x) => typeof x === 'object' && x !== null)) return `(${v.length})`;
    return v.length > 8 ? `[${v.slice(0, 8).join(',')},…](${v.length})` : `[${v.join(',')}]`;
  }
  const o = v as Record<string, unknown>;
  if ((key === 'activation' || key === 'recurrentActivation') && typeof o['name'] === 'string')
    return specText(o['name'], o, resolveActivation(o['name']));
  if (key === 'loss' && typeof o['name'] === 'string')
    return specText(o['name'], o, resolveLoss(o['name']));
  if (key === 'optimizer' && typeof o['className'] === 'string') {
    // The learning rate always shows; other hyper-parameters where they differ from the defaults.
    const defaults = { ...resolveOptimizer(o['className']), learningRate: undefined };
    return specText(o['className'], o, defaults, 'className');
  }
  const callee = o['className'] ?? o['call'];
  if (typeof callee === 'string') {
    const args = (o['args'] as Record<string, unknown> | undefined) ?? o;
    const given = Object.entries(args).filter(
      ([k, a]) => k !== 'className' && a !== null && a !== undefined,
    );
    return given.length
      ? `${callee}(${given.map(([k, a]) => `${k}=${JSON.stringify(a)}`).join(',')})`
      : callee;
  }
  return JSON.stringify(v);
}

function isCopyAxis(v: unknown): v is CopyAxis {
  return typeof v === 'object' && v !== null && 'repeat' in v && 'shift' in v;
}

/** A copy step's axis: `4→6 from -1` (padding), `6→4 from 1` (cropping), `3→6 ×2` (repeating). */
function copyAxisText(a: CopyAxis): string {
  const repeat = a.repeat === 1 ? '' : ` ×${a.repeat}`;
  const shift = a.shift === 0 ? '' : ` from ${a.shift}`;
  return `${a.in}→${a.out}${repeat}${shift}`;
}

/** `name`, or `name(k=v,…)` with the fields that differ from the defaults. */
function specText(name: string, spec: object, defaults: object, nameKey = 'name'): string {
  const base = defaults as Record<string, unknown>;
  const changed = Object.entries(spec).filter(
    ([k, a]) => k !== nameKey && JSON.stringify(a) !== JSON.stringify(base[k]),
  );
  return changed.length
    ? `${name}(${changed.map(([k, a]) => `${k}=${JSON.stringify(a)}`).join(',')})`
    : name;
}
