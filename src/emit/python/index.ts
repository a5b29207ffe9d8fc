/**
 * Python for bigger machines: a checked model and its trained weights as a Keras 3 module
 * (`--target keras`) or a PyTorch `nn.Module` with Keras's training (`--target pytorch`). Plain
 * data in and out; anything a target cannot write comes back as problems naming the layer.
 */
export { kerasModule } from './keras.js';
export { torchModule, type PythonModuleInput, type PythonModuleOutput } from './torch.js';
export type { PythonProblem } from './problems.js';
export type { PythonWeights } from './weights.js';
