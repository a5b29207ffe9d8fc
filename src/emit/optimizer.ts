/**
 * Keras 3's optimizer.apply as module code: weight and activity regularizers, learning-rate
 * schedules, clipping, weight decay, EMA, gradient accumulation, constraints and every update
 * rule, as src/optim runs them, operation for operation.
 */
import type { ConstraintSpec, OptimizerSpec, StepOf } from '../ir/index.js';
import { indentLines, loop, printCall, times, type Fn } from './code.js';
import { numberLiteral as lit } from './literals.js';
import { EmitError, type StepContext } from './steps.js';

const f32 = Math.fround;

/** Elements of a weight of this shape. */
function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function penaltyLines(w: string, length: string, l1: number, l2: number): string[] {
  return [
    'let abs = 0;',
    'let sq = 0;',
    ...loop('i', length, [`const v = ${w}[i]!;`, 'abs += Math.abs(v);', 'sq += v * v;']),
    `const penalty = ${lit(l1)} * abs + ${lit(l2)} * sq;`,
  ];
}

export function regularizer(s: StepOf<'regularizer'>, ctx: StepContext): string[] {
  const spec = s.attrs.regularizer;
  if (!spec) return [];
  const [l1, l2] = [f32(spec.l1), f32(spec.l2)];
  const w = ctx.ref(s.inputs[0]!, 'w');
  const lossV = ctx.ref(s.inputs[1]!, 'loss');
  const grad = ctx.ref(s.outputs[0]!, 'grad');
  return [
    ...penaltyLines(w, `${w}.length`, l1, l2),
    `${lossV}[0] = ${lossV}[0]! + penalty;`,
    ...loop(`j`, `${w}.length`, [
      `const v = ${w}[j]!;`,
      'const sign = v > 0 ? 1 : v < 0 ? -1 : 0;',
      `${grad}[j] = ${grad}[j]! + ${lit(l1 * 1)} * sign + ${lit(2 * l2 * 1)} * v;`,
    ]),
  ];
}

export function activityRegularizer(s: StepOf<'activity_regularizer'>, ctx: StepContext): string[] {
  const spec = s.attrs.regularizer;
  if (!spec) return [];
  const [l1, l2] = [f32(spec.l1), f32(spec.l2)];
  const y = ctx.ref(s.inputs[0]!, 'y');
  const dy = ctx.ref(s.inputs[1]!, 'dy');
  const lossV = ctx.ref(s.inputs[2]!, 'loss');
  const length = times(s.attrs.size);
  return [
    ...penaltyLines(y, length, l1, l2),
    `${lossV}[0] = ${lossV}[0]! + penalty / n;`,
    `const l1 = ${lit(l1)} * (1 / n);`,
    `const twoL2 = ${lit(2 * l2)} * (1 / n);`,
    ...loop('j', length, [
      `const v = ${y}[j]!;`,
      'const sign = v > 0 ? 1 : v < 0 ? -1 : 0;',
      `${dy}[j] = ${dy}[j]! + l1 * sign + twoL2 * v;`,
    ]),
  ];
}

function scheduleExpr(spec: OptimizerSpec, step: string, current: number): string[] {
  const lr = spec.learningRate;
  // A constant rate is the optimizer's current one (a callback may have set it).
  if (typeof lr === 'number') return [`const lr = ${lit(f32(current))};`];
  switch (lr.className) {
    case 'ExponentialDecay':
    case 'InverseTimeDecay': {
      const lines = [`let p = Math.fround(${step} / ${lit(f32(lr.decaySteps))});`];
      if (lr.staircase) lines.push('p = Math.floor(p);');
      lines.push(
        lr.className === 'ExponentialDecay'
          ? `const lr = Math.fround(${lit(f32(lr.initialLearningRate))} * Math.pow(${lit(f32(lr.decayRate))}, p));`
          : `const lr = Math.fround(${lit(f32(lr.initialLearningRate))} / (1 + ${lit(f32(lr.decayRate))} * p));`,
      );
      return lines;
    }
    case 'PiecewiseConstantDecay': {
      const values = lr.values.map((v) => lit(f32(v)));
      const lines = [`let lr = ${values[values.length - 1]};`];
      for (let i = lr.boundaries.length - 1; i >= 0; i--)
        lines.push(`if (${step} <= ${lit(lr.boundaries[i]!)}) lr = ${values[i]};`);
      return lines;
    }
    case 'CosineDecay': {
      const [lr0, ds, a] = [
        lit(f32(lr.initialLearningRate)),
        lit(f32(lr.decaySteps)),
        lit(lr.alpha),
      ];
      if (lr.warmupTarget === null)
        return [
          `const at = Math.min(${step}, ${ds});`,
          `const wave = 1 + Math.cos(Math.PI * (at / ${ds}));`,
          'const cosine = 0.5 * wave;',
          `const mixed = (1 - ${a}) * cosine + ${a};`,
          `const lr = Math.fround(${lr0} * mixed);`,
        ];
      const [target, ws] = [lit(f32(lr.warmupTarget)), lit(f32(lr.warmupSteps))];
      return [
        `const at = Math.min(${step}, ${ds} + ${ws});`,
        'let lr = 0;',
        `if (at < ${ws}) {`,
        `  const rise = (${target} - ${lr0}) * (at / ${ws});`,
        `  lr = Math.fround(rise + ${lr0});`,
        '} else {',
        `  const wave = 1 + Math.cos(Math.PI * ((at - ${ws}) / ${ds}));`,
        '  const cosine = 0.5 * wave;',
        `  const mixed = (1 - ${a}) * cosine + ${a};`,
        `  lr = Math.fround(${target} * mixed);`,
        '}',
      ];
    }
    case 'PolynomialDecay': {
      const [lr0, ds] = [lit(f32(lr.initialLearningRate)), lit(f32(lr.decaySteps))];
      const [end, power] = [lit(f32(lr.endLearningRate)), lit(f32(lr.power))];
      return [
        ...(lr.cycle
          ? [
              `const horizon = ${ds} * (${step} === 0 ? 1 : Math.ceil(${step} / ${ds}));`,
              `const at = ${step};`,
            ]
          : [`const horizon = ${ds};`, `const at = Math.min(${step}, ${ds});`]),
        'const frac = at / horizon;',
        `const drop = ${lr0} - ${end};`,
        `const span = drop * Math.pow(1 - frac, ${power});`,
        `const lr = Math.fround(span + ${end});`,
      ];
    }
    case 'CosineDecayRestarts': {
      const [lr0, fds] = [lit(f32(lr.initialLearningRate)), lit(f32(lr.firstDecaySteps))];
      const [tm, mm, a] = [f32(lr.tMul), lit(f32(lr.mMul)), lit(f32(lr.alpha))];
      const lines = [`let frac = ${step} / ${fds};`];
      if (tm === 1) lines.push('const restart = Math.floor(frac);', 'frac -= restart;');
      else
        lines.push(
          `const restart = Math.floor(Math.log(1 - frac * (1 - ${lit(tm)})) / Math.log(${lit(tm)}));`,
          `const sumR = (1 - Math.pow(${lit(tm)}, restart)) / (1 - ${lit(tm)});`,
          `frac = (frac - sumR) / Math.pow(${lit(tm)}, restart);`,
        );
      return [
        ...lines,
        'const wave = 1 + Math.cos(Math.PI * frac);',
        `const cosine = 0.5 * Math.pow(${mm}, restart) * wave;`,
        `const mixed = (1 - ${a}) * cosine + ${a};`,
        `const lr = Math.fround(${lr0} * mixed);`,
      ];
    }
  }
}

const F32 = 'Float32Array';

/** A module-level function over whole arrays, like the engine's update kernels. */
function kernel(name: string, params: [string, string][], body: string[], doc: string): Fn {
  return { name, params, ret: 'void', body, doc };
}

const arr = (...names: string[]): [string, string][] => names.map((n) => [n, F32]);
const num = (...names: string[]): [string, string][] => names.map((n) => [n, 'number']);

/** The update rule's kernel (src/optim/update-kernels.ts) with the optimizer's constants written in. */
function ruleKernel(
  spec: OptimizerSpec,
  slotNames: readonly string[],
): { fn: Fn; extra: string[] } {
  const eps = lit(f32('epsilon' in spec ? spec.epsilon : 0));
  const loopJ = (body: string[]) => loop('j', 'w.length', body);
  switch (spec.className) {
    case 'SGD': {
      if (slotNames.length === 0)
        return {
          fn: kernel(
            'sgdUpdate',
            [...arr('w', 'g'), ...num('lr')],
            [`for (let j = 0; j < w.length; j++) w[j] = w[j]! - g[j]! * lr;`],
            'SGD: w −= lr·g.',
          ),
          extra: ['lr'],
        };
      const step = spec.nesterov ? 'm[j]! * mu - g[j]! * lr' : 'm[j]!';
      return {
        fn: kernel(
          'sgdUpdate',
          [...arr('w', 'g', 'm'), ...num('lr')],
          [
            `const mu = ${lit(f32(spec.momentum))};`,
            ...loopJ(['m[j] = m[j]! * mu - g[j]! * lr;', `w[j] = w[j]! + ${step};`]),
          ],
          `SGD with momentum${spec.nesterov ? ' (Nesterov)' : ''}.`,
        ),
        extra: ['lr'],
      };
    }
    case 'RMSprop': {
      const m = slotNames.includes('momentum');
      const a = slotNames.includes('average_gradient');
      return {
        fn: kernel(
          'rmspropUpdate',
          [...arr('w', 'g', 'v', ...(m ? ['m'] : []), ...(a ? ['a'] : [])), ...num('lr')],
          [
            `const r = ${lit(f32(spec.rho))};`,
            `const oneMinusRho = ${lit(f32(1 - spec.rho))};`,
            ...(m ? [`const mu = ${lit(f32(spec.momentum))};`] : []),
            `const eps = ${eps};`,
            ...loopJ([
              'const gj = g[j]!;',
              'v[j] = r * v[j]! + oneMinusRho * gj * gj;',
              ...(a
                ? [
                    'a[j] = r * a[j]! + oneMinusRho * gj;',
                    'const den = v[j]! - a[j]! * a[j]! + eps;',
                  ]
                : ['const den = v[j]! + eps;']),
              'const inc = (lr * gj) / Math.sqrt(den);',
              ...(m
                ? ['m[j] = mu * m[j]! + inc;', 'w[j] = w[j]! - m[j]!;']
                : ['w[j] = w[j]! - inc;']),
            ]),
          ],
          'RMSprop.',
        ),
        extra: ['lr'],
      };
    }
    case 'Adagrad':
      return {
        fn: kernel(
          'adagradUpdate',
          [...arr('w', 'g', 'acc'), ...num('lr')],
          [
            `const eps = ${eps};`,
            ...loopJ([
              'const gj = g[j]!;',
              'acc[j] = acc[j]! + gj * gj;',
              'w[j] = w[j]! - (lr * gj) / Math.sqrt(acc[j]! + eps);',
            ]),
          ],
          'Adagrad.',
        ),
        extra: ['lr'],
      };
    case 'Adadelta':
      return {
        fn: kernel(
          'adadeltaUpdate',
          [...arr('w', 'g', 'eg', 'ed'), ...num('lr')],
          [
            `const r = ${lit(f32(spec.rho))};`,
            `const oneMinusRho = ${lit(f32(1 - spec.rho))};`,
            `const eps = ${eps};`,
            ...loopJ([
              'const gj = g[j]!;',
              'eg[j] = r * eg[j]! + oneMinusRho * gj * gj;',
              'const delta = -(Math.sqrt(ed[j]! + eps) * gj) / Math.sqrt(eg[j]! + eps);',
              'ed[j] = r * ed[j]! + oneMinusRho * delta * delta;',
              'w[j] = w[j]! + lr * delta;',
            ]),
          ],
          'Adadelta.',
        ),
        extra: ['lr'],
      };
    case 'Adam':
    case 'AdamW': {
      const h = spec.amsgrad;
      return {
        fn: kernel(
          'adamUpdate',
          [...arr('w', 'g', 'm', 'v', ...(h ? ['vHat'] : [])), ...num('alpha')],
          [
            `const oneMinusBeta1 = ${lit(f32(1 - spec.beta1))};`,
            `const oneMinusBeta2 = ${lit(f32(1 - spec.beta2))};`,
            `const eps = ${eps};`,
            ...loopJ([
              'const gj = g[j]!;',
              'const mOld = m[j]!;',
              'const vOld = v[j]!;',
              'const mj = Math.fround(mOld + (gj - mOld) * oneMinusBeta1);',
              `${h ? 'let' : 'const'} vj = Math.fround(vOld + (gj * gj - vOld) * oneMinusBeta2);`,
              'm[j] = mj;',
              'v[j] = vj;',
              ...(h ? ['const hj = vHat[j]!;', 'if (vj > hj) vHat[j] = vj;', 'else vj = hj;'] : []),
              'w[j] = w[j]! - (mj * alpha) / (Math.sqrt(vj) + eps);',
            ]),
          ],
          `Adam${h ? ' (amsgrad)' : ''}: alpha is the step size of this iteration.`,
        ),
        extra: ['alpha'],
      };
    }
    case 'Adamax':
      return {
        fn: kernel(
          'adamaxUpdate',
          [...arr('w', 'g', 'm', 'u'), ...num('lr', 't')],
          [
            `const b2 = ${lit(f32(spec.beta2))};`,
            `const oneMinusBeta1 = ${lit(f32(1 - spec.beta1))};`,
            `const eps = ${eps};`,
            `const power = Math.fround(1 - Math.fround(Math.pow(${lit(f32(spec.beta1))}, t)));`,
            ...loopJ([
              'const gj = g[j]!;',
              'm[j] = m[j]! + (gj - m[j]!) * oneMinusBeta1;',
              'u[j] = Math.max(b2 * u[j]!, Math.abs(gj));',
              'w[j] = w[j]! - (lr * m[j]!) / (power * (u[j]! + eps));',
            ]),
          ],
          'Adamax.',
        ),
        extra: ['lr', 't'],
      };
    case 'Nadam':
      return {
        fn: kernel(
          'nadamUpdate',
          [...arr('w', 'g', 'm', 'v'), ...num('lr', 'mCoef', 'gCoef', 'vCoef')],
          [
            `const oneMinusBeta1 = ${lit(f32(1 - spec.beta1))};`,
            `const oneMinusBeta2 = ${lit(f32(1 - spec.beta2))};`,
            `const eps = ${eps};`,
            ...loopJ([
              'const gj = g[j]!;',
              'm[j] = m[j]! + (gj - m[j]!) * oneMinusBeta1;',
              'v[j] = v[j]! + (gj * gj - v[j]!) * oneMinusBeta2;',
              'const mHat = mCoef * m[j]! + gCoef * gj;',
              'const vHat = v[j]! * vCoef;',
              'w[j] = w[j]! - (mHat * lr) / (Math.sqrt(vHat) + eps);',
            ]),
          ],
          'Nadam, with the coefficients of this iteration.',
        ),
        extra: ['lr', 'mCoef', 'gCoef', 'vCoef'],
      };
  }
}

const stepKernels = {
  sumOfSquares: {
    name: 'sumOfSquares',
    params: arr('g'),
    ret: 'number',
    body: [
      'let sum = 0;',
      'for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;',
      'return sum;',
    ],
    doc: 'Σ g².',
  } as Fn,
  clipByNorm: kernel(
    'clipByNorm',
    [...arr('g'), ...num('clipnorm')],
    [
      'const denom = Math.max(Math.sqrt(sumOfSquares(g)), clipnorm);',
      'for (let i = 0; i < g.length; i++) g[i] = (g[i]! * clipnorm) / denom;',
    ],
    'g scaled to norm ≤ clipnorm.',
  ),
  scaleInPlace: kernel(
    'scaleInPlace',
    [...arr('g'), ...num('scale')],
    ['for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;'],
    'g ·= scale.',
  ),
  clipByValue: kernel(
    'clipByValue',
    [...arr('g'), ...num('c')],
    [
      'for (let i = 0; i < g.length; i++) {',
      '  const x = g[i]!;',
      '  g[i] = x > c ? c : x < -c ? -c : x;',
      '}',
    ],
    'g clipped to [−c, c].',
  ),
  weightDecay: kernel(
    'weightDecay',
    [...arr('w'), ...num('decay')],
    ['for (let j = 0; j < w.length; j++) w[j] = w[j]! - w[j]! * decay;'],
    'Decoupled weight decay: w −= w·decay.',
  ),
  accumulate: kernel(
    'accumulate',
    arr('acc', 'g'),
    ['for (let j = 0; j < g.length; j++) acc[j] = acc[j]! + g[j]!;'],
    'acc += g.',
  ),
  averageAccumulated: kernel(
    'averageAccumulated',
    [...arr('g', 'acc'), ...num('steps')],
    ['for (let j = 0; j < g.length; j++) g[j] = (g[j]! + acc[j]!) / steps;', 'acc.fill(0);'],
    'g = (g + acc)/steps; acc = 0.',
  ),
  emaUpdate: kernel(
    'emaUpdate',
    [...arr('average', 'w'), ...num('momentum')],
    [
      'const m = Math.fround(momentum);',
      'for (let j = 0; j < w.length; j++) {',
      '  average[j] = m * average[j]! + (1 - m) * w[j]!;',
      '}',
    ],
    'The moving average of the weights (use_ema).',
  ),
  nonNeg: kernel(
    'nonNeg',
    arr('w'),
    ['for (let i = 0; i < w.length; i++) if (w[i]! < 0) w[i] = 0;'],
    'The NonNeg constraint.',
  ),
};

/** Each element's index among the kept (not reduced) axes, as the engine's NormConstraint sweeps. */
function keptIndex(
  shape: readonly number[],
  axes: readonly number[] | null,
  layer: string,
): { index: number[]; kept: number } {
  const rank = shape.length;
  let mask = axes === null ? (1 << rank) - 1 : 0;
  for (const a of axes ?? []) {
    const d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank)
      throw new EmitError(
        `constraint axis ${a} is out of range for shape [${shape.join(', ')}].`,
        layer,
      );
    mask |= 1 << d;
  }
  const stride = new Array<number>(rank).fill(0);
  let kept = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!(mask & (1 << d))) {
      stride[d] = kept;
      kept *= shape[d]!;
    }
  }
  const total = size(shape);
  const index: number[] = [];
  const counter = new Array<number>(rank).fill(0);
  let k = 0;
  for (let i = 0; i < total; i++) {
    index.push(k);
    for (let d = rank - 1; d >= 0; d--) {
      const c = counter[d]! + 1;
      if (c < shape[d]!) {
        counter[d] = c;
        k += stride[d]!;
        break;
      }
      counter[d] = 0;
      k -= (c - 1) * stride[d]!;
    }
  }
  return { index, kept };
}

function constraint(
  w: { name: string; shape: number[]; constraint: ConstraintSpec | null },
  view: string,
  ctx: StepContext,
  layer: string,
): string[] {
  const c = w.constraint;
  if (!c) return [];
  if (c.className === 'NonNeg') return [`${ctx.use(stepKernels.nonNeg)}(${view});`];
  const desired =
    c.className === 'MaxNorm'
      ? `Math.min(Math.max(norm, 0), ${lit(c.maxValue)})`
      : c.className === 'UnitNorm'
        ? '1'
        : `${lit(c.rate)} * Math.min(Math.max(norm, ${lit(c.minValue)}), ${lit(c.maxValue)}) + (1 - ${lit(c.rate)}) * norm`;
  const { index, kept } = keptIndex(w.shape, c.axis, layer);
  const total = index.length;
  const block = total / kept;
  const kOf = index.every((k) => k === 0)
    ? () => '0'
    : index.every((k, i) => k === i % kept)
      ? (i: string) => `${i} % ${kept}`
      : index.every((k, i) => k === Math.floor(i / block))
        ? (i: string) => `Math.floor(${i} / ${block})`
        : (
            (at: string) => (i: string) =>
              `${at}[${i}]!`
          )(ctx.constant(`${w.name.replace(/\W/g, '_')}_norm_index`, 'Int32Array', index));
  return [
    '{',
    `  const norms = new Float64Array(${kept});`,
    `  for (let i = 0; i < ${view}.length; i++) {`,
    `    const k = ${kOf('i')};`,
    `    norms[k] = norms[k]! + ${view}[i]! * ${view}[i]!;`,
    '  }',
    `  for (let k = 0; k < ${kept}; k++) {`,
    '    const norm = Math.sqrt(norms[k]!);',
    `    const d = ${desired};`,
    '    norms[k] = d / (1e-7 + norm);',
    '  }',
    `  for (let i = 0; i < ${view}.length; i++) {`,
    `    ${view}[i] = ${view}[i]! * norms[${kOf('i')}]!;`,
    '  }',
    '}',
  ];
}

export function optimizer(
  s: StepOf<'optimizer'>,
  ctx: StepContext,
  iterations: string,
  slots: readonly { name: string; weight: number }[],
  learningRate: number,
): string[] {
  const spec = s.attrs.optimizer;
  const W = s.attrs.weights.length;
  const grads = s.attrs.weights.map((_, i) => ctx.ref(s.inputs[i]!, 'grad'));
  const values = s.attrs.weights.map((_, i) => ctx.ref(s.outputs[i]!, 'weight'));
  const hints: Record<string, string> = {
    accumulated_grad: 'accGrad',
    accumulated_delta_var: 'accDelta',
    average_gradient: 'avgGrad',
    gradient_accumulator: 'gradAcc',
    velocity_hat: 'vHat',
  };
  const perWeight: Map<string, string>[] = s.attrs.weights.map(() => new Map());
  const shared = new Map<string, string>();
  slots.forEach((slot, k) => {
    const view = ctx.ref(s.inputs[W + k]!, hints[slot.name] ?? camel(slot.name));
    if (slot.weight < 0) shared.set(slot.name, view);
    else perWeight[slot.weight]!.set(slot.name, view);
  });
  const slot = (i: number, name: string) => perWeight[i]!.get(name)!;
  // loss_scale_factor scales the loss and unscales the gradients: the engine, like Keras in
  // float32, leaves the step unchanged, and so does the module.
  const use = (fn: Fn) => ctx.use(fn);
  const steps = spec.gradientAccumulationSteps;
  const updateSteps = steps ? `Math.floor(${iterations} / ${steps})` : iterations;
  const base = steps ? 4 : 2;
  const call = (name: string, args: string[], indent = base) => printCall(name, args, indent);
  const update: string[] = [...scheduleExpr(spec, iterations, learningRate)];
  if (spec.clipnorm !== null && spec.clipnorm > 0) {
    use(stepKernels.sumOfSquares);
    const f = use(stepKernels.clipByNorm);
    for (const g of grads) update.push(...call(f, [g, lit(spec.clipnorm)]));
  } else if (spec.globalClipnorm !== null && spec.globalClipnorm > 0) {
    const sq = use(stepKernels.sumOfSquares);
    const f = use(stepKernels.scaleInPlace);
    const c = lit(spec.globalClipnorm);
    update.push('let norm = 0;', ...grads.map((g) => `norm += ${sq}(${g});`));
    update.push('norm = Math.sqrt(norm);', `const clip = ${c} * Math.min(1 / norm, 1 / ${c});`);
    update.push('const scale = clip + (norm - norm);');
    for (const g of grads) update.push(...call(f, [g, 'scale']));
  } else if (spec.clipvalue !== null && spec.clipvalue > 0) {
    const f = use(stepKernels.clipByValue);
    for (const g of grads) update.push(...call(f, [g, lit(spec.clipvalue)]));
  }
  if (spec.weightDecay !== null) {
    const f = use(stepKernels.weightDecay);
    update.push(`const decay = ${lit(f32(spec.weightDecay))} * lr;`);
    for (const w of values) update.push(...call(f, [w, 'decay']));
  }
  const ruleSlots = slots
    .filter((sl) => sl.weight === 0 && sl.name !== 'average' && sl.name !== 'gradient_accumulator')
    .map((sl) => sl.name);
  const { fn, extra } = ruleKernel(spec, ruleSlots);
  const rule = use(fn);
  if (
    spec.className !== 'SGD' &&
    spec.className !== 'RMSprop' &&
    spec.className !== 'Adagrad' &&
    spec.className !== 'Adadelta'
  )
    update.push(`const t = ${updateSteps} + 1;`);
  if (spec.className === 'Adam' || spec.className === 'AdamW') {
    update.push(
      `const b1p = Math.fround(Math.pow(${lit(f32(spec.beta1))}, t));`,
      `const b2p = Math.fround(Math.pow(${lit(f32(spec.beta2))}, t));`,
      'const root = Math.fround(Math.sqrt(Math.fround(1 - b2p)));',
      'const alpha = Math.fround((lr * root) / Math.fround(1 - b1p));',
    );
  }
  if (spec.className === 'Nadam') {
    const up = shared.get('u_product')!;
    const b1 = lit(f32(spec.beta1));
    update.push(
      'const p96 = Math.fround(Math.pow(0.96, t));',
      `const uT = Math.fround(${b1} * Math.fround(1 - 0.5 * p96));`,
      `${up}[0] = ${up}[0]! * uT;`,
      `const uProd = ${up}[0]!;`,
      'const p96n = Math.fround(Math.pow(0.96, t + 1));',
      `const uT1 = Math.fround(${b1} * Math.fround(1 - 0.5 * p96n));`,
      'const productT1 = Math.fround(uProd * uT1);',
      'const mCoef = uT1 / (1 - productT1);',
      'const gCoef = (1 - uT) / (1 - uProd);',
      `const b2t = Math.fround(Math.pow(${lit(f32(spec.beta2))}, t));`,
      'const vCoef = 1 / Math.fround(1 - b2t);',
    );
  }
  values.forEach((w, i) =>
    update.push(...call(rule, [w, grads[i]!, ...ruleSlots.map((n) => slot(i, n)), ...extra])),
  );
  const out: string[] = [];
  if (steps) {
    const avg = use(stepKernels.averageAccumulated);
    const acc = use(stepKernels.accumulate);
    out.push(`if ((${iterations} + 1) % ${steps} === 0) {`);
    grads.forEach((g, i) =>
      out.push(...indentLines(call(avg, [g, slot(i, 'gradient_accumulator'), String(steps)]), 2)),
    );
    out.push(...indentLines(update, 2), '} else {');
    grads.forEach((g, i) =>
      out.push(...indentLines(call(acc, [slot(i, 'gradient_accumulator'), g]), 2)),
    );
    out.push('}');
  } else out.push(...update);
  if (spec.useEma) {
    const f = use(stepKernels.emaUpdate);
    const freq = spec.emaOverwriteFrequency;
    out.push(`const k = ${updateSteps};`, `const em = k !== 0 ? ${lit(spec.emaMomentum)} : 0;`);
    values.forEach((w, i) => {
      out.push(...call(f, [slot(i, 'average'), w, 'em']));
    });
    if (freq !== null) {
      out.push(`if ((k + 1) % ${freq} === 0) {`);
      values.forEach((w, i) => out.push(`  ${w}.set(${slot(i, 'average')});`));
      out.push('}');
    }
  }
  s.attrs.weights.forEach((w, i) => {
    if (w.constraint) out.push(...constraint(w, values[i]!, ctx, s.layer));
  });
  out.push(`${iterations} += 1;`);
  return out;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
