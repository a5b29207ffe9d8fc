/**
 * Which buffers fit's training health figures read: each layer's ReLU, sigmoid and tanh
 * outputs, found on the lowered plan (where every activation step still carries the name of
 * the layer that owns it: a Dense's own activation, an Activation or ReLU layer). The passes
 * keep these buffer ids (a fused Dense writes its activation's output), so the list holds after
 * them.
 */
import type { ObservedActivation, Plan, PlanStep } from '../ir/index.js';
import type { ActivationSpec } from '../kernels/index.js';

/** The observed outputs of a lowered plan, one per layer (its first such activation). */
export function observedActivations(plan: Plan): ObservedActivation[] {
  const seen = new Set<string>();
  const out: ObservedActivation[] = [];
  for (const s of plan.steps) {
    const activation = kindOf(activationOf(s));
    if (!activation || seen.has(s.layer)) continue;
    seen.add(s.layer);
    out.push({ layer: s.layer, buffer: s.outputs[0]!, activation });
  }
  return out;
}

/** The activation a forward step applies to its first output: the activation op's, or a Dense's or convolution's own. */
function activationOf(s: PlanStep): ActivationSpec | null {
  if (s.op === 'activation') return s.attrs.activation;
  if (s.op === 'dense' || s.op === 'conv') return s.attrs.activation;
  return null;
}

/**
 * ReLU (relu6 and a ReLU layer's max_value too; not a negative slope, whose units never stop
 * passing gradient), sigmoid and tanh: the activations whose dead or saturated units the
 * lectures warn about.
 */
function kindOf(spec: ActivationSpec | null): ObservedActivation['activation'] | null {
  if (!spec) return null;
  if ((spec.name === 'relu' && spec.slope === 0) || spec.name === 'relu6') return 'relu';
  if (spec.name === 'sigmoid' || spec.name === 'tanh') return spec.name;
  return null;
}
