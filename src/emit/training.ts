/**
 * `--training`: trainOnBatch() and getWeights() in the generated module, from the training plan.
 * The forward ops are steps.ts's; the gradients are backward.ts's; the losses, regularizers,
 * noise layers and the optimizer step are here. Every formula is the engine's (src/kernels,
 * src/optim) operation for operation, so a step in the module and in the engine agree.
 */
import type {
  ConstraintSpec,
  LossSpec,
  OptimizerSpec,
  Plan,
  PlanStep,
  StepOf,
} from '../ir/index.js';
import type { Model } from '../runtime/index.js';
import {
  activationBackward,
  batchNormBackward,
  batchNormTrain,
  denseBackward,
  layerNormBackward,
  preluBackward,
  unitNormBackward,
} from './backward.js';
import { indentLines, loop, times, type Fn } from './code.js';
import { base64, float32Bytes, numberLiteral as lit, stringLiteral } from './literals.js';
import { printCall, type Member, type ModuleContext, type ModuleExtension } from './module.js';
import { EmitError, forwardEmitters, type StepContext, type StepEmitter } from './steps.js';

const f32 = Math.fround;

/** The engine's Rng state (xoshiro128** words and the cached normal), read to continue its stream. */
interface RngState {
  a: number;
  b: number;
  c: number;
  d: number;
  spare: number;
}

export function trainingExtension(plan: Plan, model: Model): ModuleExtension {
  const opt = plan.steps.find((s): s is StepOf<'optimizer'> => s.op === 'optimizer');
  if (!opt)
    throw new EmitError(`the training plan of model '${model.name}' has no optimizer step.`, '');
  const lossStep = plan.steps.find(
    (s) => s.op === 'loss' || s.op === 'softmax_cross_entropy' || s.op === 'sigmoid_cross_entropy',
  ) as StepOf<'loss'> | StepOf<'softmax_cross_entropy'> | undefined;
  if (!lossStep || plan.loss === null || plan.targets.length !== 1)
    throw new EmitError(`the training plan of model '${model.name}' has no single loss.`, '');
  const sparse =
    lossStep.attrs.loss.name === 'sparse_categorical_crossentropy' ||
    ('sparse' in lossStep.attrs && lossStep.attrs.sparse);
  const targetSize = plan.buffers[plan.targets[0]!]!.size;
  const outSize = plan.buffers[plan.outputs[0]!]!.size;
  const hasPrepare = model.plan('inference', 1).plan.prepare.length > 0;
  const rng = model.rng as unknown as RngState;
  const rngState = { a: rng.a, b: rng.b, c: rng.c, d: rng.d, spare: rng.spare };
  const weightSpecs = model.weightSpecs();
  const learningRate = model.optimizer.learningRate;
  const slotLayout = model.optimizer.slotLayout(opt.attrs.weights.map((w) => size(w.shape)));

  const members: Member[] = [
    {
      name: 'trainOnBatch',
      params: [
        ['x', 'Input'],
        ['y', 'Input'],
      ],
      ret: 'number',
      doc: `One optimizer step on a batch (Keras train_on_batch); returns the loss before it. y: ${sparse ? 'one class index' : `${targetSize} values`} per sample.`,
    },
    {
      name: 'getWeights',
      params: [],
      ret: 'Float32Array[]',
      doc: 'Copies of the weights in Keras get_weights() order.',
    },
  ];

  return {
    plans: [plan],
    members,
    body(ctx: ModuleContext): string[] {
      const names = {
        iterations: ctx.fresh('iterations'),
        uniform: ctx.fresh('uniform'),
        normal: ctx.fresh('normal'),
        rng: ['a', 'b', 'c', 'd'].map((w) => ctx.fresh(`rng_${w}`)),
        spare: ctx.fresh('rng_spare'),
        step: ctx.fresh('trainStep'),
      };
      const usesNormal = plan.steps.some((s) => s.op === 'gaussian_noise');
      const usesRng =
        usesNormal ||
        plan.steps.some((s) => s.op === 'dropout' && s.attrs.rate > 0 && s.attrs.rate < 1);
      const emitters: Partial<Record<PlanStep['op'], StepEmitter>> = {
        ...forwardEmitters,
        dense_backward: (s, c) => denseBackward(s as StepOf<'dense_backward'>, c),
        activation_backward: (s, c) => activationBackward(s as StepOf<'activation_backward'>, c),
        batch_norm_train: (s, c) => batchNormTrain(s as StepOf<'batch_norm_train'>, c),
        batch_norm_backward: (s, c) => batchNormBackward(s as StepOf<'batch_norm_backward'>, c),
        layer_norm_backward: (s, c) => layerNormBackward(s as StepOf<'layer_norm_backward'>, c),
        unit_norm_backward: (s, c) => unitNormBackward(s as StepOf<'unit_norm_backward'>, c),
        prelu_backward: (s, c) => preluBackward(s as StepOf<'prelu_backward'>, c),
        dropout: (s, c) => dropout(s as StepOf<'dropout'>, c, names.uniform),
        dropout_backward: (s, c) => {
          const st = s as StepOf<'dropout_backward'>;
          const [dy, mask, dx] = [
            c.ref(st.inputs[0]!, 'dy'),
            c.ref(st.inputs[1]!, 'mask'),
            c.ref(st.outputs[0]!, 'dx'),
          ];
          return loop('i', times(st.attrs.size), [`${dx}[i] = ${dy}[i]! * ${mask}[i]!;`]);
        },
        gaussian_noise: (s, c) => {
          const st = s as StepOf<'gaussian_noise'>;
          const [x, y] = [c.ref(st.inputs[0]!, 'x'), c.ref(st.outputs[0]!, 'y')];
          return loop('i', times(st.attrs.size), [
            `${y}[i] = ${x}[i]! + ${lit(st.attrs.stddev)} * ${names.normal}();`,
          ]);
        },
        loss: (s, c) => loss(s as StepOf<'loss'>, c),
        softmax_cross_entropy: (s, c) => fusedLoss(s as StepOf<'softmax_cross_entropy'>, c, true),
        sigmoid_cross_entropy: (s, c) => fusedLoss(s as StepOf<'sigmoid_cross_entropy'>, c, false),
        regularizer: (s, c) => regularizer(s as StepOf<'regularizer'>, c),
        activity_regularizer: (s, c) => activityRegularizer(s as StepOf<'activity_regularizer'>, c),
        optimizer: (s, c) =>
          optimizer(s as StepOf<'optimizer'>, c, names.iterations, slotLayout, learningRate),
      };
      const { functions, calls } = ctx.steps(plan, plan.steps, emitters);
      const input = ctx.refIn(plan, plan.inputs[0]!);
      const target = ctx.refIn(plan, plan.targets[0]!);
      const lossView = ctx.refIn(plan, plan.loss!);
      const [a, b, c, d] = names.rng as [string, string, string, string];
      const out: string[] = [];
      const plain = (...lines: string[]) =>
        out.push(...lines.map((l) => (l === '' ? l : `  ${l}`)));
      const state = optimizerState(model, slotLayout.length);
      plain(`let ${names.iterations} = ${state?.iterations ?? 0};`);
      const stateView = (k: number) => ctx.refIn(plan, opt.inputs[opt.attrs.weights.length + k]!);
      if (state) {
        // The engine's optimizer has stepped: the module continues from its state.
        const text = ctx.fresh('optimizerText');
        const values = ctx.fresh('optimizerState');
        const literal = stringLiteral(base64(float32Bytes(state.values)));
        const one = `const ${text} = ${literal};`;
        plain(...(one.length + 2 <= 80 ? [one] : [`const ${text} =`, `  ${literal};`]));
        plain(`const ${values} = floats(bytesOf(${text}), ${state.values.length});`);
        let at = 0;
        slotLayout.forEach((slot, k) => {
          plain(
            ...printCall(
              `${stateView(k)}.set`,
              [`${values}.subarray(${at}, ${at + slot.size})`],
              0,
            ),
          );
          at += slot.size;
        });
      } else {
        // Optimizer state starts where Keras's build() puts it.
        const init = slotInit(opt.attrs.optimizer);
        slotLayout.forEach((slot, k) => {
          const value = init(slot.name);
          if (value !== 0) plain(`${stateView(k)}.fill(${lit(value)});`);
        });
      }
      if (usesRng) {
        plain(
          `let ${a} = ${rngState.a};`,
          `let ${b} = ${rngState.b};`,
          `let ${c} = ${rngState.c};`,
          `let ${d} = ${rngState.d};`,
          ...(usesNormal
            ? [
                `let ${names.spare} = ${Number.isNaN(rngState.spare) ? 'NaN' : lit(rngState.spare)};`,
              ]
            : []),
          '',
        );
        out.push(
          ...ctx.fn({
            name: names.uniform,
            params: [],
            ret: 'number',
            doc: 'The engine’s Rng (xoshiro128**): uniform in [0, 1), continuing its stream.',
            body: [
              `const rot = Math.imul(${b}, 5) >>> 0;`,
              'const out = Math.imul(((rot << 7) | (rot >>> 25)) >>> 0, 9) >>> 0;',
              `const t = (${b} << 9) >>> 0;`,
              `${c} = (${c} ^ ${a}) >>> 0;`,
              `${d} = (${d} ^ ${b}) >>> 0;`,
              `${b} = (${b} ^ ${c}) >>> 0;`,
              `${a} = (${a} ^ ${d}) >>> 0;`,
              `${c} = (${c} ^ t) >>> 0;`,
              `${d} = ((${d} << 11) | (${d} >>> 21)) >>> 0;`,
              'return out / 4294967296;',
            ],
          }),
          '',
          ...(usesNormal
            ? [
                ...ctx.fn({
                  name: names.normal,
                  params: [],
                  ret: 'number',
                  doc: 'Standard normal by Box–Muller, as the engine’s Rng (the pair’s second value kept).',
                  body: [
                    `if (!Number.isNaN(${names.spare})) {`,
                    `  const v = ${names.spare};`,
                    `  ${names.spare} = NaN;`,
                    '  return v;',
                    '}',
                    'let u = 0;',
                    `while (u === 0) u = ${names.uniform}();`,
                    `const v = ${names.uniform}();`,
                    'const r = Math.sqrt(-2 * Math.log(u));',
                    `${names.spare} = r * Math.sin(2 * Math.PI * v);`,
                    'return r * Math.cos(2 * Math.PI * v);',
                  ],
                }),
                '',
              ]
            : []),
        );
      }
      out.push(...functions);
      out.push(
        ...ctx.fn({
          name: names.step,
          params: [['n', 'number']],
          ret: 'void',
          doc: 'One training step over n samples.',
          body: calls,
        }),
        '',
      );
      const T = targetSize;
      const check = sparse
        ? [
            `    if (!(Math.trunc(v) >= 0 && Math.trunc(v) < ${outSize})) {`,
            '      throw new RangeError(',
            `        \`y: row \${r} holds \${v}, not a class index in [0, ${outSize})\`,`,
            '      );',
            '    }',
          ]
        : [];
      const F = size(plan.buffers[plan.inputs[0]!]!.shape.slice(1).map((v) => v ?? 1));
      out.push(
        ...ctx.fn({
          name: 'trainOnBatch',
          params: [
            ['x', 'Input'],
            ['y', 'Input'],
          ],
          ret: 'number',
          doc: members[0]!.doc,
          body: [
            `const n = ${ctx.names.batchOf}(x);`,
            `if (n > ${ctx.names.capacity}) ${ctx.names.grow}(n);`,
            `${ctx.names.load}(x, n);`,
            `${input}.set(${xView(ctx)}.subarray(0, ${times(F)}));`,
            'const first = y[0];',
            'const flat = first === undefined || typeof first === "number";',
            `if (y.length !== (flat ? ${times(T)} : n)) {`,
            '  throw new RangeError(`y has ${y.length} entries for ${n} samples`);',
            '}',
            'for (let r = 0; r < n; r++) {',
            '  const row = flat ? y : y[r];',
            `  const at = flat ? ${T === 1 ? 'r' : `r * ${T}`} : 0;`,
            `  if (typeof row !== "object" || (!flat && row.length !== ${T})) {`,
            `    throw new RangeError(\`sample \${r} of y must be ${T} number${T === 1 ? '' : 's'}\`);`,
            '  }',
            `  for (let j = 0; j < ${T}; j++) {`,
            '    const v = row[at + j];',
            '    if (typeof v !== "number") {',
            '      throw new TypeError(`y[${r}] is not a number`);',
            '    }',
            ...check,
            `    ${target}[${T === 1 ? 'r' : `r * ${T} + j`}] = v;`,
            '  }',
            '}',
            `${names.step}(n);`,
            ...(hasPrepare ? ['prepare();'] : []),
            `return ${lossView}[0]!;`,
          ],
        }),
        '',
        ...ctx.fn({
          name: 'getWeights',
          params: [],
          ret: 'Float32Array[]',
          doc: members[1]!.doc,
          body: [
            'return [',
            ...weightViews(plan, ctx, weightSpecs).map((v) => `  ${v}.slice(),`),
            '];',
          ],
        }),
        '',
      );
      return out;
    },
  };
}

/** The inference plan's input view: where load() writes. */
function xView(ctx: ModuleContext): string {
  return ctx.refIn(ctx.inference, ctx.inference.inputs[0]!);
}

function weightViews(
  plan: Plan,
  ctx: ModuleContext,
  specs: readonly { layer: string; name: string }[],
): string[] {
  return specs.map((s) => {
    const w = plan.weights.find((p) => p.layer === s.layer && p.name === s.name);
    if (!w)
      throw new EmitError(
        `internal: weight ${s.layer}/${s.name} is not in the training plan.`,
        s.layer,
      );
    return ctx.refIn(plan, w.buffer);
  });
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The engine optimizer's iterations and slots once it has stepped (null: a fresh optimizer). */
function optimizerState(
  model: Model,
  slots: number,
): { iterations: number; values: Float32Array } | null {
  const optimizer = model.optimizer;
  if (optimizer.iterations === 0) return null;
  const variables = optimizer.variables();
  const head = optimizer.hasSchedule ? 1 : 2;
  if (variables.length !== head + slots)
    throw new EmitError(
      `internal: the optimizer has ${variables.length - head} slots, the plan ${slots}.`,
      '',
    );
  const parts = variables.slice(head);
  const values = new Float32Array(parts.reduce((a, v) => a + v.length, 0));
  let at = 0;
  for (const v of parts) {
    values.set(v, at);
    at += v.length;
  }
  return { iterations: optimizer.iterations, values };
}

function slotInit(spec: OptimizerSpec): (name: string) => number {
  return (name) => {
    if (spec.className === 'Adagrad' && name === 'accumulator')
      return f32(spec.initialAccumulatorValue);
    if (spec.className === 'Nadam' && name === 'u_product') return 1;
    return 0;
  };
}

function dropout(s: StepOf<'dropout'>, ctx: StepContext, uniform: string): string[] {
  const { rate, size: S } = s.attrs;
  const [x, y, mask] = [
    ctx.ref(s.inputs[0]!, 'x'),
    ctx.ref(s.outputs[0]!, 'y'),
    ctx.ref(s.outputs[1]!, 'mask'),
  ];
  if (rate <= 0 || rate >= 1) {
    const m = rate <= 0 ? 1 : 0;
    return loop('i', times(S), [`${mask}[i] = ${m};`, `${y}[i] = ${x}[i]! * ${m};`]);
  }
  const keep = 1 - rate;
  return loop('i', times(S), [
    `const m = ${uniform}() < ${lit(keep)} ? ${lit(f32(1 / keep))} : 0;`,
    `${mask}[i] = m;`,
    `${y}[i] = ${x}[i]! * m;`,
  ]);
}

const EPS = f32(1e-7);
const ONE_MINUS_EPS = f32(1 - 1e-7);

/** The cross-entropy's sigmoid (src/kernels/loss-crossentropy.ts), stable on both sides. */
const stableSigmoidFn: Fn = {
  name: 'stableSigmoid',
  params: [['x', 'number']],
  ret: 'number',
  doc: 'sigmoid(x) without overflow, as the engine’s losses compute it.',
  body: ['if (x >= 0) return 1 / (1 + Math.exp(-x));', 'return Math.exp(x) / (1 + Math.exp(x));'],
};

const clipFn: Fn = {
  name: 'clipProb',
  params: [['q', 'number']],
  ret: 'number',
  doc: 'q clipped to [ε, 1 − ε] (Keras’s epsilon, 1e-7 as float32).',
  body: [
    `if (q < ${lit(EPS)}) return ${lit(EPS)};`,
    `return q > ${lit(ONE_MINUS_EPS)} ? ${lit(ONE_MINUS_EPS)} : q;`,
  ],
};

const inClipFn: Fn = {
  name: 'inClip',
  params: [['q', 'number']],
  ret: 'boolean',
  doc: 'Whether q is inside the clip (its gradient passes).',
  body: [`return q >= ${lit(EPS)} && q <= ${lit(ONE_MINUS_EPS)};`],
};

const invNormFn: Fn = {
  name: 'invNorm',
  params: [
    ['a', 'Float32Array'],
    ['o', 'number'],
    ['cols', 'number'],
  ],
  ret: 'number',
  doc: '1/‖a[o..o+cols)‖, at most 1e7.',
  body: [
    'let s = 0;',
    'for (let j = 0; j < cols; j++) s += a[o + j]! * a[o + j]!;',
    'return Math.min(1 / Math.sqrt(s), 1e7);',
  ],
};

interface LossCode {
  /** Lines at the top of the step (before the rows). */
  head: string[];
  /** Lines in a row that leave its value in `acc`. */
  value: string[];
  /** Lines in a row writing its gradient at `scale` (declaring the helpers they call). */
  grad: () => string[];
}

/** A loss's row value and gradient as the engine's rowLoss and rowGradient; null when not written. */
function lossCode(
  spec: LossSpec,
  ctx: StepContext,
  yt: string,
  yp: string,
  grad: string,
  cols: number,
  logits: boolean,
  n: string,
): LossCode | null {
  const ls = spec.labelSmoothing;
  const t = (j = 'j') => `${yt}[o + ${j}]!`;
  const p = (j = 'j') => `${yp}[o + ${j}]!`;
  const g = (j = 'j') => `${grad}[o + ${j}]`;
  const C = String(cols);
  const clip = (q: string) => `${ctx.use(clipFn)}(${q})`;
  const inClip = (q: string) => `${ctx.use(inClipFn)}(${q})`;
  const sig = (x: string) => `${ctx.use(stableSigmoidFn)}(${x})`;
  const each = (body: string[]) => loop('j', C, body);
  const mean = (body: string[]) => ['let acc = 0;', ...each(body), `acc = acc / ${cols};`];
  const k = `const k = scale / ${cols};`;
  const eps = 'eps';
  const epsHead = [`const eps = ${lit(EPS)};`];
  const binaryY = `const y = ${ls === 0 ? t() : `${t()} * (1 - ${lit(ls)}) + 0.5 * ${lit(ls)}`};`;
  const rowMax = ['let m = -Infinity;', ...each([`if (${p()} > m) m = ${p()};`])];
  const rowSumExp = ['let se = 0;', ...each([`se += Math.exp(${p()} - m);`])];
  const rowSum = ['let s = 0;', ...each([`s += ${p()};`])];
  switch (spec.name) {
    case 'mean_squared_error':
      return {
        head: [],
        value: mean([`const d = ${t()} - ${p()};`, 'acc += d * d;']),
        grad: () => [k, ...each([`${g()} = 2 * k * (${p()} - ${t()});`])],
      };
    case 'mean_absolute_error':
      return {
        head: [],
        value: mean([`acc += Math.abs(${t()} - ${p()});`]),
        grad: () => [k, ...each([`${g()} = k * Math.sign(${p()} - ${t()});`])],
      };
    case 'mean_absolute_percentage_error':
      return {
        head: epsHead,
        value: [
          'let acc = 0;',
          ...each([
            `const y = ${t()};`,
            `acc += Math.abs((y - ${p()}) / Math.max(Math.abs(y), ${eps}));`,
          ]),
          `acc = (100 * acc) / ${cols};`,
        ],
        grad: () => [
          k,
          ...each([
            `const y = ${t()};`,
            `const d = 100 * k * Math.sign(${p()} - y);`,
            `${g()} = d / Math.max(Math.abs(y), ${eps});`,
          ]),
        ],
      };
    case 'mean_squared_logarithmic_error':
      return {
        head: epsHead,
        value: mean([
          `const a = Math.log(Math.max(${p()}, ${eps}) + 1);`,
          `const d = a - Math.log(Math.max(${t()}, ${eps}) + 1);`,
          'acc += d * d;',
        ]),
        grad: () => [
          k,
          ...each([
            `const v = ${p()};`,
            `if (v < ${eps}) {`,
            `  ${g()} = 0;`,
            '  continue;',
            '}',
            `const d = Math.log(v + 1) - Math.log(Math.max(${t()}, ${eps}) + 1);`,
            `${g()} = (2 * k * d) / (v + 1);`,
          ]),
        ],
      };
    case 'huber': {
      const d = lit(spec.delta);
      return {
        head: [],
        value: mean([
          `const e = ${p()} - ${t()};`,
          'const a = Math.abs(e);',
          `acc += a <= ${d} ? 0.5 * e * e : ${d} * a - 0.5 * ${d} * ${d};`,
        ]),
        grad: () => [
          k,
          ...each([
            `const e = ${p()} - ${t()};`,
            `${g()} = k * (Math.abs(e) <= ${d} ? e : ${d} * Math.sign(e));`,
          ]),
        ],
      };
    }
    case 'log_cosh':
      return {
        head: [],
        value: mean([
          `const x = ${p()} - ${t()};`,
          'const z = -2 * x;',
          'const softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));',
          'acc += x + softplus - Math.LN2;',
        ]),
        grad: () => [k, ...each([`${g()} = k * Math.tanh(${p()} - ${t()});`])],
      };
    case 'poisson':
      return {
        head: epsHead,
        value: mean([`acc += ${p()} - ${t()} * Math.log(${p()} + ${eps});`]),
        grad: () => [k, ...each([`${g()} = k * (1 - ${t()} / (${p()} + ${eps}));`])],
      };
    case 'kl_divergence':
      return {
        head: epsHead,
        value: [
          'let acc = 0;',
          ...each([
            `const y = Math.min(Math.max(${t()}, ${eps}), 1);`,
            `const q = Math.min(Math.max(${p()}, ${eps}), 1);`,
            'acc += y * Math.log(y / q);',
          ]),
        ],
        grad: () =>
          each([
            `const q = ${p()};`,
            `const y = Math.min(Math.max(${t()}, ${eps}), 1);`,
            `${g()} = q >= ${eps} && q <= 1 ? (-scale * y) / q : 0;`,
          ]),
      };
    case 'cosine_similarity': {
      const inv = ctx.use(invNormFn);
      return {
        head: [],
        value: [
          `const ny = ${inv}(${yt}, o, ${cols});`,
          `const np = ${inv}(${yp}, o, ${cols});`,
          'let dot = 0;',
          ...each([`dot += ${t()} * ${p()};`]),
          'const acc = -dot * ny * np;',
        ],
        grad: () => [
          `const ny = ${inv}(${yt}, o, ${cols});`,
          'let pp = 0;',
          'let dot = 0;',
          ...each([`pp += ${p()} * ${p()};`, `dot += ${t()} * ${p()};`]),
          'const raw = 1 / Math.sqrt(pp);',
          'const np = Math.min(raw, 1e7);',
          'const np3dot = raw <= 1e7 ? np * np * np * dot : 0;',
          ...each([`const d = ${t()} * np - np3dot * ${p()};`, `${g()} = -scale * ny * d;`]),
        ],
      };
    }
    case 'hinge':
    case 'squared_hinge': {
      const head = [
        'let convert = true;',
        ...loop('i', `${n} * ${cols}`, [`if (${yt}[i] !== 0 && ${yt}[i] !== 1) convert = false;`]),
      ];
      const y = `const y = convert ? 2 * ${t()} - 1 : ${t()};`;
      if (spec.name === 'hinge')
        return {
          head,
          value: mean([y, `acc += Math.max(1 - y * ${p()}, 0);`]),
          grad: () => [k, ...each([y, `${g()} = 1 - y * ${p()} >= 0 ? -k * y : 0;`])],
        };
      return {
        head,
        value: mean([y, `const m = Math.max(1 - y * ${p()}, 0);`, 'acc += m * m;']),
        grad: () => [
          k,
          ...each([y, `const m = Math.max(1 - y * ${p()}, 0);`, `${g()} = -2 * k * m * y;`]),
        ],
      };
    }
    case 'categorical_hinge': {
      const sums = [
        'let pos = 0;',
        'let neg = -Infinity;',
        ...each([`pos += ${t()} * ${p()};`, `neg = Math.max(neg, (1 - ${t()}) * ${p()});`]),
      ];
      return {
        head: [],
        value: [...sums, 'const acc = Math.max(neg - pos + 1, 0);'],
        grad: () => [
          ...sums,
          'if (!(neg - pos + 1 >= 0)) {',
          `  ${grad}.fill(0, o, o + ${cols});`,
          '  continue;',
          '}',
          'let ties = 0;',
          ...each([`if ((1 - ${t()}) * ${p()} === neg) ties++;`]),
          ...each([
            `const y = ${t()};`,
            `const atMax = (1 - y) * ${p()} === neg ? (1 - y) / ties : 0;`,
            `${g()} = scale * (atMax - y);`,
          ]),
        ],
      };
    }
    case 'binary_focal_crossentropy': {
      const { alpha, gamma } = spec;
      const common = [
        binaryY,
        `const x = ${p()};`,
        `const q = ${logits ? sig('x') : 'x'};`,
        `const c = ${clip('q')};`,
        'const bce = -(y * Math.log(c) + (1 - y) * Math.log(1 - c));',
        spec.applyClassBalancing
          ? `const w = y * ${lit(alpha)} + (1 - y) * (1 - ${lit(alpha)});`
          : 'const w = 1;',
      ];
      return {
        head: [],
        value: mean([
          ...common,
          'const pt = y * q + (1 - y) * (1 - q);',
          `acc += w * Math.pow(1 - pt, ${lit(gamma)}) * bce;`,
        ]),
        grad: () => [
          k,
          ...each([
            ...common,
            `const dBce = ${inClip('q')} ? -y / q + (1 - y) / (1 - q) : 0;`,
            'const base = 1 - (y * q + (1 - y) * (1 - q));',
            `const pd = ${gamma === 0 ? '0' : `${lit(gamma)} * Math.pow(base, ${lit(gamma - 1)})`};`,
            'const dFocal = -pd * (2 * y - 1);',
            `let d = w * (dFocal * bce + Math.pow(base, ${lit(gamma)}) * dBce);`,
            ...(logits ? ['d *= q * (1 - q);'] : []),
            `${g()} = k * d;`,
          ]),
        ],
      };
    }
    case 'categorical_focal_crossentropy': {
      const { alpha, gamma } = spec;
      const y0 = t();
      const target = ls === 0 ? y0 : `${y0} * (1 - ${lit(ls)}) + ${lit(ls)} / ${cols}`;
      const prob = logits ? `Math.exp(${p()} - m) / se` : p();
      const head = [
        ...(logits ? [...rowMax, ...rowSumExp] : []),
        'let s = 0;',
        ...each([`s += ${prob};`]),
      ];
      const term = () =>
        ctx.use({
          name: 'focalTerm',
          params: [
            ['y', 'number'],
            ['q', 'number'],
          ],
          ret: 'number',
          doc: 'categorical_focal_crossentropy’s ∂/∂q of one class (zero outside the clip).',
          body: [
            `if (y === 0 || !${ctx.use(inClipFn)}(q)) return 0;`,
            'const base = 1 - q;',
            `const pd = ${gamma === 0 ? '0' : `${lit(gamma)} * Math.pow(base, ${lit(gamma - 1)})`};`,
            `return -${lit(alpha)} * y * (Math.pow(base, ${lit(gamma)}) / q - pd * Math.log(q));`,
          ],
        });
      return {
        head: [],
        value: [
          ...head,
          'let acc = 0;',
          ...each([
            `const y = ${target};`,
            'if (y === 0) continue;',
            `const c = ${clip(`${prob} / s`)};`,
            `acc -= ${lit(alpha)} * Math.pow(1 - c, ${lit(gamma)}) * y * Math.log(c);`,
          ]),
        ],
        grad: () => {
          const f = term();
          const lines = [
            ...head,
            'let a = 0;',
            ...each([`const y = ${target};`, `const q = ${prob};`, `a += ${f}(y, q / s) * q;`]),
            'const shift = a / (s * s);',
          ];
          if (!logits)
            return [
              ...lines,
              ...each([
                `const y = ${target};`,
                `const q = ${p()};`,
                `${g()} = scale * (${f}(y, q / s) / s - shift);`,
              ]),
            ];
          return [
            ...lines,
            'let b = 0;',
            ...each([
              `const y = ${target};`,
              `const q = ${prob};`,
              `b += (${f}(y, q / s) / s - shift) * q;`,
            ]),
            ...each([
              `const y = ${target};`,
              `const q = ${prob};`,
              `const d = ${f}(y, q / s) / s - shift - b;`,
              `${g()} = scale * q * d;`,
            ]),
          ];
        },
      };
    }
    case 'binary_crossentropy':
      return {
        head: [],
        value: mean([
          binaryY,
          `const x = ${p()};`,
          ...(logits
            ? ['acc += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));']
            : [`const c = ${clip('x')};`, 'acc -= y * Math.log(c) + (1 - y) * Math.log(1 - c);']),
        ]),
        grad: () => [
          k,
          ...each([
            binaryY,
            `const x = ${p()};`,
            logits
              ? `${g()} = k * (${sig('x')} - y);`
              : `${g()} = ${inClip('x')} ? k * (-y / x + (1 - y) / (1 - x)) : 0;`,
          ]),
        ],
      };
    case 'categorical_crossentropy':
    case 'sparse_categorical_crossentropy': {
      const sparse = spec.name === 'sparse_categorical_crossentropy';
      const smoothing = sparse ? 0 : ls;
      const y0 = sparse ? 'j === index ? 1 : 0' : t();
      const target =
        smoothing === 0 ? y0 : `${y0} * (1 - ${lit(smoothing)}) + ${lit(smoothing)} / ${cols}`;
      const index = sparse ? [`const index = Math.trunc(${yt}[r]!);`] : [];
      if (logits)
        return {
          head: [],
          value: [
            ...index,
            ...rowMax,
            ...rowSumExp,
            'const lse = m + Math.log(se);',
            'let acc = 0;',
            ...each([`const y = ${target};`, `if (y !== 0) acc -= y * (${p()} - lse);`]),
          ],
          grad: () => [
            ...index,
            ...rowMax,
            ...rowSumExp,
            'let ySum = 0;',
            ...each([`ySum += ${target};`]),
            ...each([
              `const q = Math.exp(${p()} - m) / se;`,
              `const y = ${target};`,
              `${g()} = scale * (q * ySum - y);`,
            ]),
          ],
        };
      const term = `(y !== 0 && ${inClip('q')} ? -y / q : 0)`;
      return {
        head: [],
        value: [
          ...index,
          ...rowSum,
          'let acc = 0;',
          ...each([
            `const y = ${target};`,
            `if (y !== 0) acc -= y * Math.log(${clip(`${p()} / s`)});`,
          ]),
        ],
        grad: () => [
          ...index,
          ...rowSum,
          'let a = 0;',
          ...each([`const y = ${target};`, `const q = ${p()} / s;`, `a += ${term} * ${p()};`]),
          'const shift = a / (s * s);',
          ...each([
            `const y = ${target};`,
            `const q = ${p()} / s;`,
            `${g()} = scale * (${term} / s - shift);`,
          ]),
        ],
      };
    }
    default:
      return null;
  }
}

function checkLoss(spec: LossSpec, layer: string): void {
  if (spec.ignoreClass !== null && spec.name !== 'sparse_categorical_crossentropy')
    throw new EmitError(`loss '${spec.name}' with ignore_class cannot be emitted.`, layer);
}

/** The engine's lossForwardInto: rows' values, the ignore_class mask and the reduction. */
function forwardLines(
  spec: LossSpec,
  code: LossCode,
  yt: string,
  out: string,
  rows: number,
  cols: number,
): string[] {
  const masked = spec.ignoreClass !== null;
  const none = spec.reduction === 'sum' || spec.reduction === 'none';
  const divisor = none ? '1' : masked ? 'valid' : times(rows);
  return [
    ...code.head,
    'let total = 0;',
    ...(masked ? ['let valid = 0;'] : []),
    ...loop('r', times(rows), [
      ...(masked ? [`if (${yt}[r]! === ${lit(spec.ignoreClass!)}) continue;`, 'valid++;'] : []),
      `const o = r * ${cols};`,
      ...code.value,
      'total += acc * 1;',
    ]),
    spec.reduction === 'none'
      ? `${out}[0] = total / ${times(rows)};`
      : masked && !none
        ? `${out}[0] = valid === 0 ? 0 : total / valid;`
        : `${out}[0] = total / ${divisor};`,
  ];
}

function loss(s: StepOf<'loss'>, ctx: StepContext): string[] {
  const { rows, cols, loss: spec } = s.attrs;
  checkLoss(spec, s.layer);
  const yp = ctx.ref(s.inputs[0]!, 'yPred');
  const yt = ctx.ref(s.inputs[1]!, 'yTrue');
  const out = ctx.ref(s.outputs[0]!, 'loss');
  const grad = ctx.ref(s.outputs[1]!, 'grad');
  const code = lossCode(spec, ctx, yt, yp, grad, cols, spec.fromLogits, 'n');
  if (!code || (spec.fromLogits && !spec.name.includes('crossentropy')))
    throw new EmitError(
      `loss '${spec.name}'${spec.fromLogits ? ' (from_logits)' : ''} cannot be emitted yet.`,
      s.layer,
    );
  const masked = spec.ignoreClass !== null;
  const none = spec.reduction === 'sum' || spec.reduction === 'none';
  const divisor = none ? '1' : masked ? 'valid' : times(rows);
  return [
    ...forwardLines(spec, code, yt, out, rows, cols),
    ...(masked
      ? [
          ...loop('r', times(rows), [
            `const o = r * ${cols};`,
            `if (${yt}[r]! === ${lit(spec.ignoreClass!)}${none ? '' : ' || valid === 0'}) {`,
            `  ${grad}.fill(0, o, o + ${cols});`,
            '  continue;',
            '}',
            `const scale = 1 / ${divisor};`,
            ...code.grad(),
          ]),
        ]
      : [
          `const scale = 1 / ${divisor};`,
          ...loop('r', times(rows), [`const o = r * ${cols};`, ...code.grad()]),
        ]),
  ];
}

function fusedLoss(
  s: StepOf<'softmax_cross_entropy'> | StepOf<'sigmoid_cross_entropy'>,
  ctx: StepContext,
  softmax: boolean,
): string[] {
  const { rows, cols, sparse } = s.attrs;
  const spec = { ...s.attrs.loss, fromLogits: true };
  checkLoss(spec, s.layer);
  const probs = ctx.ref(s.inputs[0]!, 'probs');
  const yt = ctx.ref(s.inputs[1]!, 'yTrue');
  const logits = ctx.ref(s.inputs[2]!, 'logits');
  const out = ctx.ref(s.outputs[0]!, 'loss');
  const dl = ctx.ref(s.outputs[1]!, 'dLogits');
  const code = lossCode(spec, ctx, yt, logits, dl, cols, true, 'n');
  if (!code) throw new EmitError(`loss '${spec.name}' cannot be emitted yet.`, s.layer);
  const ls = spec.labelSmoothing;
  const forward = forwardLines(spec, code, yt, out, rows, cols);
  if (softmax)
    return [
      ...forward,
      `const k = 1 / ${times(rows)};`,
      `const off = ${lit(ls)} / ${cols};`,
      ...loop('r', times(rows), [
        `const o = r * ${cols};`,
        ...(sparse ? [`const index = Math.trunc(${yt}[r]!);`] : []),
        ...loop('j', String(cols), [
          `const y = ${sparse ? 'j === index ? 1 : 0' : `${yt}[o + j]!`};`,
          `${dl}[o + j] = k * (${probs}[o + j]! - (y * (1 - ${lit(ls)}) + off));`,
        ]),
      ]),
    ];
  return [
    ...forward,
    `const k = 1 / (${times(rows)} * ${cols});`,
    ...loop('i', times(rows * cols), [
      `const y = ${yt}[i]! * (1 - ${lit(ls)}) + 0.5 * ${lit(ls)};`,
      `${dl}[i] = k * (${probs}[i]! - y);`,
    ]),
  ];
}

function penaltyLines(w: string, length: string, l1: number, l2: number): string[] {
  return [
    'let abs = 0;',
    'let sq = 0;',
    ...loop('i', length, [`const v = ${w}[i]!;`, 'abs += Math.abs(v);', 'sq += v * v;']),
    `const penalty = ${lit(l1)} * abs + ${lit(l2)} * sq;`,
  ];
}

function regularizer(s: StepOf<'regularizer'>, ctx: StepContext): string[] {
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

function activityRegularizer(s: StepOf<'activity_regularizer'>, ctx: StepContext): string[] {
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

function scheduleExpr(spec: OptimizerSpec, step: string, layer: string, current: number): string[] {
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

function optimizer(
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
  const update: string[] = [...scheduleExpr(spec, iterations, s.layer, learningRate)];
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
