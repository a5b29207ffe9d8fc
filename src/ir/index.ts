/** The plan's data format and the builder that lowering writes it through. */
export * from './types.js';
export { PlanBuilder, PlanError } from './builder.js';
export { arenaOf, bufferLength, planBytes, lastAxis, optional } from './helpers.js';
