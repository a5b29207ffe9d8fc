// TEMPORARY until the optim specs branch merges.
import type { Named } from '../optim/index.js';
export type OptimizerSpec = Named;
export type RegularizerSpec = Named;
export type ConstraintSpec = Named;
