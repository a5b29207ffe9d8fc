/** Weight initialization: Keras 3's initializers over Float32Array buffers and the seeded Rng. */
export {
  type Initializer,
  initialize,
  createInitializer,
  computeFans,
  truncatedStandardNormal,
  TRUNCATED_NORMAL_STD,
} from './initializers.js';
export { fillOrthogonal, orthonormalizeColumns } from './orthogonal.js';
