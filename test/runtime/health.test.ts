/**
 * fit's training health figures on models small enough to check by hand: a ReLU layer whose
 * biases keep it off (every unit dead, no gradient), sigmoid and tanh layers with huge weights
 * (every unit saturated), gradient norms equal to those recovered from plain SGD's updates
 * (Δw = −η·g) on a twin model stepped with trainOnBatch, the norm before clipnorm, the
 * warnings, the callback's order, and nothing changed when the option is off.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/load.js';
import { planCompiled, verifyPlan, type Callback, type HealthReport } from '../../src/index.js';
import { liveness } from '../../src/plan/index.js';

/** 8 samples with both features in [0.5, 1]; targets alternate 0/1. */
const x = Array.from({ length: 8 }, (_, i) => [0.5 + i / 16, 1 - i / 16]);
const y = x.map((_, i) => i % 2);

const norm = (values: ArrayLike<number>[]) =>
  Math.sqrt(values.reduce((s, v) => s + Array.from(v).reduce((a, b) => a + b * b, 0), 0));

describe('figures', () => {
  it('a ReLU layer whose biases keep it below 0: every unit dead, no gradient, both warnings', () => {
    const model = loadModel(
      `Input(2) -> Dense(3, relu, weights=[[[1, 1, 1], [1, 1, 1]], [-100, -100, -100]]) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
      { seed: 1 },
    );
    // Targets all 1: the output's bias has a gradient (p − 1) though its kernel's input is 0.
    const history = model.fit(
      x,
      y.map(() => 1),
      { epochs: 2, batchSize: 4, health: true },
    );
    expect(history.health!.map((r) => r.epoch)).toEqual([0, 1]);
    const [dense, out] = history.health![1]!.layers;
    expect(dense).toMatchObject({ layer: 'dense', className: 'Dense', deadRelu: 1 });
    expect(dense!.gradientNorm).toBe(0);
    expect(dense!.saturated).toBeUndefined();
    expect(out!.layer).toBe('dense_1');
    expect(out!.gradientNorm).toBeGreaterThan(0);
    const codes = history.health![1]!.warnings.map((w) => `${w.code} ${w.layer}`);
    expect(codes).toEqual(['vanishing_gradient dense', 'dead_relu dense']);
    expect(history.health![1]!.warnings[1]!.message).toMatch(/^100% of its ReLU units output 0/);
  });

  it('binds one training plan, the observing one: the input check before the first step uses it too', () => {
    const model = loadModel(
      `Input(2) -> Dense(3, relu) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
      { seed: 1 },
    );
    model.fit(x, y, { epochs: 1, batchSize: 4, health: true });
    const session = (model as unknown as { session: { plans: { training: Map<number, unknown> } } })
      .session;
    expect([...session.plans.training.keys()]).toEqual([-4]);
  });

  it('a live ReLU layer: no dead units', () => {
    const model = loadModel(
      `Input(2) -> Dense(3, relu, weights=[[[1, 1, -1], [1, 1, -1]], [0, 0, 0]]) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
      { seed: 1 },
    );
    const [report] = model.fit(x, y, { epochs: 1, batchSize: 8, health: true }).health!;
    // The third unit sees −(x₁ + x₂) ≤ −1.5 on every sample: one dead of three.
    expect(report!.layers[0]!.deadRelu).toBeCloseTo(1 / 3, 12);
    expect(report!.warnings.map((w) => w.code)).not.toContain('dead_relu');
  });

  it.each([
    ['sigmoid', 'Dense(4, sigmoid', 1],
    ['tanh', 'Dense(4, tanh', 1],
  ])(
    '%s with huge weights: every unit saturated, a warning for the hidden layer',
    (_, dense, share) => {
      const model = loadModel(
        `Input(2) -> ${dense}, weights=[[[1000, -1000, 500, -500], [1000, -1000, 500, -500]], [0, 0, 0, 0]]) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.01), binary_crossentropy)`,
        { seed: 1 },
      );
      const [report] = model.fit(x, y, { epochs: 1, batchSize: 8, health: true }).health!;
      expect(report!.layers[0]!.saturated).toBe(share);
      expect(report!.layers[0]!.deadRelu).toBeUndefined();
      expect(report!.warnings.filter((w) => w.code === 'saturation').map((w) => w.layer)).toEqual([
        'dense',
      ]);
    },
  );

  it('an Activation layer is reported for its units, with no weights', () => {
    const model = loadModel(
      `Input(2) -> Dense(3, weights=[[[1, 1, -1], [1, 1, -1]], [0, 0, 0]]) -> Activation(relu) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
      { seed: 1 },
    );
    const [report] = model.fit(x, y, { epochs: 1, batchSize: 8, health: true }).health!;
    expect(report!.layers.map((l) => l.layer)).toEqual(['dense', 'activation', 'dense_1']);
    const act = report!.layers[1]!;
    expect(act).toMatchObject({ className: 'Activation', gradientNorm: 0, weightNorm: 0 });
    expect(act.deadRelu).toBeCloseTo(1 / 3, 12);
    expect(report!.layers[0]!.deadRelu).toBeUndefined();
  });

  it("gradient norms: the mean over the epoch's batches of ‖g‖, with g = −Δw/η from trainOnBatch", () => {
    const source = `Input(2) -> Dense(3, tanh) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.5), binary_crossentropy)`;
    const model = loadModel(source, { seed: 3 });
    const twin = loadModel(source, { seed: 3 });
    const [report] = model.fit(x, y, {
      epochs: 1,
      batchSize: 4,
      shuffle: false,
      health: true,
    }).health!;
    const norms: [number, number] = [0, 0];
    for (const rows of [
      [0, 4],
      [4, 8],
    ]) {
      const before = twin.getWeights();
      twin.trainOnBatch(x.slice(rows[0], rows[1]), y.slice(rows[0], rows[1]));
      const after = twin.getWeights();
      const g = before.map((w, i) => w.map((v, j) => (v - after[i]![j]!) / 0.5));
      norms[0] += norm(g.slice(0, 2)) / 2;
      norms[1] += norm(g.slice(2, 4)) / 2;
    }
    report!.layers.forEach((l, i) => {
      expect(Math.abs(l.gradientNorm - norms[i]!) / norms[i]!).toBeLessThan(1e-4);
    });
    // The weights' norms at the epoch's end.
    const w = model.getWeights();
    expect(report!.layers[0]!.weightNorm).toBeCloseTo(norm(w.slice(0, 2)), 5);
    expect(report!.layers[1]!.weightNorm).toBeCloseTo(norm(w.slice(2, 4)), 5);
    expect(twin.getWeights()).toEqual(w);
  });

  it('the gradient before clipnorm scales it', () => {
    const plain = `Input(2) -> Dense(3, tanh) -> Dense(1, sigmoid); compile(SGD(learning_rate=0.5), binary_crossentropy)`;
    const clipped = plain.replace('learning_rate=0.5', 'learning_rate=0.5, clipnorm=0.0001');
    const figures = (source: string) =>
      loadModel(source, { seed: 3 })
        .fit(x, y, { epochs: 1, batchSize: 8, health: true })
        .health![0]!.layers.map((l) => l.gradientNorm);
    const unclipped = figures(plain);
    expect(unclipped[0]).toBeGreaterThan(0.001);
    figures(clipped).forEach((g, i) => expect(g).toBeCloseTo(unclipped[i]!, 6));
  });

  it('exploding: a gradient norm above 1e3', () => {
    const model = loadModel(`Input(2) -> Dense(1); compile(SGD(learning_rate=1e-9), mse)`, {
      seed: 1,
    });
    const [report] = model.fit(
      x,
      y.map((v) => v * 1e5),
      { epochs: 1, batchSize: 8, health: true },
    ).health!;
    expect(report!.layers[0]!.gradientNorm).toBeGreaterThan(1e3);
    expect(report!.warnings.map((w) => w.code)).toEqual(['exploding_gradient']);
    expect(report!.warnings[0]!.message).toMatch(/clipnorm=1\.0/);
  });
});

describe('fit and callbacks', () => {
  const source = `Input(2) -> Dense(4, relu) -> Dense(1, sigmoid); compile(Adam(learning_rate=0.01), binary_crossentropy, metrics=[accuracy])`;

  it('onHealth after onEpochEnd, once per epoch, with the reports History keeps', () => {
    const events: string[] = [];
    const reports: HealthReport[] = [];
    const cb: Callback = {
      onEpochEnd: (epoch) => events.push(`end ${epoch}`),
      onHealth: (r) => {
        events.push(`health ${r.epoch}`);
        reports.push(r);
      },
    };
    const history = loadModel(source, { seed: 2 }).fit(x, y, {
      epochs: 3,
      batchSize: 3,
      callbacks: [cb],
      health: true,
      validationSplit: 0.25,
    });
    expect(events).toEqual(['end 0', 'health 0', 'end 1', 'health 1', 'end 2', 'health 2']);
    expect(history.health).toEqual(reports);
  });

  it('off: no health in the history, no observing plan, and the same training bit for bit', () => {
    const off = loadModel(source, { seed: 2 });
    const on = loadModel(source, { seed: 2 });
    const a = off.fit(x, y, { epochs: 3, batchSize: 3 });
    const b = on.fit(x, y, { epochs: 3, batchSize: 3, health: true });
    expect('health' in a).toBe(false);
    expect(b.health).toHaveLength(3);
    expect(b.history).toEqual(a.history);
    expect(on.getWeights()).toEqual(off.getWeights());
    // Off, the training plan keeps nothing longer than it must.
    expect(off.plan('training', 3).plan.observed).toBeUndefined();
  });

  it('refuses a health option that is not a boolean', () => {
    const model = loadModel(source, { seed: 2 });
    expect(() => model.fit(x, y, { health: 1 as unknown as boolean })).toThrow(
      /fit: health must be true or false/,
    );
  });
});

describe('units and backends', () => {
  it('a convolution: a unit is a channel, over every position of every sample', () => {
    // Input (3, 3, 1) of positives; filter 0 weights +1 (fires), filter 1 weights −1 (never).
    const kernel = JSON.stringify([[[[1, -1]]], [[[1, -1]]]]);
    const model = loadModel(
      `Input(shape=(3, 3, 1)) -> Conv2D(2, (2, 1), activation=relu, weights=[${kernel}, [0, 0]]) -> Flatten() -> Dense(1, sigmoid); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
      { seed: 1 },
    );
    const images = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => [0.5 + i / 8])),
    );
    const [report] = model.fit(images, [0, 1, 0, 1], {
      epochs: 1,
      batchSize: 4,
      health: true,
    }).health!;
    expect(report!.layers.map((l) => l.layer)).toEqual(['conv2d', 'dense']);
    expect(report!.layers[0]!.deadRelu).toBe(0.5);
  });

  it('the same figures on the wasm backend as on JavaScript', () => {
    const source = `Input(2) -> Dense(16, relu) -> Dense(16, tanh) -> Dense(1, sigmoid); compile(Adam(learning_rate=0.01), binary_crossentropy)`;
    const run = (backend: 'js' | 'wasm') =>
      loadModel(source, { seed: 4, backend }).fit(x, y, { epochs: 2, batchSize: 4, health: true })
        .health!;
    const js = run('js');
    const wasm = run('wasm');
    js.forEach((r, e) =>
      r.layers.forEach((l, i) => {
        const w = wasm[e]!.layers[i]!;
        expect(w.layer).toBe(l.layer);
        expect(Math.abs(w.gradientNorm - l.gradientNorm)).toBeLessThan(1e-5 * (1 + l.gradientNorm));
        expect(w.weightNorm).toBeCloseTo(l.weightNorm, 4);
        expect(w.deadRelu).toBe(l.deadRelu);
        expect(w.saturated).toBe(l.saturated);
      }),
    );
  });

  it('exploding: a norm that grows tenfold over an epoch', () => {
    // Plain gradient descent on mse with a rate past 2/λ: each step overshoots and grows.
    const model = loadModel(
      `Input(1) -> Dense(1, use_bias=False, weights=[[[0.5]]]); compile(SGD(learning_rate=3.0), mse)`,
      { seed: 1 },
    );
    const reports = model.fit([[1], [1]], [0, 0], {
      epochs: 3,
      batchSize: 1,
      health: true,
    }).health!;
    const norms = reports.map((r) => r.layers[0]!.gradientNorm);
    expect(norms[1]! / norms[0]!).toBeGreaterThan(10);
    expect(reports[0]!.warnings).toEqual([]);
    expect(reports[1]!.warnings[0]!.message).toMatch(/grew [\d.]+× since the last epoch/);
  });
});

describe('the observing plan', () => {
  it('lists each activation by its layer and keeps it live to the end; verified', () => {
    const compiled = loadModel(
      `Input(4) -> Dense(8, relu) -> Dense(8) -> Activation(tanh) -> Dense(8, sigmoid) -> Dense(3, softmax); compile(Adam(), categorical_crossentropy)`,
    ).compiled;
    const plan = planCompiled(compiled, compiled.graph, {
      mode: 'training',
      batchSize: 8,
      observe: true,
    });
    expect(plan.observed!.map((o) => `${o.layer} ${o.activation}`)).toEqual([
      'dense relu',
      'activation tanh',
      'dense_2 sigmoid',
    ]);
    expect(verifyPlan(plan)).toEqual([]);
    const ends = new Map(liveness(plan).map((iv) => [iv.id, iv.end]));
    for (const o of plan.observed!) expect(ends.get(o.buffer)).toBe(plan.steps.length);
    const plain = planCompiled(compiled, compiled.graph, { mode: 'training', batchSize: 8 });
    expect(plain.observed).toBeUndefined();
    expect(plan.workSize).toBeGreaterThanOrEqual(plain.workSize);
  });
});

describe('every kind of model', () => {
  const finite = (r: HealthReport) =>
    r.layers.every((l) => Number.isFinite(l.gradientNorm) && Number.isFinite(l.weightNorm));

  it('Embedding and LSTM: the recurrent layer by its weights (its gates are not units here)', () => {
    const model = loadModel(
      `Input(3) -> Embedding(7, 2) -> LSTM(4) -> Dense(1, sigmoid); compile(adam, binary_crossentropy)`,
      { seed: 1 },
    );
    const tokens = Array.from({ length: 8 }, (_, i) => [i % 7, (i + 1) % 7, (i + 2) % 7]);
    const [report] = model.fit(tokens, y, { epochs: 1, batchSize: 4, health: true }).health!;
    expect(report!.layers.map((l) => `${l.layer} ${l.className}`)).toEqual([
      'embedding Embedding',
      'lstm LSTM',
      'dense Dense',
    ]);
    expect(report!.layers.every((l) => l.gradientNorm > 0)).toBe(true);
    expect(finite(report!)).toBe(true);
  });

  it('BatchNormalization: the weight norm of γ and β, not the moving statistics', () => {
    const model = loadModel(
      `Input(2) -> Dense(4, relu) -> BatchNormalization() -> Dropout(0.5) -> Dense(1, sigmoid); compile(adam, binary_crossentropy)`,
      { seed: 1 },
    );
    const [report] = model.fit(x, y, { epochs: 1, batchSize: 4, health: true }).health!;
    const bn = report!.layers.find((l) => l.className === 'BatchNormalization')!;
    const [gamma, beta] = model.getWeights().slice(2, 4);
    expect(bn.weightNorm).toBeCloseTo(norm([gamma!, beta!]), 5);
    expect(finite(report!)).toBe(true);
  });

  it('a graph model with two inputs', () => {
    const model = loadModel(
      `a = Input(shape=(3,), name='a')\nb = Input(shape=(2,), name='b')\n(a -> Dense(4, relu), b -> Dense(4, tanh)) -> Concatenate() -> Dense(1, sigmoid)\ncompile(adam, binary_crossentropy)`,
      { seed: 1 },
    );
    const xa = x.map(([p, q]) => [p!, q!, p! * q!]);
    const [report] = model.fit([xa, x], y, { epochs: 1, batchSize: 4, health: true }).health!;
    expect(report!.layers.map((l) => l.layer)).toEqual(['dense', 'dense_1', 'dense_2']);
    expect(report!.layers[0]!.deadRelu).toBeDefined();
    expect(report!.layers[1]!.saturated).toBeDefined();
    expect(finite(report!)).toBe(true);
  });
});

it('verifyPlan finds an observed activation no step writes', () => {
  const compiled = loadModel(`Input(2) -> Dense(3, relu) -> Dense(1); compile(sgd, mse)`).compiled;
  const plan = planCompiled(compiled, compiled.graph, {
    mode: 'training',
    batchSize: 4,
    observe: true,
  });
  const broken = {
    ...plan,
    observed: [{ layer: 'dense', buffer: 999, activation: 'relu' as const }],
  };
  expect(verifyPlan(broken)).toEqual([
    "the observed activation of 'dense' (buffer 999) is never written.",
  ]);
});
