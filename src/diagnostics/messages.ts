/**
 * Every message nnlang shows a user, in one table with stable codes (the TypeScript compiler's
 * way): 1xxx syntax, 2xxx names and arguments, 3xxx shapes, 4xxx compile and training setup,
 * 5xxx advice from the lectures, 6xxx I/O and emitters, 9xxx internal. Placeholders are
 * `{name}`; a code is never reused for a different meaning.
 */
import type { Severity } from './diagnostic.js';

export interface MessageDef {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
}

export const messages = {
  // 1xxx: syntax
  unexpectedCharacter: {
    code: 'NN1001',
    severity: 'error',
    message: "Unexpected character '{char}'.",
  },
  unterminatedString: {
    code: 'NN1002',
    severity: 'error',
    message: 'Unterminated string: it needs a closing {quote} on the same line.',
  },
  expectedToken: {
    code: 'NN1003',
    severity: 'error',
    message: 'Expected {expected} but found {found}.',
  },
  expectedValue: {
    code: 'NN1004',
    severity: 'error',
    message: 'Expected {expected} but found {found}.',
  },
  unexpectedInput: {
    code: 'NN1005',
    severity: 'error',
    message: 'Unexpected {found}: expected a statement.',
  },
  invalidNumber: { code: 'NN1006', severity: 'error', message: "'{text}' is not a valid number." },
  nestingTooDeep: {
    code: 'NN1010',
    severity: 'error',
    message: 'Brackets nested deeper than {max} levels; the rest of the file is not read.',
    hint: 'Name an inner value on its own line (size = (4, 4)) and use the name.',
  },
  kerasPrefix: {
    code: 'NN1011',
    severity: 'error',
    message: "'{prefix}' is Python's module path; .nn names Keras objects directly.",
    hint: "Write '{name}' without the prefix.",
  },
  kerasSequential: {
    code: 'NN1012',
    severity: 'error',
    message: "'Sequential([…])' is Python; in .nn a chain of layers is the model.",
    hint: "Chain the layers with '->' (Input(4) -> Dense(8) -> Dense(3)), inside 'model name { … }' to name the model.",
  },
  tooManySyntaxErrors: {
    code: 'NN1013',
    severity: 'error',
    message: 'More than {max} syntax errors; the rest of the file is not read.',
    hint: 'Is this a .nn file? Fix the first errors and check again.',
  },

  // 2xxx: names and arguments
  unknownName: { code: 'NN2001', severity: 'error', message: "Unknown {kind} '{name}'." },
  unknownArgument: {
    code: 'NN2002',
    severity: 'error',
    message: "'{callee}' has no argument '{arg}'.",
  },
  wrongType: {
    code: 'NN2003',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' expects {expected}, found {found}.",
  },
  outOfRange: {
    code: 'NN2004',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' must be {bound}, found {found}.",
  },
  duplicateArgument: {
    code: 'NN2005',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' is given twice.",
  },
  positionalAfterKeyword: {
    code: 'NN2006',
    severity: 'error',
    message: 'A positional argument cannot follow a keyword argument.',
    hint: "Name it, e.g. '{suggestion}'.",
  },
  missingArgument: {
    code: 'NN2007',
    severity: 'error',
    message: "'{callee}' needs the argument '{arg}'.",
  },
  tooManyArguments: {
    code: 'NN2008',
    severity: 'error',
    message: "'{callee}' takes at most {max} positional argument{s}, found {found}.",
  },
  legacyAlias: { code: 'NN2009', severity: 'hint', message: "'{alias}' is accepted as '{arg}'." },
  undefinedName: { code: 'NN2010', severity: 'error', message: "'{name}' is not defined." },
  duplicateDefinition: {
    code: 'NN2011',
    severity: 'error',
    message: "'{name}' is already defined.",
  },
  extensionUsed: {
    code: 'NN2012',
    severity: 'info',
    message:
      "'{name}' is an nnlang extension, not a Keras built-in: Keras will not load this model.",
  },
  invalidEnum: {
    code: 'NN2013',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' must be one of {values}, found {found}.",
  },
  deprecatedArgument: {
    code: 'NN2014',
    severity: 'warning',
    message: "Argument '{arg}' of '{callee}' is deprecated: {why}",
  },
  unsupported: {
    code: 'NN2015',
    severity: 'warning',
    message: "'{name}' is in Keras but nnlang cannot run it yet: {why}",
    hint: "'nn check' and 'nn summary' accept it; 'nn train', 'nn plan' and loadModel refuse it.",
  },
  notALayer: {
    code: 'NN2016',
    severity: 'error',
    message: 'Expected a layer such as Dense(8) in a chain, found {found}.',
  },
  misplacedStatement: { code: 'NN2017', severity: 'error', message: '{what}' },
  kindMismatch: {
    code: 'NN2018',
    severity: 'error',
    message: "'{name}' is {actual}, not {expected}.",
  },
  rejectedValue: {
    code: 'NN2024',
    severity: 'error',
    message: '{why}',
  },
  ignoredArgument: {
    code: 'NN2019',
    severity: 'warning',
    message: "Argument '{arg}' of '{callee}' is ignored: {why}",
  },
  rejectedArgument: {
    code: 'NN2021',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' has no meaning in a .nn file: {why}",
  },
  conflictingArguments: {
    code: 'NN2022',
    severity: 'error',
    message: "'{callee}' takes only one of {args}, found {found}.",
    hint: "Keep one of them, e.g. '{keep}'.",
  },
  invalidArgumentValue: {
    code: 'NN2023',
    severity: 'error',
    message: "Argument '{arg}' of '{callee}' {why}",
  },
  // NN2020 (graphs not supported yet) was retired when graph models arrived.
  undefinedResult: {
    code: 'NN2025',
    severity: 'error',
    message:
      "'{name}' is not a result defined above: a graph reads only results named before it, so it has no cycles.",
  },
  chainWithoutInput: {
    code: 'NN2026',
    severity: 'error',
    message:
      '{layer}(...) has no input here: in a graph, a chain starts from a result or Input(...).',
    hint: 'Write x -> {layer}(...), where x is a result named above.',
  },
  kerasApplyForm: {
    code: 'NN2027',
    severity: 'error',
    message: "Keras's call form {call} is written {chain} in a .nn file.",
  },
  unusedResult: {
    code: 'NN2028',
    severity: 'warning',
    message: "The result '{name}' is never used: no layer reads it and it is not an output.",
  },
  sharedLayer: {
    code: 'NN2029',
    severity: 'error',
    message:
      "'{name}' names a layer call, not a result: shared layers are not supported yet; write the call in the chain.",
  },
  outputCount: {
    code: 'NN2030',
    severity: 'error',
    message: '{layer} returns {count} ({names}), but {found} receive them.',
    hint: 'Name each output: {names} = …',
  },
  severalOutputs: {
    code: 'NN2031',
    severity: 'error',
    message: '{layer} returns {count} outputs ({names}), which Keras gives as a list: {where}.',
    hint: 'Name each output, as in {names} = x -> {className}(…), and use the names.',
  },

  // 3xxx: shapes
  incompatibleInput: {
    code: 'NN3001',
    severity: 'error',
    message: "'{layer}' cannot take an input of shape {shape}: {why}",
  },
  noInputShape: {
    code: 'NN3002',
    severity: 'info',
    message: "Model '{model}' has no input shape; it will be fixed by the data at training time.",
    hint: 'Give one with Input(shape=(4,)) at the head of the chain, or input_dim=4 on the first layer.',
  },
  reshapeMismatch: {
    code: 'NN3003',
    severity: 'error',
    message: 'Cannot reshape {shape} ({size} values) to {target}.',
  },
  weightsMismatch: { code: 'NN3004', severity: 'error', message: "Weights of '{layer}': {why}" },
  conflictingInput: {
    code: 'NN3005',
    severity: 'error',
    message: 'The input shape is given twice: {why}',
  },
  misplacedInput: {
    code: 'NN3006',
    severity: 'warning',
    message: "'{arg}' only has an effect on the first layer of a model; it is ignored here.",
  },
  emptyModel: { code: 'NN3007', severity: 'error', message: "Model '{model}' has no layers." },
  invalidShape: {
    code: 'NN3008',
    severity: 'error',
    message:
      "Invalid dimension {dim} in '{arg}': each dimension must be a positive integer or None.",
  },
  weightArgumentMismatch: {
    code: 'NN3009',
    severity: 'error',
    message: "'{what}' cannot apply to the weight '{weight}' of shape {shape}: {why}",
  },
  mergeNeedsInputs: {
    code: 'NN3010',
    severity: 'error',
    message: "'{layer}' joins several results, but {found} reaches it.",
    hint: 'Give it a tuple of results: (a, b) -> {layer}().',
  },
  notOneInput: {
    code: 'NN3011',
    severity: 'error',
    message: "'{layer}' takes one input, but {count} results reach it.",
    hint: 'Join them first, e.g. (a, b) -> Concatenate() -> {layer}(...).',
  },
  noOutput: {
    code: 'NN3012',
    severity: 'error',
    message:
      "Model '{model}' has no output: end it with a chain that is not assigned to a name, e.g. h -> Dense(1).",
  },
  graphInputShape: {
    code: 'NN3014',
    severity: 'error',
    message: 'An Input of a graph model needs its shape, as Keras does: Input(shape=(4,)).',
  },
  unconnectedInput: {
    code: 'NN3013',
    severity: 'warning',
    message: "This input ('{name}') reaches no output: the model ignores it.",
  },
  memoryLimit: {
    // Valid Keras, and its summary is worth printing: like NN2015, a warning the engine refuses.
    code: 'NN3020',
    severity: 'warning',
    message:
      "Model '{model}' needs at least {need} to {mode}, more than the engine's limit of {limit}: {parts}.",
    hint: 'Use fewer units or a smaller input (the activations grow with the batch size).',
  },

  // 4xxx: compile and training setup
  lossMismatch: {
    code: 'NN4001',
    severity: 'error',
    message: "Loss '{loss}' does not fit the output {shape}: {why}",
  },
  fitWithoutCompile: {
    code: 'NN4002',
    severity: 'error',
    message:
      "Model '{model}' calls fit() but never compile(): Keras needs a loss and an optimizer first.",
    hint: 'Add compile(adam, {loss}) before fit().',
  },
  duplicateCall: {
    code: 'NN4003',
    severity: 'error',
    message: "Model '{model}' calls {call}() twice.",
  },
  lossActivationMismatch: {
    code: 'NN4004',
    severity: 'warning',
    message: "Loss '{loss}' after a '{activation}' output: {why}",
  },
  metricMismatch: {
    code: 'NN4005',
    severity: 'warning',
    message: "Metric '{metric}' does not fit the output {shape}: {why}",
  },
  missingLoss: {
    code: 'NN4006',
    severity: 'error',
    message: 'compile() needs a loss.',
    hint: 'For example compile(adam, categorical_crossentropy).',
  },
  monitorDirection: {
    code: 'NN4008',
    severity: 'error',
    message: "'{callee}' cannot tell whether '{monitor}' should go up or down with mode='auto'.",
    hint: "Give mode='min' for a quantity that should fall, or mode='max' for one that should rise.",
  },
  metricTargetMismatch: {
    code: 'NN4009',
    severity: 'error',
    message: "Metric '{metric}' needs {needs}, but the loss '{loss}' takes {takes}.",
    hint: '{hint}',
  },
  lossCount: {
    code: 'NN4010',
    severity: 'error',
    message:
      "compile() gives {found} losses, but model '{model}' has {outputs} outputs: give one per output, in order.",
  },
  metricsCount: {
    code: 'NN4012',
    severity: 'error',
    message:
      "compile() gives {found} metric entries, but model '{model}' has {outputs} outputs: give one per output, in order — a metric, a list of metrics, or None.",
    hint: 'For example metrics={example}; each is logged as <output>_<metric>.',
  },
  invalidLossWeights: {
    code: 'NN4011',
    severity: 'error',
    message: "loss_weights must be one number per output of model '{model}' ({outputs}): {why}",
  },
  compileBeforeLayers: {
    code: 'NN4007',
    severity: 'error',
    message: '{call}() must come after the layers of the model.',
  },

  // 5xxx: advice from the lectures
  vanishingGradient: {
    code: 'NN5001',
    severity: 'warning',
    message:
      "'{activation}' in the hidden layers of a deep network ({depth} hidden layers) makes gradients vanish: its derivative is at most {max}.",
    hint: "Use 'relu' in hidden layers and keep '{activation}' for the output.",
  },
  linearCollapse: {
    code: 'NN5002',
    severity: 'warning',
    message: "'{first}' and '{second}' are both linear: stacked linear layers collapse into one.",
    hint: "Give '{first}' a non-linear activation such as 'relu'.",
  },
  reluGlorot: {
    code: 'NN5003',
    severity: 'hint',
    message:
      "'{layer}' uses '{activation}' with Glorot initialization; He initialization fits ReLU-like activations better.",
    hint: "Add kernel_initializer='he_normal'.",
  },
  batchNormBatchOne: {
    code: 'NN5004',
    severity: 'warning',
    message:
      'BatchNormalization with batch_size=1: the batch variance is 0, so training normalizes every value to beta.',
    hint: 'Use a batch size of at least 16, or LayerNormalization.',
  },
  dropoutLast: {
    code: 'NN5005',
    severity: 'warning',
    message:
      'Dropout as the last layer drops outputs at random during training and does nothing at inference.',
    hint: 'Move the Dropout before the last Dense layer.',
  },
  softmaxOneUnit: {
    code: 'NN5006',
    severity: 'warning',
    message: 'softmax over a single unit always outputs 1.',
    hint: "Use 'sigmoid' for one output unit, or give the layer one unit per class.",
  },
  stepTrained: {
    code: 'NN5007',
    severity: 'warning',
    message: "'step' has a zero gradient: layers before and including '{layer}' cannot learn.",
    hint: "Use 'sigmoid' to train, or fix the weights with weights=[...].",
  },
  // Recurrent layers (issue 10)
  batchNormRecurrent: {
    code: 'NN5008',
    severity: 'warning',
    message:
      "BatchNormalization on the sequences of a recurrent network: each time step has its own statistics, and the batch's mix them.",
    hint: 'Use LayerNormalization, which normalizes each sample at each step on its own.',
  },
  recurrentUnclipped: {
    code: 'NN5009',
    severity: 'hint',
    message:
      "'{layer}' is recurrent and the optimizer does not clip gradients: backpropagation through time can make them explode.",
    hint: 'Clip them with clipnorm, e.g. {optimizer}(clipnorm=1.0).',
  },
  flattenBlowUp: {
    code: 'NN5010',
    severity: 'warning',
    message:
      "'{dense}' has {params} parameters ({share} of the model): it reads the {shape} feature map flattened into {features} values.",
    hint: 'Shrink the feature map before Flatten ({pool}, or strides=2 in a convolution), or replace Flatten with {global}.',
  },

  // 6xxx: I/O
  fileNotFound: { code: 'NN6001', severity: 'error', message: "Cannot read '{path}': {why}" },
  dataNotFound: {
    code: 'NN6002',
    severity: 'warning',
    message: "The training data '{path}' does not exist.",
  },
  noSuchModel: {
    code: 'NN6003',
    severity: 'error',
    message: "No model named '{name}' in this file; it has {models}.",
  },
  pathOutside: {
    code: 'NN6020',
    severity: 'error',
    message: 'The path {path} leads outside the folder of this .nn file ({root}).',
    hint: 'Paths in a .nn file stay inside its folder; run with --allow-paths DIR to let it reach DIR.',
  },
  checkpointNotNnw: {
    code: 'NN6021',
    severity: 'error',
    message:
      "ModelCheckpoint's 'filepath' {path} must end in '.nnw': checkpoints are only written as nnlang weights files.",
    hint: "Name the checkpoint like 'model.nnw' or 'model-{epoch:02d}.nnw'.",
  },

  noTrainedWeights: {
    code: 'NN6030',
    severity: 'error',
    message: "Model '{model}' has no trained weights to emit: {why}.",
    hint: 'Run nn train first, or pass --weights.',
  },
  cannotEmit: {
    code: 'NN6031',
    severity: 'error',
    message: 'Cannot emit this model: {why}',
  },
  weightsDoNotFit: {
    code: 'NN6032',
    severity: 'error',
    message: '{why}',
  },

  // 9xxx: internal
  internalError: {
    code: 'NN9001',
    severity: 'error',
    message: 'Internal error (a bug in nnlang, please report it): {why}',
  },
} as const satisfies Record<string, MessageDef>;

export type MessageKey = keyof typeof messages;

/** Fills `{name}` placeholders; unknown ones are left as they are. */
export function formatMessage(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in args ? String(args[key]) : whole,
  );
}
