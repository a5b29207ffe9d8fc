/**
 * `nn diagram <file> [--model NAME] [-o model.svg]`: the model as an SVG picture, as Keras 3's
 * `plot_model(show_shapes=True, show_layer_activations=True)` draws it. The file must check
 * (valid Keras the engine cannot run yet still draws); the picture goes to standard output, or
 * atomically to `-o` (`-o -` is standard output).
 */
import { diagramSvgOf } from '../diagram/index.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';
import { checkedModel } from './checked.js';
import { CliError } from './engine.js';

export interface DiagramCommandOptions {
  model?: string;
  /** -o: the SVG's path; standard output without it or with `-`. */
  out?: string;
}

export function runDiagram(
  file: string,
  options: DiagramCommandOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const path = options.out === '-' ? undefined : options.out;
  const why = path === undefined ? null : unwritableReason(path);
  if (why) throw new CliError(`cannot write the diagram '${path}': ${why}.`);
  const model = checkedModel(file, options.model, err);
  if (!model) return 1;
  const svg = diagramSvgOf(model);
  if (path === undefined) {
    out(svg);
    return 0;
  }
  try {
    writeFileAtomic(path, svg);
  } catch (e) {
    // Checked above; a disk that fills up or a folder that vanishes since is still the user's.
    throw new CliError(`cannot write the diagram: ${(e as Error).message}`);
  }
  return 0;
}
