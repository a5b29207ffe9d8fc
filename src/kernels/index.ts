/** The kernels' public surface: pure Float32Array kernels, forward and backward, that import nothing outside kernels/. */
export * from './matmul.js';
export * from './activations.js';
export * from './activation-rows.js';
export * from './erf.js';
export { GELU_A, GELU_C, SELU_ALPHA, SELU_SCALE } from './activation-functions.js';
export * from './dropout.js';
export * from './normalization.js';
export * from './prelu.js';
export * from './losses.js';
export * from './fold.js';
export * from './merge.js';
export * from './embedding.js';
export * from './recurrent.js';
export * from './global-pooling.js';
export * from './spatial-copy.js';
export * from './permute.js';
export * from './conv.js';
export * from './pooling.js';
