/**
 * Plan → module: the generated file's layout. Everything the module computes comes from the
 * optimized plan (its steps, with literal sizes) and the weights; the rest is the module's own
 * small runtime: decoding the weights, reading a batch, one arena laid out by liveness and grown
 * when a larger batch arrives, and the self-test. Text from the .nn and weights files reaches the
 * code only through literals.ts.
 */
import { arenaOf, type Plan, type PlanStep } from '../ir/index.js';
import { firstFit, liveness } from '../plan/index.js';
import { constants as helperConstants } from './activations.js';
import { matmulFn } from './matmul.js';
import { wasmConstants, wasmProductFns } from './wasm.js';
import { indentLines, loop, printCall, printFn, type Fn, type Target } from './code.js';
import { base64, float32Bytes, float64Bytes } from '../bytes/index.js';
import {
  arrayLiteral,
  commentText,
  Names,
  numberLiteral,
  sha256,
  stringLiteral,
} from './literals.js';
import { fill } from './activations.js';
import { EmitError, forwardEmitters, type StepContext, type StepEmitter } from './steps.js';

/** What the module is generated from: plain data, no engine. */
export interface ModuleInput {
  model: string;
  /** The .nn file's name for the header, or null. */
  file: string | null;
  version: string;
  /** Keras's summary() table, quoted in the header. */
  summary: string;
  /** The optimized inference plan. */
  plan: Plan;
  /** Every weight in get_weights() order, back to back: the start of the parameter arena. */
  weights: Float32Array;
  weightSpecs: readonly { layer: string; name: string; shape: readonly number[] }[];
  /** The model's inputs in order, each with its shape per sample (Keras's, without the batch). */
  inputs: readonly { name: string; shape: readonly number[] }[];
  /** The model's outputs in order (Keras's layer names), each with its shape per sample. */
  outputs: readonly { name: string; shape: readonly number[] }[];
  features: readonly string[] | null;
  classes: readonly string[] | null;
  scaler: { kind: string; offset: readonly number[]; scale: readonly number[] } | null;
  /**
   * Inputs (in the model's scaled space) and what the engine predicted for them: `rows` samples
   * of each model input, one input's block after another; the outputs likewise, output after
   * output.
   */
  selfTest: { rows: number; input: Float32Array; output: Float32Array };
  target: Target;
  /** Weights beside the module (its name, for the docs): the module exports createModel only. */
  weightsFile: string | null;
  /** `nn emit --wasm`: the matrix product on the embedded WebAssembly SIMD kernels (wasm.ts). */
  wasm?: boolean;
  /** Parts the training emitter adds (trainOnBatch, getWeights). */
  extensions?: readonly ModuleExtension[];
}

/** A member of the model object: an exported function of the module too. */
export interface Member {
  name: string;
  params: readonly (readonly [string, string])[];
  ret: string;
  doc: string;
}

/** A part of the module contributed by another emitter (the training one). */
export interface ModuleExtension {
  /** Plans whose buffers the module must lay out besides the inference plan's. */
  plans: readonly Plan[];
  /** Lines inside createModel, after the views and the forward steps, already indented by 2 (as ctx.fn prints). */
  body(ctx: ModuleContext): string[];
  members: readonly Member[];
}

/** What an extension can ask of the module. */
export interface ModuleContext extends StepContext {
  target: Target;
  /** The inference plan (whose input view load() fills). */
  inference: Plan;
  /** The view of a buffer of `plan`. */
  refIn(plan: Plan, id: number): string;
  /** Emits one function per step of `plan` (named after their layers) and returns their calls. */
  steps(
    plan: Plan,
    steps: readonly PlanStep[],
    emitters: Partial<Record<PlanStep['op'], StepEmitter>>,
  ): {
    functions: string[];
    calls: string[];
  };
  /** The functions that size the arena and read the batch's size. */
  readonly names: { grow: string; capacity: string; batchOf: string };
  /** Statements that write the batch `x` (n samples) into `views`, one per model input. */
  load(views: readonly string[]): string[];
  /** A fresh identifier. */
  fresh(name: string): string;
  /** Prints a function at the model's indentation. */
  fn(fn: Fn): string[];
}

export interface ModuleOutput {
  code: string;
  /** `--target js`: the declarations beside it. */
  declarations: string | null;
  /** The weights as the module reads them (little-endian float32): W.bin's bytes. */
  weightBytes: Uint8Array;
  sha256: string;
}

/** Local names the module's templates use; buffers and steps never take them. */
const reservedNames = [
  'n',
  'r',
  'p',
  'q',
  's',
  'i',
  'j',
  'c',
  'f',
  'k',
  'v',
  'x',
  'y',
  'b',
  'off',
  'end',
  'sum',
  'mean',
  'sq',
  'd',
  'e',
  'g',
  'invStd',
  'scale',
  'shift',
  'inv',
  'out',
  'row',
  'best',
  'rows',
  'model',
  'weights',
  'bytes',
  'params',
  'work',
  'capacity',
  'grow',
  'run',
  'load',
  'batchOf',
  'prepare',
  'predict',
  'predictInto',
  'classify',
  'selfTest',
  'createModel',
  'trainOnBatch',
  'getWeights',
  'inputShape',
  'inputShapes',
  'inputNames',
  'Inputs',
  'INPUT_SIZES',
  'INPUT_STARTS',
  'into',
  'at',
  'what',
  'F',
  'outputShape',
  'outputShapes',
  'outputNames',
  'OUTPUT_SIZES',
  'size',
  'yk',
  'flat',
  'featureNames',
  'classNames',
  'scaling',
  'bytesOf',
  'floats',
  'floats64',
  'argmax',
  'Input',
  'NnModel',
  'WEIGHTS',
  'WEIGHT_COUNT',
  'SELF_TEST_X',
  'SELF_TEST_Y',
  'OFFSET',
  'SCALE',
  'ERFC',
  'matmul',
  'tile4x4',
  'tile4x1',
  'tile1x4',
  'softmax',
  'logSoftmax',
  'sparsemax',
  'erfc',
  'softplus',
  'sigmoid',
  'hardSigmoid',
  'Float32Array',
  'Math',
  'label',
  'sample',
  'expected',
  'got',
  'want',
  'same',
  'error',
  'ok',
  'maxAbsError',
  'bestWanted',
  'first',
  'text',
  'view',
  'count',
  'base64',
];

export function generateModule(input: ModuleInput): ModuleOutput {
  // Step functions are named after layers, which may be called like a helper ('elu_1'): a first
  // pass finds the helpers the module needs, and the second keeps the layers' names off them.
  const first = new ModuleWriter(input, []);
  first.emitSteps();
  return new ModuleWriter(input, first.helperNames()).write();
}

class ModuleWriter {
  private readonly names = new Names(reservedNames);
  private readonly helpers = new Map<string, Fn>();
  private readonly helperConstants = new Set<string>();
  private readonly intConstants = new Map<string, string[]>();
  /** View identifiers by plan and buffer id. */
  private readonly views = new Map<Plan, Map<number, string>>();
  /** Params views by offset and size, so plans share them. */
  private readonly paramViews = new Map<string, string>();
  /** View declarations by identifier: printed only for views a step or the module reads. */
  private readonly declarations: {
    id: string;
    kind: 'const' | 'let' | 'fixed';
    lines: string[];
  }[] = [];
  private readonly usedViews = new Set<string>();
  /** Per plan: per-sample offsets of its batch-sized buffers, and their total. */
  private readonly growLines: { id: string; lines: string[] }[] = [];
  private workPerSample = 0;
  private paramSize: number;
  private readonly t: Target;
  /** Values per sample of each input, and of all of them (a CSV row's columns). */
  private readonly Fs: readonly number[];
  private readonly F: number;
  /** Values per sample of each output, and of all of them. */
  private readonly Os: readonly number[];
  private readonly O: number;
  private readonly stepNames = new Names();

  constructor(
    private readonly input: ModuleInput,
    helperNames: readonly string[],
  ) {
    for (const h of helperNames) this.stepNames.take(h);
    this.t = input.target;
    this.Fs = input.inputs.map((i) => i.shape.reduce((a, b) => a * b, 1));
    this.F = this.Fs.reduce((a, b) => a + b, 0);
    this.Os = input.outputs.map((o) => o.shape.reduce((a, b) => a * b, 1));
    this.O = this.Os.reduce((a, b) => a + b, 0);
    this.paramSize = input.weights.length;
    const plans = [input.plan, ...(input.extensions ?? []).flatMap((e) => e.plans)];
    for (const plan of plans) this.paramSize = Math.max(this.paramSize, plan.paramSize);
    for (const plan of plans) this.layOut(plan);
  }

  /** Declares a view for every buffer of the plan. */
  private layOut(plan: Plan): void {
    const views = new Map<number, string>();
    this.views.set(plan, views);
    const intervals = liveness({ ...plan, batchSize: 1 }).filter(
      (iv) => plan.buffers[iv.id]!.perSample,
    );
    const { offsets, size } = firstFit(intervals);
    this.workPerSample = Math.max(this.workPerSample, size);
    for (const b of plan.buffers) {
      const used = arenaOf(b) === 'params' || offsets.has(b.id) || (!b.perSample && b.offset >= 0);
      if (!used) continue;
      if (arenaOf(b) === 'params') {
        const key = `${b.offset}:${b.size}`;
        let id = this.paramViews.get(key);
        if (!id) {
          id = this.take(b.name);
          this.paramViews.set(key, id);
          const args = [String(b.offset), String(b.offset + b.size)];
          this.declarations.push({
            id,
            kind: 'const',
            lines: printCall(`const ${id} = params.subarray`, args, 0),
          });
        }
        views.set(b.id, id);
      } else if (b.perSample) {
        const input = plan.inputs.includes(b.id);
        const id = this.take(
          !input ? b.name : plan.inputs.length === 1 ? 'input' : `input_${b.name}`,
        );
        views.set(b.id, id);
        const at = offsets.get(b.id)!;
        this.declarations.push({ id, kind: 'let', lines: [`let ${id} = work;`] });
        const args = [times(at), times(at + b.size)];
        this.growLines.push({ id, lines: printCall(`${id} = work.subarray`, args, 2) });
      } else {
        const id = this.take(b.name);
        views.set(b.id, id);
        this.declarations.push({
          id,
          kind: 'fixed',
          lines: printCall(`const ${id} = new Float32Array`, [String(b.size)], 0),
        });
      }
    }
  }

  private take(name: string): string {
    return this.names.take(name);
  }

  private ref(plan: Plan, id: number): string {
    const view = this.views.get(plan)?.get(id);
    if (view === undefined)
      throw new EmitError(`internal: buffer ${id} of the ${plan.mode} plan has no view.`, '');
    this.usedViews.add(view);
    return view;
  }

  private use(fn: Fn, consts: readonly string[] = []): string {
    if (fn === matmulFn && this.input.wasm) {
      // --wasm: `matmul` becomes the product on the embedded kernels, matmulJs its fallback.
      for (const f of wasmProductFns) this.use(f, ['WASM_GEMM']);
      return fn.name;
    }
    if (!this.helpers.has(fn.name)) this.helpers.set(fn.name, fn);
    for (const c of consts) this.helperConstants.add(c);
    return fn.name;
  }

  private context(plan: Plan): ModuleContext {
    return {
      target: this.t,
      inference: this.input.plan,
      ref: (id) => this.ref(plan, id),
      refIn: (p, id) => this.ref(p, id),
      has: (id) => id !== undefined && id >= 0,
      use: (fn, consts) => this.use(fn, consts),
      constant: (name, type, values) => {
        const id = this.names.take(name);
        const one = `const ${id} = new ${type}([${values.join(', ')}]);`;
        this.intConstants.set(
          id,
          one.length <= 80
            ? [one]
            : [`const ${id} = new ${type}([`, ...fill(values.map(String), 2), ']);'],
        );
        return id;
      },
      steps: (p, steps, emitters) => this.stepFunctions(p, steps, emitters),
      names: { grow: 'grow', capacity: 'capacity', batchOf: 'batchOf' },
      load: (views) => this.loadCalls(views),
      fresh: (name) => this.names.take(name),
      fn: (fn) => printFn(fn, this.t, 2),
    };
  }

  /**
   * One function per step, named after its layer, taking its buffers as parameters named for
   * their part (x, kernel, bias, y…), so the body reads like the kernel and its lines stay short
   * whatever the layers are called; `calls` pass the module's views.
   */
  private stepFunctions(
    plan: Plan,
    steps: readonly PlanStep[],
    emitters: Partial<Record<PlanStep['op'], StepEmitter>>,
  ): { functions: string[]; calls: string[] } {
    const functions: string[] = [];
    const calls: string[] = [];
    for (const step of steps) {
      const emit = emitters[step.op];
      if (!emit)
        throw new EmitError(
          `layer '${step.layer}' needs the '${step.op}' kernel, which the emitter cannot write yet.`,
          step.layer,
        );
      const params = new Map<number, string>();
      const args: string[] = [];
      const taken = new Set<string>();
      const ctx: StepContext = {
        ...this.context(plan),
        ref: (id, hint) => {
          let name = params.get(id);
          if (name) return name;
          name = hint;
          for (let k = 2; taken.has(name); k++) name = `${hint}${k}`;
          taken.add(name);
          params.set(id, name);
          args.push(this.ref(plan, id));
          return name;
        },
      };
      const body = emit(step, ctx);
      if (body.length === 0) continue;
      const name = this.stepNames.take(
        `${step.layer}${plan.mode === 'inference' ? '' : `_${step.op}`}`,
      );
      const usesN = body.some((l) => /\bn\b/.test(l));
      const fnParams: [string, string][] = [
        ...(usesN ? [['n', 'number'] as [string, string]] : []),
        ...[...params.values()].map((p): [string, string] => [p, 'Float32Array']),
      ];
      functions.push(
        ...printFn(
          {
            name,
            params: fnParams,
            ret: 'void',
            body,
            doc: `${commentText(step.layer)}: ${step.op}${describe(step)}.`,
          },
          this.t,
          2,
        ),
        '',
      );
      calls.push(...printCall(name, [...(usesN ? ['n'] : []), ...args], 2));
    }
    return { functions, calls };
  }

  write(): ModuleOutput {
    const { input, t } = this;
    const plan = input.plan;
    if (plan.inputs.length !== input.inputs.length || plan.outputs.length !== input.outputs.length)
      throw new EmitError(
        `internal: the plan has ${plan.inputs.length} inputs and ${plan.outputs.length} outputs, the model ${input.inputs.length} and ${input.outputs.length}.`,
        '',
      );
    const { prepare, forward, extensionLines } = this.emitSteps();
    const xs = plan.inputs.map((id) => this.ref(plan, id));
    const ys = plan.outputs.map((id) => this.ref(plan, id));
    const weightBytes = float32Bytes(input.weights);
    const hash = sha256(weightBytes);
    const members = this.members();

    const out: string[] = [];
    out.push(...this.header(hash), '');
    out.push(...this.typeDeclarations(members), '');
    out.push(...this.constantsBlock(), '');
    for (const fn of this.runtimeHelpers()) out.push(...printFn(fn, t, 0), '');
    for (const fn of this.helpers.values()) out.push(...printFn(fn, t, 0), '');
    for (const c of this.helperConstants)
      out.push(...(helperConstants[c] ?? wasmConstants[c]!), '');
    for (const lines of this.intConstants.values()) out.push(...lines, '');

    // createModel
    const body: string[] = [
      'const bytes =',
      '  weights instanceof Uint8Array ? weights : new Uint8Array(weights);',
      `if (bytes.byteLength !== ${input.weights.length * 4}) {`,
      '  throw new RangeError(',
      `    \`expected ${input.weights.length * 4} bytes of weights (${input.weights.length} float32 values), got \${bytes.byteLength}\`,`,
      '  );',
      '}',
      `const params = new Float32Array(${this.paramSize});`,
      `params.set(floats(bytes, ${input.weights.length}));`,
      ...this.viewDeclarations('const'),
      ...this.viewDeclarations('fixed'),
      'let capacity = 0;',
      'let work = new Float32Array(0);',
      ...this.viewDeclarations('let'),
      '',
    ];
    out.push(
      ...printFn(
        {
          name: 'createModel',
          exported: true,
          params: [['weights', 'ArrayBuffer | Uint8Array']],
          ret: 'NnModel',
          doc: `A model over its weights (${input.weights.length} float32 values, little endian, in get_weights() order).`,
          body: [''],
        },
        t,
        0,
      ).slice(0, -2),
    );
    out.push(...indentLines(body, 2));
    out.push(
      ...printFn(
        {
          name: 'grow',
          params: [['n', 'number']],
          ret: 'void',
          doc: 'Sizes the arena for a batch of n samples (liveness-shared buffers).',
          body: [
            'capacity = n;',
            `work = new Float32Array(${times(this.workPerSample)});`,
            ...this.growLines.filter((g) => this.usedViews.has(g.id)).flatMap((g) => g.lines),
          ],
        },
        t,
        2,
      ),
      '',
    );
    out.push(...forward.functions, ...prepare.functions);
    out.push(
      ...printFn(
        {
          name: 'run',
          // A model that is the identity at inference (only noise layers) has nothing to run.
          params: [[forward.calls.length ? 'n' : '_n', 'number']],
          ret: 'void',
          doc: 'The forward pass over n samples.',
          body: forward.calls,
        },
        t,
        2,
      ),
      '',
    );
    if (prepare.calls.length > 0) {
      out.push(
        ...printFn(
          {
            name: 'prepare',
            params: [],
            ret: 'void',
            doc: 'Recomputes what the weights determine (folded normalization).',
            body: prepare.calls,
          },
          t,
          2,
        ),
        '',
      );
    }
    out.push(...this.ioFunctions(xs, ys).flatMap((fn) => [...printFn(fn, t, 2), '']));
    out.push(...extensionLines);
    if (prepare.calls.length > 0) out.push('  prepare();');
    const returned = members.map((m) => m.name);
    const flat = `  return { ${returned.join(', ')} };`;
    if (flat.length <= 80) out.push(flat);
    else out.push('  return {', ...returned.map((m) => `    ${m},`), '  };');
    out.push('}', '');

    if (!input.weightsFile) {
      out.push('const model = createModel(bytesOf(WEIGHTS));', '');
      for (const m of members) {
        out.push(
          ...printFn(
            {
              name: m.name,
              exported: true,
              params: m.params,
              ret: m.ret,
              doc: m.doc,
              body: [`return model.${m.name}(${m.params.map(([n]) => n).join(', ')});`],
            },
            t,
            0,
          ),
          '',
        );
      }
    }
    const code = out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/\n+$/, '\n');
    return {
      code,
      declarations: t === 'js' ? this.dts(members) : null,
      weightBytes,
      sha256: hash,
    };
  }

  /** Every step's function, the forward pass's and the extensions'. */
  emitSteps() {
    const plan = this.input.plan;
    const ctx = this.context(plan);
    // Names used by the step functions are taken after the buffers, so a layer never shadows one.
    for (const id of this.paramViews.values()) this.stepNames.take(id);
    for (const n of [...reservedNames, ...this.allViewNames()]) this.stepNames.take(n);
    const prepare = ctx.steps(plan, plan.prepare, forwardEmitters);
    const forward = ctx.steps(plan, plan.steps, forwardEmitters);
    const extensionLines = (this.input.extensions ?? []).flatMap((e) => e.body(ctx));
    return { ctx, prepare, forward, extensionLines };
  }

  /** The declarations of one kind of the views that something reads, relative to createModel's body. */
  private viewDeclarations(kind: 'const' | 'let' | 'fixed'): string[] {
    return this.declarations
      .filter((d) => d.kind === kind && this.usedViews.has(d.id))
      .flatMap((d) => d.lines);
  }

  /** The module-level functions this module declares. */
  helperNames(): string[] {
    return [...this.helpers.keys()];
  }

  private allViewNames(): string[] {
    return [...this.views.values()].flatMap((m) => [...m.values()]);
  }

  /**
   * The type of a batch `x`: `Input`, or for several inputs `Inputs`, one array per input in the
   * model's order — `predict([a, b])` as Keras's `model.predict([a, b])` and the library's
   * `Model.predict` take it. A list rather than one parameter per input keeps `predictInto(x,
   * out)` and `trainOnBatch(x, y)` as they are for every model, and the tuple's labels still name
   * each input in an editor.
   */
  private get batchType(): string {
    return this.Fs.length > 1 ? 'Inputs' : 'Input';
  }

  /** How the docs speak of a batch: one array per input (named) for several inputs. */
  private get batchDoc(): string {
    if (this.Fs.length === 1) return 'a batch of samples';
    const names = this.input.inputs.map((i) => commentText(i.name)).join(', ');
    return `a batch, one array per input (${names})`;
  }

  private members(): Member[] {
    const { O, input } = this;
    const X = this.batchType;
    const several = this.Os.length > 1;
    // Several outputs: one array per output, as Keras's predict returns a list.
    const Y = several ? 'Float32Array[]' : 'Float32Array';
    const outputs = input.outputs.map((o) => commentText(o.name)).join(', ');
    const members: Member[] = [
      {
        name: 'predict',
        params: [['x', X]],
        ret: Y,
        doc: several
          ? `Outputs for ${this.batchDoc}: one row-major array per output (${outputs}).`
          : `Outputs for ${this.batchDoc}, row-major: batch × ${O}.`,
      },
      {
        name: 'predictInto',
        params: [
          ['x', X],
          ['out', several ? 'readonly Float32Array[]' : 'Float32Array'],
        ],
        ret: several ? 'readonly Float32Array[]' : 'Float32Array',
        doc: several
          ? 'predict() into out (one array per output, each large enough), allocating nothing.'
          : `predict() into out (at least batch × ${O} values), allocating nothing.`,
      },
    ];
    // Classes name the one output the training data's target column fills.
    if (input.classes && !several)
      members.push({
        name: 'classify',
        params: [['x', X]],
        ret: 'string[]',
        doc: 'The predicted class of each sample, by the training’s class names.',
      });
    members.push({
      name: 'selfTest',
      params: [],
      ret: '{ ok: boolean; maxAbsError: number }',
      doc: 'Runs inputs saved at emit time against the engine’s outputs for them.',
    });
    for (const e of input.extensions ?? []) members.push(...e.members);
    return members;
  }

  private header(hash: string): string[] {
    const { input } = this;
    const from = input.file ? ` from ${commentText(input.file)}` : '';
    const lines = [
      `// Generated by nnlang ${input.version} (nn emit)${from}: model ${commentText(JSON.stringify(input.model))}.`,
      '// Standalone: no imports; runs in Node ≥ 18, browsers, Deno, Bun and web workers.',
      `// Weights: ${input.weights.length} float32 values, sha256 ${hash}${input.weightsFile ? ` (${commentText(input.weightsFile)})` : ''}.`,
      '// Do not edit: emit it again from the .nn file.',
      '//',
      ...input.summary
        .replace(/\n+$/, '')
        .split('\n')
        .map((l) => (l === '' ? '//' : `// ${commentText(l)}`.trimEnd())),
    ];
    return lines;
  }

  /** The labels of the `Inputs` tuple: the inputs' names as identifiers, each once. */
  private inputLabels(): string[] {
    const labels = new Names();
    return this.input.inputs.map((i) => labels.take(i.name));
  }

  /** `export type Inputs = readonly [a: Input, b: Input];` as Prettier lays it out (module and .d.ts). */
  private inputsType(): string[] {
    if (this.Fs.length === 1) return [];
    const items = this.inputLabels().map((l) => `${l}: Input`);
    const head = 'export type Inputs = readonly [';
    const one = `${head}${items.join(', ')}];`;
    return [
      '/** A batch of every input: one array per input, in the model’s order (Keras’s list). */',
      ...(one.length <= 80 ? [one] : [head, ...items.map((i) => `  ${i},`), '];']),
      '',
    ];
  }

  private typeDeclarations(members: Member[]): string[] {
    if (this.t === 'js') {
      const labels = this.inputLabels().map((l) => `${l}: Input`);
      return [
        '/** @typedef {Float32Array | readonly number[] | readonly (readonly number[])[]} Input */',
        ...(this.Fs.length > 1 ? [`/** @typedef {readonly [${labels.join(', ')}]} Inputs */`] : []),
        '',
        '/**',
        ' * @typedef {object} NnModel',
        ...members.map(
          (m) =>
            ` * @property {(${m.params.map(([n, ty]) => `${n}: ${ty}`).join(', ')}) => ${m.ret}} ${m.name}`,
        ),
        ' */',
      ];
    }
    return [
      '/** A batch: a flat array of batch × features values, or one array per sample. */',
      'export type Input =',
      '  Float32Array | readonly number[] | readonly (readonly number[])[];',
      '',
      ...this.inputsType(),
      '/** The model: what createModel returns. */',
      'export interface NnModel {',
      ...members.flatMap((m) => [`  /** ${m.doc} */`, ...memberSignature(m)]),
      '}',
    ];
  }

  /** An exported constant; `printed` is the type as Prettier lays it out in TypeScript, if it breaks. */
  private constDecl(
    name: string,
    type: string,
    value: string,
    doc: string,
    printed = type,
  ): string[] {
    if (this.t === 'ts') return [`/** ${doc} */`, `export const ${name}: ${printed} = ${value};`];
    return [`/** @type {${type}} ${doc} */`, `export const ${name} = ${value};`];
  }

  private constantsBlock(): string[] {
    const { input } = this;
    const out: string[] = [];
    const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
    const multi = input.inputs.length > 1;
    const severalOutputs = input.outputs.length > 1;
    // A model with one input (output) keeps Keras's input_shape (output_shape) beside the lists.
    const one = (name: string, s: readonly number[], doc: string) =>
      out.push(...this.constDecl(name, 'readonly number[]', shape(s), doc), '');
    if (!multi)
      one(
        'inputShape',
        input.inputs[0]!.shape,
        'One sample’s shape (Keras’s input_shape without the batch).',
      );
    const shapeList = (
      name: string,
      list: readonly { shape: readonly number[] }[],
      doc: string,
    ) => {
      const shapes = list.map((i) => shape(i.shape));
      const type = 'readonly (readonly number[])[]';
      const prefix =
        this.t === 'ts' ? `export const ${name}: ${type} = ` : `export const ${name} = `;
      // Prettier breaks an array whose every element is an array of more than one element.
      const value =
        shapes.length > 1 && list.every((i) => i.shape.length > 1)
          ? `[\n${shapes.map((v) => `  ${v},`).join('\n')}\n]`
          : arrayLiteral(shapes, 0, prefix.length);
      out.push(...this.constDecl(name, type, value, doc), '');
    };
    shapeList(
      'inputShapes',
      input.inputs,
      'Each input’s sample shape, in the model’s order (Keras’s input_shape without the batch).',
    );
    if (!severalOutputs) one('outputShape', input.outputs[0]!.shape, 'One output’s shape.');
    shapeList('outputShapes', input.outputs, 'Each output’s sample shape, in the model’s order.');
    const strings = (name: string, values: readonly string[], doc: string) => {
      const items = values.map(stringLiteral);
      const prefix =
        this.t === 'ts' ? `export const ${name}: readonly string[] = ` : `export const ${name} = `;
      const one = `${prefix}[${items.join(', ')}];`;
      const value =
        one.length <= 80
          ? `[${items.join(', ')}]`
          : `[\n${items.map((i) => `  ${i},`).join('\n')}\n]`;
      out.push(...this.constDecl(name, 'readonly string[]', value, doc), '');
    };
    const ints = (name: string, values: readonly number[]) => {
      const one = `const ${name} = [${values.join(', ')}];`;
      out.push(
        ...(one.length <= 80 ? [one] : [`const ${name} = [`, ...fill(values.map(String), 2), '];']),
      );
    };
    if (multi)
      strings(
        'inputNames',
        input.inputs.map((i) => i.name),
        'The model’s inputs, in the order predict() takes their arrays.',
      );
    if (severalOutputs)
      strings(
        'outputNames',
        input.outputs.map((o) => o.name),
        'The model’s outputs (their layers), in the order predict() returns their arrays.',
      );
    if (multi) ints('INPUT_SIZES', this.Fs);
    // Where each input's values start in a row of the training data (its scaling's columns).
    if (multi && input.scaler)
      ints(
        'INPUT_STARTS',
        this.Fs.map((_, k) => this.Fs.slice(0, k).reduce((a, b) => a + b, 0)),
      );
    if (severalOutputs) ints('OUTPUT_SIZES', this.Os);
    if (multi || severalOutputs) out.push('');
    if (input.features)
      strings(
        'featureNames',
        input.features,
        multi
          ? 'The training data’s feature columns, in order: the inputs’ values back to back.'
          : 'The training data’s feature columns, in order.',
      );
    if (input.classes && !severalOutputs)
      strings(
        'classNames',
        input.classes,
        'The class of each output, as the training data named them.',
      );
    if (input.scaler) {
      // Broken as Prettier breaks a call whose one argument does not fit (five columns or more).
      const decode = (name: string, values: readonly number[]) => {
        const literal = stringLiteral(base64(float64Bytes(values)));
        const one = `const ${name} = floats64(${literal});`;
        return one.length <= 80 ? [one] : [`const ${name} = floats64(`, `  ${literal},`, ');'];
      };
      out.push(
        ...decode('OFFSET', input.scaler.offset),
        ...decode('SCALE', input.scaler.scale),
        '',
      );
      out.push(
        ...this.constDecl(
          'scaling',
          '{ kind: string; offset: Float64Array; scale: Float64Array }',
          `{\n  kind: ${stringLiteral(input.scaler.kind)},\n  offset: OFFSET,\n  scale: SCALE,\n}`,
          'The scaling nn train fitted; predict() applies it: x′ = (x − offset)·scale.',
          '{\n  kind: string;\n  offset: Float64Array;\n  scale: Float64Array;\n}',
        ),
        '',
      );
    }
    const blob = (name: string, values: Float32Array) => {
      const literal = stringLiteral(base64(float32Bytes(values)));
      const one = `const ${name} = ${literal};`;
      return one.length <= 80 ? one : `const ${name} =\n  ${literal};`;
    };
    if (!input.weightsFile) out.push(blob('WEIGHTS', input.weights), '');
    out.push(blob('SELF_TEST_X', input.selfTest.input));
    out.push(blob('SELF_TEST_Y', input.selfTest.output));
    return out;
  }

  private runtimeHelpers(): Fn[] {
    const fns: Fn[] = [
      {
        name: 'bytesOf',
        params: [['base64', 'string']],
        ret: 'Uint8Array',
        doc: 'Decodes base64 (atob: Node ≥ 16, browsers, Deno, Bun, workers).',
        body: [
          'const text = atob(base64);',
          'const bytes = new Uint8Array(text.length);',
          'for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);',
          'return bytes;',
        ],
      },
      {
        name: 'floats',
        params: [
          ['bytes', 'Uint8Array'],
          ['count', 'number'],
        ],
        ret: 'Float32Array',
        doc: 'count little-endian float32 values, whatever the host’s byte order.',
        body: [
          'const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);',
          'const out = new Float32Array(count);',
          'for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);',
          'return out;',
        ],
      },
    ];
    if (this.input.scaler)
      fns.push({
        name: 'floats64',
        params: [['base64', 'string']],
        ret: 'Float64Array',
        doc: 'Little-endian float64 values from base64.',
        body: [
          'const bytes = bytesOf(base64);',
          'const view = new DataView(bytes.buffer);',
          'const out = new Float64Array(bytes.length / 8);',
          'for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);',
          'return out;',
        ],
      });
    return fns;
  }

  /** batchOf, load, predictInto, predict, classify, selfTest: inside createModel. */
  private ioFunctions(xs: readonly string[], ys: readonly string[]): Fn[] {
    const { O, input } = this;
    const X = this.batchType;
    const y = ys[0]!;
    const several = ys.length > 1;
    const fns: Fn[] = [this.batchOf(), this.load()];
    if (several) fns.push(...this.predictOutputs(xs, ys));
    else
      fns.push(
        {
          name: 'predictInto',
          params: [
            ['x', X],
            ['out', 'Float32Array'],
          ],
          ret: 'Float32Array',
          doc: `Outputs into out (at least batch × ${O} values); allocates nothing.`,
          body: [
            'const n = batchOf(x);',
            `if (out.length < ${times(O)}) {`,
            '  throw new RangeError(',
            `    \`out holds \${out.length} values; the batch needs \${${times(O)}}\`,`,
            '  );',
            '}',
            'if (n > capacity) grow(n);',
            ...this.loadCalls(xs),
            'run(n);',
            `for (let i = 0; i < ${times(O)}; i++) out[i] = ${y}[i]!;`,
            'return out;',
          ],
        },
        {
          name: 'predict',
          params: [['x', X]],
          ret: 'Float32Array',
          doc: `Outputs for a batch, row-major: batch × ${O}.`,
          body: [`return predictInto(x, new Float32Array(${times(O, 'batchOf(x)')}));`],
        },
      );
    if (input.classes && !several) {
      const decide =
        O === 1
          ? ['const best = y[r]! > 0.5 ? 1 : 0;']
          : [
              'let best = 0;',
              `for (let j = 1; j < ${O}; j++) {`,
              `  if (y[r * ${O} + j]! > y[r * ${O} + best]!) best = j;`,
              '}',
            ];
      fns.push({
        name: 'classify',
        params: [['x', X]],
        ret: 'string[]',
        doc: 'The predicted class of each sample.',
        body: [
          'const y = predict(x);',
          `return Array.from({ length: y.length / ${O} }, (_, r) => {`,
          ...decide.map((l) => `  ${l}`),
          '  return classNames[best] ?? String(best);',
          '});',
        ],
      });
    }
    const R = input.selfTest.rows;
    fns.push({
      name: 'selfTest',
      params: [],
      ret: '{ ok: boolean; maxAbsError: number }',
      doc: 'Compares outputs for inputs saved at emit time with the engine’s.',
      body: [
        `const sample = floats(bytesOf(SELF_TEST_X), ${R * this.F});`,
        `const expected = floats(bytesOf(SELF_TEST_Y), ${R * O});`,
        `if (${R} > capacity) grow(${R});`,
        // Each input's R samples, one input's block after another.
        ...(xs.length === 1
          ? [`${xs[0]}.set(sample);`]
          : xs.flatMap((x, k) => {
              const at = R * this.Fs.slice(0, k).reduce((a, b) => a + b, 0);
              return printCall(`${x}.set`, [`sample.subarray(${at}, ${at + R * this.Fs[k]!})`], 2);
            })),
        `run(${R});`,
        'let ok = true;',
        'let maxAbsError = 0;',
        // Each output's R samples, one output's block after another.
        ...ys.flatMap((y, k) => {
          const Ok = this.Os[k]!;
          const at = R * this.Os.slice(0, k).reduce((a, b) => a + b, 0);
          const e = (i: string) => `expected[${at === 0 ? '' : `${at} + `}r * ${Ok} + ${i}]!`;
          return [
            `for (let r = 0; r < ${R}; r++) {`,
            '  let best = 0;',
            '  let bestWanted = 0;',
            `  for (let j = 0; j < ${Ok}; j++) {`,
            `    const got = ${y}[r * ${Ok} + j]!;`,
            `    const want = ${e('j')};`,
            '    const same = got === want || (got !== got && want !== want);',
            '    const error = same ? 0 : Math.abs(got - want);',
            '    if (!(same || error <= 1e-5 * Math.max(1, Math.abs(want)))) ok = false;',
            '    if (!(error <= maxAbsError)) maxAbsError = error;',
            `    if (got > ${y}[r * ${Ok} + best]!) best = j;`,
            `    if (want > ${e('bestWanted')}) bestWanted = j;`,
            '  }',
            '  if (best !== bestWanted) ok = false;',
            '}',
          ];
        }),
        'return { ok, maxAbsError };',
      ],
    });
    return fns;
  }

  /**
   * predictInto and predict of a model with several outputs: one row-major array per output, in
   * the model's order, as Keras's predict returns a list.
   */
  private predictOutputs(xs: readonly string[], ys: readonly string[]): Fn[] {
    const X = this.batchType;
    const K = ys.length;
    const names = this.input.outputs.map((o) => commentText(o.name)).join(', ');
    return [
      {
        name: 'predictInto',
        params: [
          ['x', X],
          ['out', 'readonly Float32Array[]'],
        ],
        ret: 'readonly Float32Array[]',
        doc: 'Outputs into out, one array per output (each at least batch × its size); allocates nothing.',
        body: [
          'const n = batchOf(x);',
          `if (out.length !== ${K}) {`,
          ...printCall(
            'throw new RangeError',
            [`\`out holds \${out.length} arrays: give one per output (${escapeTemplate(names)})\``],
            4,
          ).map((l) => `  ${l}`),
          '}',
          `for (let k = 0; k < ${K}; k++) {`,
          '  const size = n * OUTPUT_SIZES[k]!;',
          '  if (out[k]!.length < size) {',
          '    throw new RangeError(',
          '      `out[${k}] holds ${out[k]!.length} values; the batch needs ${size}`,',
          '    );',
          '  }',
          '}',
          'if (n > capacity) grow(n);',
          ...this.loadCalls(xs),
          'run(n);',
          ...ys.flatMap((y, k) => loop('i', times(this.Os[k]!), [`out[${k}]![i] = ${y}[i]!;`])),
          'return out;',
        ],
      },
      {
        name: 'predict',
        params: [['x', X]],
        ret: 'Float32Array[]',
        doc: 'Outputs for a batch: one row-major array per output.',
        body: [
          'const n = batchOf(x);',
          'const out = OUTPUT_SIZES.map((size) => new Float32Array(n * size));',
          'predictInto(x, out);',
          'return out;',
        ],
      },
    ];
  }

  /** Statements writing the batch `x` (n samples) into `views`, one per model input. */
  private loadCalls(views: readonly string[]): string[] {
    if (views.length === 1) return [`load(x, n, ${views[0]});`];
    return views.flatMap((v, k) => printCall('load', [`x[${k}]`, 'n', v, String(k)], 2));
  }

  /** batchOf(x): the samples in a batch, checked against each input's size. */
  private batchOf(): Fn {
    const { F, Fs } = this;
    const K = Fs.length;
    if (K === 1)
      return {
        name: 'batchOf',
        params: [['x', 'Input']],
        ret: 'number',
        doc: `Samples in a batch (${F} values each).`,
        body: [
          'const first = x[0];',
          'if (first === undefined || typeof first === "number") {',
          `  if (x.length % ${F} !== 0) {`,
          '    throw new RangeError(',
          `      \`x has \${x.length} values: not a whole number of samples of ${F}\`,`,
          '    );',
          '  }',
          `  return x.length / ${F};`,
          '}',
          'return x.length;',
        ],
      };
    const names = this.input.inputs.map((i) => commentText(i.name)).join(', ');
    return {
      name: 'batchOf',
      params: [['x', 'Inputs']],
      ret: 'number',
      doc: 'Samples in a batch: each input’s array holds as many.',
      body: [
        // The tuple type fixes the length; JavaScript callers may still pass another.
        'const count = x.length;',
        `if (count !== ${K}) {`,
        ...printCall(
          'throw new RangeError',
          [`\`x holds \${count} arrays: give one per input (${escapeTemplate(names)})\``],
          4,
        ).map((l) => `  ${l}`),
        '}',
        'let n = 0;',
        `for (let k = 0; k < ${K}; k++) {`,
        '  const xk = x[k]!;',
        '  const F = INPUT_SIZES[k]!;',
        '  const first = xk[0];',
        '  let rows = xk.length;',
        '  if (first === undefined || typeof first === "number") {',
        '    if (xk.length % F !== 0) {',
        '      throw new RangeError(',
        "        `x[${k}] ('${inputNames[k]}') has ${xk.length} values: not a whole number of samples of ${F}`,",
        '      );',
        '    }',
        '    rows = xk.length / F;',
        '  }',
        '  if (k > 0 && rows !== n) {',
        '    throw new RangeError(`x[${k}] has ${rows} samples, x[0] has ${n}`);',
        '  }',
        '  n = rows;',
        '}',
        'return n;',
      ],
    };
  }

  /**
   * load(x, n, into): writes one input's batch into its buffer, scaled as in training when the
   * module has a scaling. For several inputs it takes the input's index k, for its size, its
   * name in messages and where its columns start in the scaling (the training data's row holds
   * the inputs' values back to back).
   */
  private load(): Fn {
    const { input } = this;
    const multi = this.Fs.length > 1;
    const F = multi ? 'F' : String(this.F);
    const all = multi ? 'n * F' : times(this.F);
    // The scaling's column of value j of the input: its own index, or after the earlier inputs'.
    const store = (into: string, v: string, j: string): string[] => {
      if (!input.scaler) return [`into[${into}] = ${v};`];
      const scaled = (c: string) =>
        `into[${into}] = (Math.fround(${v}) - OFFSET[${c}]!) * SCALE[${c}]!;`;
      if (!multi) return [scaled(j)];
      return [`const c = at + ${j.includes(' ') ? `(${j})` : j};`, scaled('c')];
    };
    const x = multi ? '${what}' : 'x';
    return {
      name: 'load',
      params: [
        ['x', 'Input'],
        ['n', 'number'],
        ['into', 'Float32Array'],
        ...(multi ? [['k', 'number'] as const] : []),
      ],
      ret: 'void',
      doc: input.scaler
        ? 'Writes a batch of an input into its buffer, scaled as in training.'
        : 'Writes a batch of an input into its buffer.',
      body: [
        ...(multi
          ? [
              'const F = INPUT_SIZES[k]!;',
              ...(input.scaler ? ['const at = INPUT_STARTS[k]!;'] : []),
              "const what = `x[${k}] ('${inputNames[k]}')`;",
            ]
          : []),
        'if (x instanceof Float32Array) {',
        ...(input.scaler
          ? [
              `  for (let i = 0; i < ${all}; i++) {`,
              ...store('i', 'x[i]!', `i % ${F}`).map((l) => `    ${l}`),
              '  }',
            ]
          : ['  into.set(x);']),
        '  return;',
        '}',
        'const first = x[0];',
        'if (first === undefined || typeof first === "number") {',
        `  for (let i = 0; i < ${all}; i++) {`,
        '    const v = x[i];',
        '    if (typeof v !== "number") {',
        `      throw new TypeError(\`${x}[\${i}] is not a number\`);`,
        '    }',
        ...store('i', 'v', `i % ${F}`).map((l) => `    ${l}`),
        '  }',
        '  return;',
        '}',
        'for (let r = 0; r < n; r++) {',
        '  const row = x[r];',
        `  if (typeof row !== "object" || row.length !== ${F}) {`,
        ...printCall(
          'throw new RangeError',
          [`\`sample \${r} of ${x} must be an array of ${multi ? '${F}' : F} numbers\``],
          6,
        ).map((l) => `    ${l}`),
        '  }',
        `  for (let j = 0; j < ${F}; j++) {`,
        '    const v = row[j];',
        '    if (typeof v !== "number") {',
        `      throw new TypeError(\`${x}[\${r}][\${j}] is not a number\`);`,
        '    }',
        ...store(`r * ${F} + j`, 'v', 'j').map((l) => `    ${l}`),
        '  }',
        '}',
      ],
    };
  }

  private dts(members: Member[]): string {
    const { input } = this;
    const lines = [
      `// Types of the module nnlang ${input.version} generated for model ${commentText(JSON.stringify(input.model))}.`,
      '',
      '/** A batch: a flat array of batch × features values, or one array per sample. */',
      'export type Input =',
      '  Float32Array | readonly number[] | readonly (readonly number[])[];',
      '',
      ...this.inputsType(),
      'export interface NnModel {',
      ...members.flatMap((m) => [`  /** ${m.doc} */`, ...memberSignature(m)]),
      '}',
      '',
      ...(this.Fs.length === 1 ? ['export declare const inputShape: readonly number[];'] : []),
      'export declare const inputShapes: readonly (readonly number[])[];',
      ...(this.Fs.length > 1 ? ['export declare const inputNames: readonly string[];'] : []),
      ...(this.Os.length === 1 ? ['export declare const outputShape: readonly number[];'] : []),
      'export declare const outputShapes: readonly (readonly number[])[];',
      ...(this.Os.length > 1 ? ['export declare const outputNames: readonly string[];'] : []),
      ...(input.features ? ['export declare const featureNames: readonly string[];'] : []),
      ...(input.classes && this.Os.length === 1
        ? ['export declare const classNames: readonly string[];']
        : []),
      ...(input.scaler
        ? [
            'export declare const scaling: {',
            '  kind: string;',
            '  offset: Float64Array;',
            '  scale: Float64Array;',
            '};',
          ]
        : []),
      'export declare function createModel(weights: ArrayBuffer | Uint8Array): NnModel;',
      ...(input.weightsFile
        ? []
        : members.flatMap((m) => {
            const one = `export declare function ${m.name}(${m.params.map(([n, ty]) => `${n}: ${ty}`).join(', ')}): ${m.ret};`;
            return one.length <= 80
              ? [one]
              : [
                  `export declare function ${m.name}(`,
                  ...m.params.map(([n, ty]) => `  ${n}: ${ty},`),
                  `): ${m.ret};`,
                ];
          })),
    ];
    return lines.join('\n') + '\n';
  }
}

function memberSignature(m: Member): string[] {
  const one = `  ${m.name}(${m.params.map(([n, t]) => `${n}: ${t}`).join(', ')}): ${m.ret};`;
  if (one.length <= 80) return [one];
  return [`  ${m.name}(`, ...m.params.map(([n, t]) => `    ${n}: ${t},`), `  ): ${m.ret};`];
}

/** Text for inside a template literal: backticks, backslashes and `${` escaped. */
function escapeTemplate(text: string): string {
  return text.replace(/[`\\]|\$\{/g, (m) => `\\${m}`);
}

/** `n · k` for a per-sample offset or size. */
function times(k: number, n = 'n'): string {
  return k === 0 ? '0' : k === 1 ? n : `${n} * ${k}`;
}

/** A step's attributes in a doc comment: sizes and the activation. */
function describe(step: PlanStep): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(step.attrs)) {
    if (sizeKeys.has(key) && typeof value === 'number')
      parts.push(`${key} ${numberLiteral(value)}`);
  }
  const attrs = step.attrs;
  if ('activation' in attrs && attrs.activation) parts.push(attrs.activation.name);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const sizeKeys = new Set(['in', 'units', 'rows', 'cols', 'size']);
