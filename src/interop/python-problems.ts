/**
 * What a Python target cannot write, collected over the whole model so that every layer and
 * argument is named at once; the caller turns them into located diagnostics (NN6031).
 */
export interface PythonProblem {
  /** The layer's Keras name; null for the model's compile() or inputs. */
  layer: string | null;
  /** The argument at fault, for the diagnostic's range. */
  arg?: string;
  message: string;
}

export class PythonProblems {
  readonly list: PythonProblem[] = [];

  add(layer: string | null, message: string, arg?: string): void {
    this.list.push({ layer, message, ...(arg ? { arg } : {}) });
  }
}
