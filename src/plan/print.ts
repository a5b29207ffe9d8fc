/** A plan as readable text for `nn plan`: memory, buffers with their offsets, then the steps. */
import { readableSize } from '../summary/render.js';
import {
  arenaOf,
  bufferLength,
  planBytes,
  type Plan,
  type PlanBuffer,
  type PlanStep,
} from './types.js';

export function printPlan(plan: Plan, modelName: string, optimizerBytes = 0): string {
  const bytes = planBytes(plan);
  const lines = [
    `${plan.mode} plan of model '${modelName}', batch size ${plan.batchSize}`,
    `memory: activations ${readableSize(bytes.work)} + parameters ${readableSize(bytes.params)}${optimizerBytes ? ` + optimizer state ${readableSize(optimizerBytes)}` : ''} = peak ${readableSize(bytes.total + optimizerBytes)}`,
    '',
    'buffers (offsets in float32 elements):',
  ];
  const shown = plan.buffers.filter((b) => b.offset >= 0);
  const nameWidth = Math.max(...shown.map((b) => b.name.length));
  for (const b of shown) {
    const arena = arenaOf(b) === 'work' ? 'work' : 'params';
    lines.push(
      `  ${b.name.padEnd(nameWidth)}  ${b.role.padEnd(10)} ${shapeText(b).padEnd(14)} ${arena} @${b.offset} (${bufferLength(b, plan.batchSize)})`,
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
    .map(([k, v]) => `${k}=${attrText(v)}`)
    .join(' ');
  return `  ${String(i + 1).padStart(2)}. ${s.op} [${s.layer}] ${s.inputs.map(name).join(', ')} -> ${s.outputs.map(name).join(', ')}${attrs ? `  {${attrs}}` : ''}`;
}

function attrText(v: unknown): string {
  if (Array.isArray(v))
    return v.length > 8 ? `[${v.slice(0, 8).join(',')},…](${v.length})` : `[${v.join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as { name?: string; call?: string; args?: Record<string, unknown> };
    const callee = o.name ?? o.call;
    const args = Object.entries(o.args ?? {}).filter(([, a]) => a !== null && a !== undefined);
    if (callee)
      return args.length
        ? `${callee}(${args.map(([k, a]) => `${k}=${JSON.stringify(a)}`).join(',')})`
        : callee;
    return JSON.stringify(v);
  }
  return String(v);
}
