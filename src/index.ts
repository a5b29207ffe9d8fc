/**
 * nnlang's library surface. The pipeline: `parse` (syntax + schema) → `check` (names,
 * arguments, shapes, training setup) → `compile` (lowered, optimized plans). Plain data in and
 * out at every stage; `loadModel` wraps a compiled model in the engine's `Model`.
 */
export {
  parse,
  check,
  compile,
  type ParseOutput,
  type CompileOptions,
  type CompileOutput,
  type ModelPlans,
} from './compiler.js';
export { loadModel, ModelError, type LoadOptions } from './load.js';
export { blockersOf } from './compiler.js';
export type * from './ast/index.js';
export {
  printNode,
  formatSource,
  formatRange,
  type FormatOptions,
  type FormatResult,
  type RangeFormatResult,
  type TextEdit,
} from './format/index.js';
export type {
  CheckResult,
  CheckedModel,
  CheckedLayer,
  CompileConfig,
  FitConfig,
} from './check/index.js';
export { paramCounts } from './check/index.js';
export type { Diagnostic, Severity } from './diagnostics/index.js';
export { renderDiagnostic, diagnosticToJson, messages } from './diagnostics/index.js';
export type { Position, Range } from './source/index.js';
export { LineMap } from './source/index.js';
export { catalog } from './catalog/index.js';
export type {
  CatalogEntry,
  CatalogArg,
  CatalogFile,
  CatalogKind,
  Value,
  CallValue,
  Args,
} from './catalog/index.js';
export type { Shape, WeightSpec } from './layers/index.js';
export { shapeToString } from './layers/index.js';
export {
  renderSummary,
  summaryInputOf,
  type SummaryInput,
  type SummaryRow,
  type SummaryOptions,
} from './summary/index.js';

// The engine: plans (src/plan) run on the typed-array kernels (src/kernels) by the runtime.
export {
  Model,
  InputError,
  EarlyStopping,
  ReduceLROnPlateau,
  TerminateOnNaN,
  ModelCheckpoint,
  callbacksFrom,
  formatHealthReport,
} from './runtime/index.js';
export type {
  ModelOptions,
  FitOptions,
  History,
  Logs,
  Callback,
  TrainingModel,
  ArrayInput,
  ModelInputs,
  HealthReport,
  LayerHealth,
  HealthWarning,
} from './runtime/index.js';
export {
  planModel,
  planCompiled,
  compiledModelOf,
  printPlan,
  verifyPlan,
  layoutParams,
  PlanError,
} from './plan/index.js';
export type {
  Plan,
  PlanStep,
  PlanBuffer,
  PlanRequest,
  OpName,
  OpAttrs,
  StepOf,
  CompiledModel,
  TrainingSetup,
} from './plan/index.js';
export type { ModelGraph, GraphLayer, NodeId } from './layers/index.js';
export {
  jsBackend,
  wasmBackend,
  wasmTier,
  AUTO_WASM_WEIGHTS,
  type Backend,
  type BackendName,
} from './backends/index.js';
export {
  readWeightsFile,
  writeWeightsFile,
  encodeWeights,
  decodeWeights,
  WeightsFileError,
  type WeightsFile,
} from './runtime/weights-file.js';

// Training tables from CSV text (the CLI reads files; a browser page parses what it was given).
export {
  parseTable,
  applyScaler,
  DataError,
  type Table,
  type TableOptions,
  type Scaler,
} from './data/index.js';
export type { DataInfo } from './runtime/weights-file.js';

// TensorFlow Playground's 2-D toy data sets (XOR, circle, Gaussian clusters, spiral).
export {
  toyData,
  trainTestSplit,
  toyKinds,
  type ToyKind,
  type ToyOptions,
  type ToyData,
} from './data/index.js';

// The emitter: a trained model as a standalone TypeScript / JavaScript module.
export { emitModule, type EmitOptions, type EmitResult } from './emit/index.js';

// The language service `nn lsp` wraps (no LSP types, no Node APIs: a browser can run it too).
export {
  LanguageService,
  type LanguageServiceOptions,
  type ServiceDiagnostic,
  type Hover,
  type CompletionItem,
  type SignatureHelp,
  type CodeAction,
  type DiagramAnswer,
} from './service/index.js';

// Model diagrams, as Keras's plot_model draws them: from source, or step by step from a graph.
export { diagramSvg, type DiagramResult } from './service/index.js';
export {
  diagramOf,
  layoutDiagram,
  renderSvg,
  type DiagramModel,
  type DiagramNode,
  type DiagramEdge,
  type DiagramLayout,
} from './diagram/index.js';

// Models in and out: TF.js's layers format (model.json + shards) and Keras model configs.
export {
  toTfjs,
  writeTfjsFolder,
  readTfjsFolder,
  parseModelJson,
  importKeras,
  shardBytes,
  toOnnx,
  onnxLayerClasses,
  InteropError,
  type NamedWeights,
  type TfjsArtifacts,
  type TfjsFolder,
  type OnnxArtifacts,
  type ImportResult,
  type InteropProblem,
} from './interop/index.js';
// Keras 3's .keras archives (config.json, metadata.json, model.weights.h5 in a zip).
export { toKerasArchive, importKerasArchive, type KerasArtifacts } from './interop/index.js';
/** Keras 3 and PyTorch modules of a checked model and its weights (`nn emit --target keras|pytorch`). */
export {
  kerasModule,
  torchModule,
  type PythonModuleInput,
  type PythonModuleOutput,
  type PythonProblem,
} from './interop/index.js';
