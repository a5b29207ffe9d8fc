/**
 * Resolve → create reproduces, bit for bit, what the factories produced before specs existed
 * (GOLDEN: fingerprints taken from the pre-spec code at 5cb0510 with spec-cases.ts), for the
 * Named path, the spec path and a spec that went through JSON.
 */
import { describe, expect, it } from 'vitest';
import { createInitializer, resolveInitializer } from '../../src/init/index.js';
import {
  createConstraint,
  createOptimizer,
  createRegularizer,
  createSchedule,
  resolveConstraint,
  resolveOptimizer,
  resolveRegularizer,
  resolveSchedule,
} from '../../src/optim/index.js';
import {
  constraintCases,
  initializerCases,
  optimizerCases,
  regularizerCases,
  runConstraint,
  runInitializer,
  runOptimizer,
  runRegularizer,
  runSchedule,
  scheduleCases,
} from './spec-cases.js';
import { GOLDEN } from './spec-golden.js';

const viaJson = <T>(spec: T): T => JSON.parse(JSON.stringify(spec)) as T;

describe('resolve → create is bit-identical to the pre-spec factories', () => {
  it.each(optimizerCases)('optimizer %s', (name, named) => {
    const spec = resolveOptimizer(named);
    const golden = GOLDEN.optimizer[name as keyof typeof GOLDEN.optimizer];
    expect(runOptimizer(createOptimizer(named))).toBe(golden);
    expect(runOptimizer(createOptimizer(spec))).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runOptimizer(createOptimizer(viaJson(spec)))).toBe(golden);
  });

  it.each(scheduleCases)('schedule %s', (name, named) => {
    const spec = resolveSchedule(named);
    const golden = GOLDEN.schedule[name as keyof typeof GOLDEN.schedule];
    expect(runSchedule(createSchedule(named))).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runSchedule(createSchedule(viaJson(spec)))).toBe(golden);
  });

  it.each(regularizerCases)('regularizer %s', (name, named) => {
    const spec = resolveRegularizer(named);
    const golden = GOLDEN.regularizer[name as keyof typeof GOLDEN.regularizer];
    expect(runRegularizer(createRegularizer(named)!)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runRegularizer(createRegularizer(viaJson(spec))!)).toBe(golden);
  });

  it.each(constraintCases)('constraint %s', (name, named, shape) => {
    const spec = resolveConstraint(named);
    const golden = GOLDEN.constraint[name as keyof typeof GOLDEN.constraint];
    expect(runConstraint(createConstraint(named)!, shape)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runConstraint(createConstraint(viaJson(spec))!, shape)).toBe(golden);
  });

  it.each(initializerCases)('initializer %s', (name, named, shape) => {
    const spec = resolveInitializer(named);
    const golden = GOLDEN.initializer[name as keyof typeof GOLDEN.initializer];
    expect(runInitializer(createInitializer(named), shape)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runInitializer(createInitializer(viaJson(spec)), shape)).toBe(golden);
  });

  it('null regularizer and constraint specs create nothing', () => {
    expect(resolveRegularizer(null)).toBeNull();
    expect(resolveConstraint(undefined)).toBeNull();
    expect(createRegularizer(resolveRegularizer(null))).toBeNull();
    expect(createConstraint(resolveConstraint(null))).toBeNull();
  });
});
