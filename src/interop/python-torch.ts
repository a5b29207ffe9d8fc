/**
 * `nn emit --target pytorch`: a checked model and its weights → one Python module with an
 * `nn.Module` built from torch-runtime.ts's Keras layers, the compiled loss and optimizer with
 * Keras's hyper-parameters, the trained weights embedded, and a `__main__` that keeps training
 * from a CSV (under torchrun, with DistributedDataParallel).
 */
import type { CheckedModel } from '../check/index.js';
import type { LossSpec } from '../kernels/index.js';
import { nodeShape, outputMask, type NodeId } from '../layers/index.js';
import type { OptimizerSpec, ScheduleSpec } from '../optim/index.js';
import type { Value } from '../catalog/index.js';
import {
  pyClassName,
  pyDocText,
  pyKeywords,
  pyNumber,
  pyString,
  pyValue,
} from './python-literals.js';
import { PythonProblems, type PythonProblem } from './python-problems.js';
import { layerExpr } from './python-torch-layers.js';
import { torchRuntime } from './python-torch-runtime.js';
import { weightsBase64, type PythonWeights } from './python-weights.js';

/** What the training data was, as the weights file remembers it (the runtime's DataInfo). */
export interface PythonData {
  features?: string[];
  target?: string | null;
  classes?: string[] | null;
  scaler?: { kind: string; offset: number[]; scale: number[] } | null;
}

export interface PythonModuleInput {
  model: CheckedModel;
  /** Every weight in get_weights() order. */
  weights: PythonWeights;
  /** The training data's columns, classes and scaling, from the weights file. */
  data: PythonData | null;
  /** The .nn file, for the header. */
  file: string | null;
  version: string;
}

export interface PythonModuleOutput {
  /** Empty when a problem stops it. */
  code: string;
  problems: PythonProblem[];
}

/** The losses the runtime's loss_function computes (Keras 3's names). */
export const torchLosses: ReadonlySet<string> = new Set([
  'mean_squared_error',
  'mean_absolute_error',
  'huber',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'mean_absolute_percentage_error',
  'mean_squared_logarithmic_error',
  'log_cosh',
  'poisson',
  'kl_divergence',
  'cosine_similarity',
  'hinge',
  'squared_hinge',
  'categorical_hinge',
  'binary_focal_crossentropy',
  'categorical_focal_crossentropy',
]);

const optimizerClasses = new Set([
  'SGD',
  'Adam',
  'AdamW',
  'RMSprop',
  'Adagrad',
  'Adadelta',
  'Adamax',
  'Nadam',
]);

export function torchModule(input: PythonModuleInput): PythonModuleOutput {
  const { model } = input;
  const problems = new PythonProblems();
  const cls = pyClassName(model.name);
  const build = model.layers.map((l) => {
    const rank = l.inputShape?.length ?? 2;
    const expr = layerExpr(l.className, l.args, l.weights, rank, { layer: l.name, problems });
    return `        self.layers[${pyString(l.name)}] = ${expr}\n`;
  });
  const compile = compileLines(model, problems);
  if (model.inputs.some((i) => i.shape === null))
    problems.add(null, "the model's input shape is unknown: write Input(shape=…) to emit it.");
  if (problems.list.length > 0) return { code: '', problems: problems.list };

  const xs = model.inputs.map((_, k) => `x${k}`);
  const ref = (id: NodeId, port = 0): string => {
    if (id < 0) return `x${-1 - id}`;
    const l = model.layers[id]!;
    return l.extraOutputShapes?.length ? `h${id}[${port}]` : `h${id}`;
  };
  const masks = forwardMasks(model);
  const forward = model.layers.map((l) => {
    const args = l.inputs.map((id, i) => ref(id, l.inputPorts?.[i] ?? 0)).join(', ');
    const mask = masks.reads.get(l.id);
    const call = `        h${l.id} = L[${pyString(l.name)}](${args}${mask ? `, mask=${mask}` : ''})\n`;
    const made = masks.made.has(l.id)
      ? `        m${l.id} = L[${pyString(l.name)}].compute_mask(${args})\n`
      : '';
    return call + made;
  });
  const outputMasks = model.outputs.map((id, k) =>
    (model.outputPorts?.[k] ?? 0) === 0 ? (masks.carried.get(id) ?? 'None') : 'None',
  );
  if (outputMasks.some((m) => m !== 'None'))
    forward.push(
      `        self.output_masks = [${outputMasks.join(', ')}]  # the loss reads them\n`,
    );
  // A softmax or sigmoid output's loss reads its layer's logits (port 0 of a layer only).
  const outputLayers = model.outputs.map((id, k) =>
    id >= 0 && (model.outputPorts?.[k] ?? 0) === 0 ? pyString(model.layers[id]!.name) : 'None',
  );
  const outs = model.outputs.map((id, k) => ref(id, model.outputPorts?.[k] ?? 0));
  const shapes = model.inputs.map((i) => pyValue(i.shape!.slice(1) as number[]));
  const data = input.data;
  const header = [
    `"""`,
    `Model '${pyDocText(model.name)}'${input.file ? ` from ${pyDocText(input.file)}` : ''}, emitted by nnlang ${pyDocText(input.version)}`,
    `for PyTorch: Keras 3's layers, weight layout, initializers, loss and optimizer.`,
    ``,
    `    python3 this.py data.csv --epochs 5        # keep training from the embedded weights`,
    `    torchrun --nproc_per_node=4 this.py data.csv  # the same with DistributedDataParallel`,
    `"""`,
  ];
  const code = [
    header.join('\n'),
    '\n',
    torchRuntime,
    '\n\n# The model.\n\n',
    `INPUT_SHAPES = [${shapes.join(', ')}]  # per sample, one per input\n`,
    `FEATURES = ${data?.features ? pyValue(data.features) : 'None'}\n`,
    `TARGET = ${pyValue(data?.target ?? (model.fit?.args['target'] as string | undefined) ?? null)}\n`,
    `CLASSES = ${data?.classes ? pyValue(data.classes) : 'None'}\n`,
    `SCALER = ${data?.scaler ? `(${pyValue(data.scaler.offset)}, ${pyValue(data.scaler.scale)})` : 'None'}  # (x - offset) * scale\n`,
    `FIT = dict(${pyKeywords(fitArgs(model))})\n`,
    `ONE_HOT_TARGETS = ${pyValue(model.compile?.lossSpec?.name === 'categorical_crossentropy')}  # class ids → one-hot rows\n`,
    '\n\n',
    `class ${cls}(KerasModel):\n`,
    `    def __init__(self):\n`,
    `        super().__init__()\n`,
    `        self.layers = nn.ModuleDict()  # Keras's layer names, in get_weights() order\n`,
    ...build,
    ...compile.init,
    `        self.output_layers = [${outputLayers.join(', ')}]  # whose logits a loss may read\n`,
    `\n    def forward(self, ${xs.join(', ')}):\n`,
    `        L = self.layers\n`,
    ...forward,
    `        return ${outs.length === 1 ? outs[0] : `(${outs.join(', ')})`}\n`,
    `\n    def make_optimizer(self, params=None):\n`,
    ...compile.optimizer,
    '\n\n',
    `WEIGHTS = (\n${weightsBase64(input.weights)})\n`,
    '\n\n',
    `def build(trained=True):\n`,
    `    """The model; with trained=False, freshly initialized as Keras would."""\n`,
    `    model = ${cls}()\n`,
    `    if trained:\n`,
    `        model.load_base64(WEIGHTS)\n`,
    `    return model\n`,
    '\n\n',
    mainBlock(),
  ].join('');
  return { code, problems: [] };
}

/** Layers whose call reads Keras's mask (the rest the checker lets a mask reach pass it on). */
const maskReaders = new Set([
  'SimpleRNN',
  'LSTM',
  'GRU',
  'Bidirectional',
  'GlobalAveragePooling1D',
]);

/**
 * Keras's masks in the forward pass, as the checker follows them: the Embedding(mask_zero=True)
 * layers that make one (`m<id>`), the mask variable each layer's first output carries, and the
 * mask each masked layer's call reads.
 */
function forwardMasks(model: CheckedModel): {
  made: Set<NodeId>;
  carried: Map<NodeId, string>;
  reads: Map<NodeId, string>;
} {
  const made = new Set<NodeId>();
  const carried = new Map<NodeId, string>();
  const reads = new Map<NodeId, string>();
  for (const l of model.layers) {
    const mask = l.inputs
      .map((id, i) => ((l.inputPorts?.[i] ?? 0) === 0 ? carried.get(id) : undefined))
      .find((m) => m !== undefined);
    if (mask && maskReaders.has(l.className)) reads.set(l.id, mask);
    if (l.className === 'Embedding' && l.args['mask_zero'] === true) {
      made.add(l.id);
      carried.set(l.id, `m${l.id}`);
    } else if (mask && outputMask(l.className, l.args, true)) carried.set(l.id, mask);
  }
  return { made, carried, reads };
}

function fitArgs(model: CheckedModel): Record<string, number | boolean> {
  const a = model.fit?.args ?? {};
  return {
    epochs: typeof a['epochs'] === 'number' ? a['epochs'] : 1,
    batch_size: typeof a['batch_size'] === 'number' ? a['batch_size'] : 32,
    shuffle: a['shuffle'] !== false,
    validation_split: typeof a['validation_split'] === 'number' ? a['validation_split'] : 0,
  };
}

/** The compiled losses (one per output) and the optimizer's constructor. */
function compileLines(
  model: CheckedModel,
  problems: PythonProblems,
): { init: string[]; optimizer: string[] } {
  const c = model.compile;
  if (!c || c.losses.length === 0)
    return {
      init: ['        self.losses = []\n', '        self.loss_weights = []\n'],
      optimizer: ['        raise RuntimeError("the model has no compile(optimizer, loss)")\n'],
    };
  const lossExprs = c.losses.map((l) => lossExpr(l.lossSpec, problems));
  const weights = c.lossWeights ?? c.losses.map(() => 1);
  return {
    init: [
      `        self.losses = [${lossExprs.join(', ')}]\n`,
      `        self.loss_weights = [${weights.map(pyNumber).join(', ')}]\n`,
    ],
    optimizer: [
      `        params = list(self.parameters()) if params is None else params\n`,
      `        return ${optimizerExpr(c.optimizerSpec, problems)}\n`,
    ],
  };
}

/** Reports a compile() setting the target lacks; its expression is None (nothing is written). */
function missing(problems: PythonProblems, what: string, arg: string): string {
  problems.add(null, `the PyTorch target has no ${what} yet.`, arg);
  return 'None';
}

function lossExpr(spec: LossSpec | null, problems: PythonProblems): string {
  if (!spec || !torchLosses.has(spec.name)) {
    return missing(problems, `loss ${spec?.name ?? '(unresolved)'}`, 'loss');
  }
  const kw: Record<string, number | boolean | string> = {};
  // Without sample weights, 'mean' and 'mean_with_sample_weight' are sum_over_batch_size.
  if (spec.reduction === 'sum' || spec.reduction === 'none') kw['reduction'] = spec.reduction;
  if (spec.ignoreClass !== null) kw['ignore_class'] = spec.ignoreClass;
  if (spec.fromLogits) kw['from_logits'] = true;
  if (spec.labelSmoothing) kw['label_smoothing'] = spec.labelSmoothing;
  if (spec.name === 'huber') kw['delta'] = spec.delta;
  if (spec.name.endsWith('_focal_crossentropy')) {
    kw['alpha'] = spec.alpha;
    kw['gamma'] = spec.gamma;
    if (spec.applyClassBalancing) kw['apply_class_balancing'] = true;
  }
  const rest = pyKeywords(kw);
  return `loss_function(${pyString(spec.name)}${rest ? `, ${rest}` : ''})`;
}

function optimizerExpr(spec: OptimizerSpec | null, problems: PythonProblems): string {
  if (!spec || !optimizerClasses.has(spec.className)) {
    return missing(problems, `optimizer ${spec?.className ?? '(unresolved)'}`, 'optimizer');
  }
  const lr =
    typeof spec.learningRate === 'number'
      ? pyNumber(spec.learningRate)
      : scheduleExpr(spec.learningRate);
  const base: Record<string, number | null> = {
    weight_decay: spec.weightDecay,
    clipnorm: spec.clipnorm,
    clipvalue: spec.clipvalue,
    global_clipnorm: spec.globalClipnorm,
    gradient_accumulation_steps: spec.gradientAccumulationSteps,
    ...(spec.useEma
      ? { ema_momentum: spec.emaMomentum, ema_overwrite_frequency: spec.emaOverwriteFrequency }
      : {}),
  };
  const hp: Record<string, number | boolean> = spec.useEma ? { use_ema: true } : {};
  switch (spec.className) {
    case 'SGD':
      Object.assign(hp, { momentum: spec.momentum, nesterov: spec.nesterov });
      break;
    case 'RMSprop':
      Object.assign(hp, {
        rho: spec.rho,
        momentum: spec.momentum,
        epsilon: spec.epsilon,
        centered: spec.centered,
      });
      break;
    case 'Adagrad':
      Object.assign(hp, {
        initial_accumulator_value: spec.initialAccumulatorValue,
        epsilon: spec.epsilon,
      });
      break;
    case 'Adadelta':
      Object.assign(hp, { rho: spec.rho, epsilon: spec.epsilon });
      break;
    case 'Adam':
    case 'AdamW':
      Object.assign(hp, {
        beta_1: spec.beta1,
        beta_2: spec.beta2,
        epsilon: spec.epsilon,
        amsgrad: spec.amsgrad,
      });
      break;
    case 'Adamax':
    case 'Nadam':
      Object.assign(hp, { beta_1: spec.beta1, beta_2: spec.beta2, epsilon: spec.epsilon });
      break;
  }
  const kw = pyKeywords({
    ...Object.fromEntries(Object.entries(base).filter(([, v]) => v !== null)),
    ...hp,
  } as never);
  return `KerasOptimizer(params, ${pyString(spec.className)}, ${lr}, ${kw})`;
}

/** `schedule("CosineDecay", initial_learning_rate=…)`: the spec's fields as Keras's arguments. */
function scheduleExpr(spec: ScheduleSpec): string {
  const kw = Object.entries(spec)
    .filter(([k]) => k !== 'className')
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=${pyValue(v as Value)}`);
  return `schedule(${pyString(spec.className)}, ${kw.join(', ')})`;
}

/** Trains from a CSV, on one process or under torchrun with DistributedDataParallel. */
function mainBlock(): string {
  return String.raw`def main(argv):
    import argparse

    p = argparse.ArgumentParser(description="Keep training this model from a CSV.")
    p.add_argument("csv")
    p.add_argument("--target", default=TARGET)
    p.add_argument("--epochs", type=int, default=FIT["epochs"])
    p.add_argument("--batch-size", type=int, default=FIT["batch_size"])
    p.add_argument("--fresh", action="store_true", help="start from Keras's initializers")
    p.add_argument("--out", default="weights.npz", help="where to save get_weights()")
    args = p.parse_args(argv)
    if len(INPUT_SHAPES) > 1:
        raise SystemExit("a model with several inputs trains from Python: call model.fit([x0, x1], y)")
    x, y = read_csv(args.csv, args.target, FEATURES, CLASSES)
    if SCALER is not None:
        x = (x - np.array(SCALER[0], dtype=np.float32)) * np.array(SCALER[1], dtype=np.float32)
    x = x.reshape((x.shape[0],) + tuple(INPUT_SHAPES[0]))
    model = build(trained=not args.fresh)
    if ONE_HOT_TARGETS:
        y = np.eye(model.predict(x[:1]).shape[-1], dtype=np.float32)[y[:, 0].astype(int)]
    rank, world = 0, 1
    wrapped = model
    if "LOCAL_RANK" in os.environ:
        # torchrun sets LOCAL_RANK, RANK and WORLD_SIZE: one process per device, gradients
        # averaged by DistributedDataParallel, every process on its share of each batch.
        import torch.distributed as dist

        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        torch.manual_seed(0)  # the same shuffles on every process
        wrapped = nn.parallel.DistributedDataParallel(model)
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, shuffle=FIT["shuffle"],
              validation_split=FIT["validation_split"], model=wrapped, rank=rank, world_size=world)
    if rank == 0:
        np.savez(args.out, *model.get_weights())
        print("saved the weights (get_weights() order) to " + args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
`;
}
