/**
 * Every loss of the engine as module code, forward and gradient, with label smoothing,
 * from_logits, the fused softmax/sigmoid paths and the reductions: src/kernels/losses.ts,
 * loss-crossentropy.ts and loss-elementwise.ts, operation for operation.
 */
import type { LossSpec, PlanStep, StepOf } from '../ir/index.js';
import { loop, times, type Fn } from './code.js';
import { numberLiteral as lit } from './literals.js';
import { EmitError, type StepContext } from './steps.js';

const f32 = Math.fround;

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

/**
 * The condition on row r that drops it from the loss (Keras's mask on y_pred, ignore_class), as
 * the engine's rowMask; null when every row counts.
 */
function dropCondition(spec: LossSpec, yt: string, mask: string | null): string | null {
  const parts = [
    ...(mask !== null ? [`${mask}[r]! === 0`] : []),
    ...(spec.ignoreClass !== null ? [`${yt}[r]! === ${lit(spec.ignoreClass)}`] : []),
  ];
  return parts.length > 0 ? parts.join(' || ') : null;
}

/** The mask buffer a masked loss step reads last, as a parameter named `mask`. */
function maskRef(s: PlanStep & { attrs: { masked?: boolean } }, ctx: StepContext): string | null {
  return s.attrs.masked ? ctx.ref(s.inputs.at(-1)!, 'mask') : null;
}

/** The engine's lossForwardInto: rows' values, the rows dropped (`drop`) and the reduction. */
function forwardLines(
  spec: LossSpec,
  code: LossCode,
  out: string,
  rows: number,
  cols: number,
  drop: string | null,
): string[] {
  const masked = drop !== null;
  const none = spec.reduction === 'sum' || spec.reduction === 'none';
  const divisor = none ? '1' : masked ? 'valid' : times(rows);
  return [
    ...code.head,
    'let total = 0;',
    ...(masked ? ['let valid = 0;'] : []),
    ...loop('r', times(rows), [
      ...(masked ? [`if (${drop}) continue;`, 'valid++;'] : []),
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

export function loss(s: StepOf<'loss'>, ctx: StepContext): string[] {
  const { rows, cols, loss: spec } = s.attrs;
  checkLoss(spec, s.layer);
  const yp = ctx.ref(s.inputs[0]!, 'yPred');
  const yt = ctx.ref(s.inputs[1]!, 'yTrue');
  const drop = dropCondition(spec, yt, maskRef(s, ctx));
  const out = ctx.ref(s.outputs[0]!, 'loss');
  const grad = ctx.ref(s.outputs[1]!, 'grad');
  const code = lossCode(spec, ctx, yt, yp, grad, cols, spec.fromLogits, 'n');
  if (!code || (spec.fromLogits && !spec.name.includes('crossentropy')))
    throw new EmitError(
      `loss '${spec.name}'${spec.fromLogits ? ' (from_logits)' : ''} cannot be emitted yet.`,
      s.layer,
    );
  const none = spec.reduction === 'sum' || spec.reduction === 'none';
  const divisor = none ? '1' : drop !== null ? 'valid' : times(rows);
  return [
    ...forwardLines(spec, code, out, rows, cols, drop),
    ...(drop !== null
      ? [
          ...loop('r', times(rows), [
            `const o = r * ${cols};`,
            `if (${drop}${none ? '' : ' || valid === 0'}) {`,
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

export function fusedLoss(
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
  const mask = maskRef(s, ctx);
  const out = ctx.ref(s.outputs[0]!, 'loss');
  const dl = ctx.ref(s.outputs[1]!, 'dLogits');
  const code = lossCode(spec, ctx, yt, logits, dl, cols, true, 'n');
  if (!code) throw new EmitError(`loss '${spec.name}' cannot be emitted yet.`, s.layer);
  const ls = spec.labelSmoothing;
  const forward = forwardLines(spec, code, out, rows, cols, dropCondition(spec, yt, mask));
  // Keras's mask: the mean over the unmasked rows (`valid`), zero on the others.
  const count = mask !== null ? 'valid' : times(rows);
  const skip = (span: string) =>
    mask !== null
      ? [`if (${mask}[r]! === 0) {`, `  ${dl}.fill(0, ${span});`, '  continue;', '}']
      : [];
  if (softmax)
    return [
      ...forward,
      `const k = 1 / ${count};`,
      `const off = ${lit(ls)} / ${cols};`,
      ...loop('r', times(rows), [
        `const o = r * ${cols};`,
        ...skip(`o, o + ${cols}`),
        ...(sparse ? [`const index = Math.trunc(${yt}[r]!);`] : []),
        ...loop('j', String(cols), [
          `const y = ${sparse ? 'j === index ? 1 : 0' : `${yt}[o + j]!`};`,
          `${dl}[o + j] = k * (${probs}[o + j]! - (y * (1 - ${lit(ls)}) + off));`,
        ]),
      ]),
    ];
  if (mask !== null)
    return [
      ...forward,
      `const k = 1 / (valid * ${cols});`,
      ...loop('r', times(rows), [
        ...skip(`r * ${cols}, (r + 1) * ${cols}`),
        `for (let i = r * ${cols}; i < (r + 1) * ${cols}; i++) {`,
        `  const y = ${yt}[i]! * (1 - ${lit(ls)}) + 0.5 * ${lit(ls)};`,
        `  ${dl}[i] = k * (${probs}[i]! - y);`,
        '}',
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
