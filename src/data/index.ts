/** The data stage: CSV tables → float32 features and targets for training, evaluation and prediction. */
export { DataError } from './csv.js';
export {
  readTable,
  parseTable,
  MAX_TABLE_FLOATS,
  type Table,
  type TableOptions,
} from './dataset.js';
export { fitScaler, applyScaler, type Scaler } from './scaler.js';
export type { TargetEncoding } from './target.js';
export {
  toyData,
  trainTestSplit,
  toyKinds,
  MAX_TOY_SAMPLES,
  type ToyKind,
  type ToyOptions,
  type ToyData,
} from './toy.js';
