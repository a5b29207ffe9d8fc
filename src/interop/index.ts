/**
 * Models in and out of other formats: TF.js's layers format (model.json and weight shards), and
 * Keras's JSON configs and Keras 3's .keras archives. Plain data in and out; `files.ts` alone touches the disk.
 */
export { InteropError, type InteropProblem } from './problems.js';
export { toTfjs, shardBytes, type NamedWeights, type TfjsArtifacts } from './tfjs-export.js';
export {
  writeTfjsFolder,
  readTfjsFolder,
  readModelFile,
  parseModelJson,
  type TfjsFolder,
} from './files.js';
export { importKeras, type ImportResult } from './import.js';
export { toOnnx, onnxLayerClasses, type OnnxArtifacts, type InputScaling } from './onnx-export.js';
export { toKerasArchive, importKerasArchive, type KerasArtifacts } from './keras-archive.js';
export {
  kerasModule,
  torchModule,
  type PythonModuleInput,
  type PythonModuleOutput,
  type PythonProblem,
} from './python.js';
