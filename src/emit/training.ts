/**
 * `--training`: trainOnBatch() and getWeights() in the generated module, from the training plan.
 * The forward ops are steps.ts's; the gradients are backward.ts's; the losses, regularizers,
 * noise layers and the optimizer step are here. Every formula is the engine's (src/kernels,
 * src/optim) operation for operation, so a step in the module and in the engine agree.
 */
import { concatenateBackward, mergeBackward } from './merge.js';
import type { OptimizerSpec, Plan, PlanStep, StepOf } from '../ir/index.js';
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
import { loop, printCall, times } from './code.js';
import { base64, float32Bytes } from '../bytes/index.js';
import { numberLiteral as lit, stringLiteral } from './literals.js';
import { type Member, type ModuleContext, type ModuleExtension } from './module.js';
import { windowBackwardEmitters } from './windows.js';
import { EmitError, forwardEmitters, type StepContext, type StepEmitter } from './steps.js';
import { fusedLoss, loss } from './losses.js';
import { activityRegularizer, optimizer, regularizer } from './optimizer.js';
import { embeddingBackward, recurrentBackward } from './recurrent-backward.js';
import { dropoutMask } from './spatial-dropout.js';
import { globalPoolBackward, permuteBackward, spatialCopyBackward } from './reshaping.js';
import { spatialDropout, spatialDropoutBackward } from './spatial-dropout.js';

const f32 = Math.fround;

export function trainingExtension(plan: Plan, model: Model): ModuleExtension {
  const opt = plan.steps.find((s): s is StepOf<'optimizer'> => s.op === 'optimizer');
  if (!opt)
    throw new EmitError(`the training plan of model '${model.name}' has no optimizer step.`, '');
  // One loss per output, each reading its own target: what trainOnBatch's y must hold for it.
  const targets = plan.targets.map((id, k) => {
    const lossStep = plan.steps.find(
      (s) =>
        (s.op === 'loss' || s.op === 'softmax_cross_entropy' || s.op === 'sigmoid_cross_entropy') &&
        s.inputs.includes(id),
    ) as StepOf<'loss'> | StepOf<'softmax_cross_entropy'> | undefined;
    if (!lossStep)
      throw new EmitError(
        `the training plan of model '${model.name}' has no loss for output ${k}.`,
        '',
      );
    const sparse =
      lossStep.attrs.loss.name === 'sparse_categorical_crossentropy' ||
      ('sparse' in lossStep.attrs && lossStep.attrs.sparse);
    return {
      id,
      sparse,
      size: plan.buffers[id]!.size,
      outSize: plan.buffers[plan.outputs[k]!]!.size,
    };
  });
  if (plan.loss === null || targets.length !== plan.outputs.length || targets.length === 0)
    throw new EmitError(`the training plan of model '${model.name}' has no loss per output.`, '');
  const several = targets.length > 1;
  const { sparse, size: targetSize } = targets[0]!;
  const rngState = model.rng.snapshot();
  const weightSpecs = model.weightSpecs();
  const learningRate = model.optimizer.learningRate;
  const slotLayout = model.optimizer.slotLayout(opt.attrs.weights.map((w) => size(w.shape)));

  // A batch of a model with several inputs is one array per input, as the module's predict takes it.
  const X = plan.inputs.length > 1 ? 'Inputs' : 'Input';
  const members: Member[] = [
    {
      name: 'trainOnBatch',
      params: [
        ['x', X],
        ['y', several ? 'readonly Input[]' : 'Input'],
      ],
      ret: 'number',
      doc: several
        ? 'One optimizer step on a batch (Keras train_on_batch); returns the total loss before it. y: one target array per output.'
        : `One optimizer step on a batch (Keras train_on_batch); returns the loss before it. y: ${sparse ? 'one class index' : `${targetSize} values`} per sample.`,
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
        plan.steps.some(
          (s) =>
            (s.op === 'dropout' || s.op === 'spatial_dropout' || s.op === 'dropout_mask') &&
            s.attrs.rate > 0 &&
            s.attrs.rate < 1,
        );
      const emitters: Partial<Record<PlanStep['op'], StepEmitter>> = {
        ...forwardEmitters,
        dense_backward: (s, c) => denseBackward(s as StepOf<'dense_backward'>, c),
        activation_backward: (s, c) => activationBackward(s as StepOf<'activation_backward'>, c),
        batch_norm_train: (s, c) => batchNormTrain(s as StepOf<'batch_norm_train'>, c),
        batch_norm_backward: (s, c) => batchNormBackward(s as StepOf<'batch_norm_backward'>, c),
        layer_norm_backward: (s, c) => layerNormBackward(s as StepOf<'layer_norm_backward'>, c),
        unit_norm_backward: (s, c) => unitNormBackward(s as StepOf<'unit_norm_backward'>, c),
        prelu_backward: (s, c) => preluBackward(s as StepOf<'prelu_backward'>, c),
        merge_backward: (s, c) => mergeBackward(s as StepOf<'merge_backward'>, c),
        concatenate_backward: (s, c) => concatenateBackward(s as StepOf<'concatenate_backward'>, c),
        embedding_backward: (s, c) => embeddingBackward(s as StepOf<'embedding_backward'>, c),
        recurrent_backward: (s, c) => recurrentBackward(s as StepOf<'recurrent_backward'>, c),
        global_pool_backward: (s, c) => globalPoolBackward(s as StepOf<'global_pool_backward'>, c),
        spatial_dropout: (s, c) => spatialDropout(s as StepOf<'spatial_dropout'>, c, names.uniform),
        dropout_mask: (s, c) => dropoutMask(s as StepOf<'dropout_mask'>, c, names.uniform),
        spatial_dropout_backward: (s, c) =>
          spatialDropoutBackward(s as StepOf<'spatial_dropout_backward'>, c),
        permute_backward: (s, c) => permuteBackward(s as StepOf<'permute_backward'>, c),
        spatial_copy_backward: (s, c) =>
          spatialCopyBackward(s as StepOf<'spatial_copy_backward'>, c),
        ...windowBackwardEmitters,
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
        // Several outputs: Keras's total Σ weight·loss (summed in double, stored once, as the
        // engine), and an output's gradient scaled by its loss weight.
        weighted_sum: (s, c) => {
          const st = s as StepOf<'weighted_sum'>;
          const ls = st.inputs.map((id, k) => c.ref(id, `loss${k}`));
          const total = c.ref(st.outputs[0]!, 'total');
          return [
            'let sum = 0;',
            ...ls.map((l, k) => `sum += ${lit(st.attrs.weights[k]!)} * ${l}[0]!;`),
            `${total}[0] = sum;`,
          ];
        },
        scale: (s, c) => {
          const st = s as StepOf<'scale'>;
          const x = c.ref(st.outputs[0]!, 'x');
          return loop('i', times(st.attrs.size), [`${x}[i] = ${x}[i]! * ${lit(st.attrs.factor)};`]);
        },
        softmax_cross_entropy: (s, c) => fusedLoss(s as StepOf<'softmax_cross_entropy'>, c, true),
        sigmoid_cross_entropy: (s, c) => fusedLoss(s as StepOf<'sigmoid_cross_entropy'>, c, false),
        regularizer: (s, c) => regularizer(s as StepOf<'regularizer'>, c),
        activity_regularizer: (s, c) => activityRegularizer(s as StepOf<'activity_regularizer'>, c),
        optimizer: (s, c) =>
          optimizer(s as StepOf<'optimizer'>, c, names.iterations, slotLayout, learningRate),
      };
      const { functions, calls } = ctx.steps(plan, plan.steps, emitters);
      const inputs = plan.inputs.map((id) => ctx.refIn(plan, id));
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
      // Each output's targets: y itself for one output, else y[k] in a block of its own.
      const read = targets.flatMap((t, k) => {
        const lines = targetLines(
          several ? 'yk' : 'y',
          several ? `y[${k}]` : 'y',
          t,
          ctx.refIn(plan, t.id),
          several ? 2 : 0,
        );
        return several
          ? ['{', `  const yk = y[${k}]!;`, ...lines.map((l) => `  ${l}`), '}']
          : lines;
      });
      out.push(
        ...ctx.fn({
          name: 'trainOnBatch',
          params: [
            ['x', X],
            ['y', several ? 'readonly Input[]' : 'Input'],
          ],
          ret: 'number',
          doc: members[0]!.doc,
          body: [
            `const n = ${ctx.names.batchOf}(x);`,
            `if (n > ${ctx.names.capacity}) ${ctx.names.grow}(n);`,
            ...ctx.load(inputs),
            ...(several
              ? [
                  `if (y.length !== ${targets.length}) {`,
                  '  throw new RangeError(',
                  `    \`y holds \${y.length} arrays: give one per output (${targets.length})\`,`,
                  '  );',
                  '}',
                ]
              : []),
            ...read,
            `${names.step}(n);`,
            ...(ctx.inference.prepare.length > 0 ? ['prepare();'] : []),
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

/** Lines reading the targets `y` (named `label` in errors) of one output into `view`. */
function targetLines(
  y: string,
  label: string,
  t: { sparse: boolean; size: number; outSize: number },
  view: string,
  /** Columns the lines are indented by inside trainOnBatch's body (a block per output: 2). */
  depth: number,
): string[] {
  const T = t.size;
  const check = t.sparse
    ? [
        `    if (!(Math.trunc(v) >= 0 && Math.trunc(v) < ${t.outSize})) {`,
        '      throw new RangeError(',
        `        \`${label}: row \${r} holds \${v}, not a class index in [0, ${t.outSize})\`,`,
        '      );',
        '    }',
      ]
    : [];
  return [
    `const first = ${y}[0];`,
    'const flat = first === undefined || typeof first === "number";',
    `if (${y}.length !== (flat ? ${times(T)} : n)) {`,
    ...printCall(
      'throw new RangeError',
      [`\`${label} has \${${y}.length} entries for \${n} samples\``],
      4 + depth,
    ).map((l) => `  ${l}`),
    '}',
    'for (let r = 0; r < n; r++) {',
    `  const row = flat ? ${y} : ${y}[r];`,
    `  const at = flat ? ${T === 1 ? 'r' : `r * ${T}`} : 0;`,
    `  if (typeof row !== "object" || (!flat && row.length !== ${T})) {`,
    ...printCall(
      'throw new RangeError',
      [`\`sample \${r} of ${label} must be ${T} number${T === 1 ? '' : 's'}\``],
      6 + depth,
    ).map((l) => `    ${l}`),
    '  }',
    `  for (let j = 0; j < ${T}; j++) {`,
    '    const v = row[at + j];',
    '    if (typeof v !== "number") {',
    `      throw new TypeError(\`${label}[\${r}] is not a number\`);`,
    '    }',
    ...check,
    `    ${view}[${T === 1 ? 'r' : `r * ${T} + j`}] = v;`,
    '  }',
    '}',
  ];
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
