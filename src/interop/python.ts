/**
 * Python for bigger machines: a checked model and its trained weights as a Keras 3 module
 * (`--target keras`) or a PyTorch `nn.Module` with Keras's training (`--target pytorch`). Plain
 * data in and out; anything a target cannot write comes back as problems naming the layer.
 */
export { kerasModule } from './python-keras.js';
export { torchModule, type PythonModuleInput, type PythonModuleOutput } from './python-torch.js';
export type { PythonProblem } from './python-problems.js';
export type { PythonWeights } from './python-weights.js';
