/**
 * The engine's library surface: a `Model` runs a compiled model's plans on a kernel backend
 * (`loadModel` in src/load.ts compiles a .nn source into one).
 */
export { Model, type ModelOptions } from './model.js';
export { backendNames, MAX_THREADS, type BackendName } from '../backends/index.js';
export type { FitOptions, History, Logs, Trainee } from './fit.js';
export {
  EarlyStopping,
  ReduceLROnPlateau,
  TerminateOnNaN,
  ModelCheckpoint,
  callbacksFrom,
  type Callback,
  type TrainingModel,
} from './callbacks.js';
export {
  HealthMonitor,
  type HealthReport,
  type LayerHealth,
  type HealthWarning,
} from './health.js';
export { formatHealthReport } from './health-table.js';
export { InputError, type ArrayInput, type ModelInputs } from './arrays.js';
