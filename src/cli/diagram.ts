/**
 * `nn diagram <file> [--model NAME] [-o model.svg]`: the model as an SVG picture, as Keras 3's
 * `plot_model(show_shapes=True, show_layer_activations=True)` draws it — the library's
 * `diagramSvg`. Errors inside the model (or outside every model) are printed as `nn check`
 * prints them and stop it; a broken sibling does not, and valid Keras the engine cannot run yet
 * still draws. The picture goes to standard output, or atomically to `-o` (`-o -` is standard
 * output).
 */
import { renderDiagnostic } from '../diagnostics/index.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';
import { diagramSvg } from '../service/index.js';
import { LineMap } from '../source/index.js';
import { CliError } from './engine.js';
import { readSource } from './io.js';

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
  const read = readSource(file);
  if ('error' in read)
    throw new CliError(`${file} - error NN6001: Cannot read '${file}': ${read.error}`);
  const result = diagramSvg(read.text, {
    file,
    ...(options.model ? { model: options.model } : {}),
  });
  const lines = new LineMap(read.text);
  for (const d of result.diagnostics) err(renderDiagnostic(d, lines, file));
  if (result.svg === null) return 1;
  if (path === undefined) {
    out(result.svg);
    return 0;
  }
  try {
    writeFileAtomic(path, result.svg);
  } catch (e) {
    // Checked above; a disk that fills up or a folder that vanishes since is still the user's.
    throw new CliError(`cannot write the diagram: ${(e as Error).message}`);
  }
  return 0;
}
