/** Weight initialization: Keras 3's initializers over Float32Array buffers and the seeded Rng. */
export {
  type Initializer,
  initialize,
  createInitializer,
  computeFans,
  truncatedStandardNormal,
  TRUNCATED_NORMAL_STD,
} from './initializers.js';
export {
  type InitializerSpec,
  type VarianceScalingPresetSpec,
  type VarianceScalingSpec,
  type NormalSpec,
  type RandomUniformSpec,
  type FixedSpec,
  type ConstantSpec,
  type IdentitySpec,
  type OrthogonalSpec,
  type FanMode,
  type FanDistribution,
  resolveInitializer,
} from './initializer-spec.js';
export { fillOrthogonal, orthonormalizeColumns } from './orthogonal.js';
