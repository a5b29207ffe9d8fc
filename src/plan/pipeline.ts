/** The plan stage in one call: lower, optimize, assign memory, verify. */
import { PlanError, type OptimizerSpec, type Plan } from '../ir/index.js';
import type { ModelGraph } from '../layers/index.js';
import { lowerEvaluation, lowerInference, lowerTraining, type OutputLoss } from './lower.js';
import { assignMemory } from './memory.js';
import { observedActivations } from './observe.js';
import type { ParamLayout } from './params.js';
import { passes } from './passes.js';
import { verifyPlan } from './verify.js';

export interface PlanRequest {
  /** A built graph: every layer's shapes known. */
  graph: ModelGraph;
  params: ParamLayout;
  batchSize: number;
  /** A training-step plan when given, else an evaluation plan when `evaluation` is, else an inference plan. */
  training?: { losses: OutputLoss[]; optimizer: OptimizerSpec };
  evaluation?: { losses: OutputLoss[] };
  /** Called after lowering and after each pass (tests verify the plan there). */
  onPass?: (name: string, plan: Plan) => void;
  /** Skip the optimization passes (to compare against the plain lowering). */
  optimize?: boolean;
  /** Training: keep the activations fit's health figures read live to the end of the step (`Plan.observed`). */
  observe?: boolean;
}

/** Lowers, optimizes and lays out one plan; throws PlanError when the model cannot run. */
export function planModel(req: PlanRequest): Plan {
  const base = { graph: req.graph, params: req.params, batchSize: req.batchSize };
  let plan = req.training
    ? lowerTraining({ ...base, ...req.training })
    : req.evaluation
      ? lowerEvaluation({ ...base, ...req.evaluation })
      : lowerInference(base);
  req.onPass?.('lower', plan);
  const observed = req.observe && req.training ? observedActivations(plan) : null;
  if (req.optimize !== false) {
    for (const [name, pass] of passes) {
      plan = pass(plan);
      req.onPass?.(name, plan);
    }
  }
  if (observed) plan = { ...plan, observed };
  plan = assignMemory(plan);
  req.onPass?.('assign-memory', plan);
  const problems = verifyPlan(plan);
  if (problems.length > 0)
    throw new PlanError(`internal: the plan is inconsistent: ${problems.join('; ')}`);
  return plan;
}
