/**
 * The execution plan: golden dumps of fixtures/plan/*.nn (inference and training), the verifier
 * after every pass, and each pass checked on its own — by its effect on the steps, and by
 * running the optimized and the plain plan on the same weights and comparing the numbers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compile,
  planCompiled,
  printPlan,
  verifyPlan,
  type CompiledModel,
  type Plan,
} from 'nnlang';
import { jsBackend, Memory } from '../../src/backends/index.js';
import { Rng } from '../../src/kernels/random.js';
import { layoutParams } from '../../src/plan/index.js';
import { expectGolden } from '../golden.js';

const dir = new URL('../fixtures/plan/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.nn'))
  .sort();

function modelOf(name: string): CompiledModel {
  const result = compile(readFileSync(new URL(name, dir), 'utf8'), { file: name });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.models[0]!;
}

function planOf(
  name: string,
  training: boolean,
  optimize = true,
  onPass?: (pass: string, plan: Plan) => void,
): Plan {
  const model = modelOf(name);
  return planCompiled(model, model.graph, {
    mode: training ? 'training' : 'inference',
    batchSize: 16,
    optimize,
    ...(onPass ? { onPass } : {}),
  });
}

describe('plan dumps (golden)', () => {
  it.each(fixtures)('%s', (name) => {
    const text = printPlan(planOf(name, false), name) + '\n' + printPlan(planOf(name, true), name);
    expectGolden(new URL(name.replace(/\.nn$/, '.txt'), dir).pathname, text);
  });
});

describe('the verifier holds after every pass', () => {
  it.each(
    fixtures.flatMap(
      (f) =>
        [
          [f, false],
          [f, true],
        ] as const,
    ),
  )('%s (training: %s)', (name, training) => {
    const seen: string[] = [];
    planOf(name, training, true, (pass, plan) => {
      seen.push(pass);
      expect(verifyPlan(plan), pass).toEqual([]);
    });
    expect(seen).toEqual([
      'lower',
      'drop-inference-noise',
      'fold-batch-norm',
      'fuse-loss-gradient',
      'fuse-dense-activation',
      'assign-memory',
    ]);
  });
});

describe('each pass', () => {
  const ops = (p: Plan) => p.steps.map((s) => s.op);

  it('drop-inference-noise removes Dropout and GaussianNoise from inference only', () => {
    expect(ops(planOf('mlp.nn', false, false))).toContain('copy');
    expect(ops(planOf('mlp.nn', false))).not.toContain('copy');
    expect(ops(planOf('mlp.nn', true))).toContain('dropout');
    expect(ops(planOf('layers.nn', false))).not.toContain('copy');
    expect(ops(planOf('layers.nn', true))).toContain('gaussian_noise');
  });

  it('fuse-dense-activation leaves no activation step after a Dense', () => {
    const fused = planOf('mlp.nn', false);
    expect(ops(fused)).toEqual(['dense', 'dense']);
    expect(fused.steps.map((s) => (s.op === 'dense' ? s.attrs.activation?.name : s.op))).toEqual([
      'relu',
      'softmax',
    ]);
  });

  it('fuse-loss-gradient turns softmax + cross-entropy into one step, without the softmax backward', () => {
    const plain = ops(planOf('mlp.nn', true, false));
    const fused = ops(planOf('mlp.nn', true));
    expect(plain).toContain('loss');
    expect(fused).toContain('softmax_cross_entropy');
    expect(fused.filter((o) => o === 'activation_backward').length).toBe(
      plain.filter((o) => o === 'activation_backward').length - 1,
    );
    expect(ops(planOf('batchnorm.nn', true))).toContain('sigmoid_cross_entropy');
  });

  it('fold-batch-norm folds the BatchNormalization into the Dense before it', () => {
    const folded = planOf('batchnorm.nn', false);
    expect(ops(folded)).not.toContain('batch_norm');
    expect(folded.prepare.map((s) => s.op)).toEqual(['fold_batch_norm']);
  });

  it('buffer reuse: the arena is smaller than one buffer each, and no two live buffers overlap', () => {
    for (const name of fixtures) {
      const plan = planOf(name, true);
      const sum = plan.buffers
        .filter((b) => b.offset >= 0 && b.role !== 'param' && b.role !== 'grad')
        .reduce((a, b) => a + (b.perSample ? b.size * plan.batchSize : b.size), 0);
      expect(plan.workSize).toBeLessThanOrEqual(sum);
      expect(verifyPlan(plan)).toEqual([]);
    }
  });
});

describe('optimized plans compute what the plain ones do', () => {
  it.each(fixtures)('%s: inference outputs agree to 1e-5', (name) => {
    const model = modelOf(name);
    const layout = layoutParams(model.graph.layers);
    const params = new Float32Array(layout.weightSize);
    const rng = new Rng(9);
    for (let i = 0; i < params.length; i++) params[i] = rng.normal() * 0.5;
    // BatchNormalization's moving variance must stay positive.
    for (const e of layout.entries)
      if (e.name === 'moving_variance')
        params.fill(0.5 + rng.uniform(), e.offset, e.offset + e.size);
    const run = (optimize: boolean) => {
      const plan = planOf(name, false, optimize);
      const memory = new Memory(jsBackend, plan.paramSize);
      memory.params.set(params);
      const bound = memory.bind(plan, { rng: new Rng(1) });
      // The peak nn plan reports is what is allocated.
      expect(memory.data.length - memory.workBase).toBe(plan.workSize);
      bound.prepare(1);
      const x = bound.view(plan.inputs[0]!);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
      bound.run(plan.batchSize);
      return Array.from(bound.view(plan.outputs[0]!));
    };
    const plain = run(false);
    const optimized = run(true);
    optimized.forEach((v, i) =>
      expect(Math.abs(v - plain[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(plain[i]!))),
    );
  });
});
