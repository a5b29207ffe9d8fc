/**
 * The shape of the catalog in `specs/catalog/*.json`: everything the language names (layers,
 * activations, losses, optimizers, …), with each argument's position, type, default and
 * constraints. Argument validation, hover and completion all read it; nothing here is code.
 */

/** The value types an argument may take; the checker knows how to validate each one. */
export type ArgType =
  | 'int'
  | 'float' // an int is accepted too
  | 'bool'
  | 'string'
  | 'enum' // a string among `values`
  | 'shape' // a tuple/list of positive ints (None allowed for unknown dims when `allowNone`)
  | 'int_or_tuple' // an int or a tuple of ints (kernel_size, strides, …)
  | 'axis' // an int or a list of ints
  | 'activation' // an activation name (or None)
  | 'initializer' // a name or a call such as RandomNormal(stddev=0.1)
  | 'regularizer' // a name or a call such as l2(0.01)
  | 'constraint' // a name or a call such as MaxNorm(3)
  | 'optimizer' // a name or a call such as Adam(learning_rate=1e-3)
  | 'layer' // a layer call such as Dense(8) (TimeDistributed's argument)
  | 'loss' // a loss name or call
  | 'metrics' // a list of metric names or calls
  | 'callbacks' // a list of callback calls
  | 'learning_rate' // a float, or a learning-rate schedule call
  | 'weights' // nested number lists: initial values of the layer's weights
  | 'float_list'
  | 'int_list'
  | 'any';

/** One argument of a layer, function or class: position is its index in `args`. */
export interface CatalogArg {
  name: string;
  type: ArgType;
  doc: string;
  /** No default: the caller must pass it. */
  required?: boolean;
  /** The Keras default, as JSON (null for Python's None). Absent when `required`. */
  default?: unknown;
  /** None is a valid value. */
  nullable?: boolean;
  /** Only as `name=value`, never by position (Keras's **kwargs). */
  keywordOnly?: boolean;
  /** For 'enum': the accepted strings. */
  values?: string[];
  /** Numeric bounds (inclusive unless the exclusive flag is set). */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  /** For 'shape' / 'int_or_tuple': None accepted inside the tuple. */
  allowNone?: boolean;
  /** Accepted but ignored or legacy: say so with this hint when used. */
  deprecated?: string;
  /** Keras takes it, but it has no meaning in a `.nn` file: the error says what to write instead. */
  rejected?: string;
  /** Old spellings that mean this argument, e.g. `lr` for `learning_rate`, with the hint shown. */
  aliases?: { name: string; hint: string }[];
}

/** One named thing: a layer class, an activation function, a loss, an optimizer class, … */
export interface CatalogEntry {
  /** Canonical spelling as Keras writes it: `Dense`, `relu`, `Adam`, `categorical_crossentropy`. */
  name: string;
  /** Other spellings that resolve to this entry (`MeanSquaredError`, `mse`, `adam`, …). */
  ids?: string[];
  /** One line shown on hover. */
  doc: string;
  args: CatalogArg[];
  /** Not a Keras built-in: an nnlang extension (the checker says so when it is used). */
  extension?: boolean;
  /** Keras has it but nnlang's engine cannot run it yet: checks pass, training says so. */
  unsupported?: string;
  /** Kind-specific facts (see the catalog files' `$comment` for each kind). */
  [extra: string]: unknown;
}

export type CatalogKind =
  | 'layer'
  | 'activation'
  | 'loss'
  | 'optimizer'
  | 'schedule'
  | 'initializer'
  | 'regularizer'
  | 'constraint'
  | 'metric'
  | 'callback'
  | 'method';

/**
 * Every kind, in the order a bare name is looked up when nothing says which kind it is: a
 * layer first, then compile/fit, then the names that go in their arguments.
 */
export const catalogKinds: readonly CatalogKind[] = [
  'layer',
  'method',
  'optimizer',
  'loss',
  'activation',
  'initializer',
  'regularizer',
  'constraint',
  'callback',
  'metric',
  'schedule',
];

/** One catalog file: all entries of one kind, plus the arguments every entry accepts. */
export interface CatalogFile {
  kind: CatalogKind;
  /** Arguments every entry of this kind accepts as keywords (layer `name`, optimizer `clipnorm`). */
  common: CatalogArg[];
  entries: CatalogEntry[];
}
