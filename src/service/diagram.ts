/**
 * A model of a source as an SVG diagram (src/diagram), for the library's `diagramSvg`, the
 * language service's `diagram` request and a browser playground. A model draws when no error
 * lies inside it or outside every model (the rule `compile` gates models by): a broken sibling
 * does not stop it.
 */
import type { CheckResult } from '../check/index.js';
import { blockersOf, check } from '../compiler.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import { diagramSvgOf } from '../diagram/index.js';

/** Which model to draw: by name, else the one around an offset, else the first. */
export interface DiagramChoice {
  model?: string;
  offset?: number;
}

export interface DiagramResult {
  /** The picture, or null when the model does not check (see `diagnostics`). */
  svg: string | null;
  /** The model drawn, or asked for; null in a file without models. */
  model: string | null;
  /** Every model of the file, in order, for a picker. */
  models: string[];
  /** The errors that stop the picture, or why no model was found; empty with a picture. */
  diagnostics: Diagnostic[];
}

const fileStart = {
  start: { offset: 0, line: 1, column: 1 },
  end: { offset: 0, line: 1, column: 1 },
};

/** The diagram of one model of a checked file. */
export function diagramOfChecked(result: CheckResult, choice: DiagramChoice = {}): DiagramResult {
  const models = result.models.map((m) => m.name);
  const { offset } = choice;
  const chosen =
    choice.model !== undefined
      ? result.models.find((m) => m.name === choice.model)
      : ((offset === undefined
          ? undefined
          : result.models.find(
              (m) => m.range.start.offset <= offset && offset <= m.range.end.offset,
            )) ?? result.models[0]);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!chosen) {
    const names = models.map((m) => `'${m}'`).join(', ') || 'no models';
    const missing = makeDiagnostic('noSuchModel', fileStart, {
      name: choice.model ?? '',
      models: names,
    });
    return {
      svg: null,
      model: choice.model ?? null,
      models,
      diagnostics: errors.length > 0 && choice.model === undefined ? errors : [missing],
    };
  }
  const blockers = blockersOf(errors, result.models, chosen);
  return {
    svg: blockers.length > 0 ? null : diagramSvgOf(chosen),
    model: chosen.name,
    models,
    diagnostics: blockers,
  };
}

/**
 * The SVG diagram of a model of `source`, as Keras 3's `plot_model(show_shapes=True,
 * show_layer_activations=True)` draws it; `file` names the source in diagnostics.
 */
export function diagramSvg(
  source: string,
  options: { model?: string; file?: string } = {},
): DiagramResult {
  const choice = options.model === undefined ? {} : { model: options.model };
  return diagramOfChecked(check(source, options.file), choice);
}

/** The service's answer: the picture, or one sentence saying why there is none. */
export interface DiagramAnswer {
  svg: string | null;
  model: string | null;
  models: string[];
  /** Why there is no picture (the first stopping error, with its line), or null. */
  error: string | null;
}

export function diagramAnswer(result: DiagramResult): DiagramAnswer {
  const [first, ...rest] = result.diagnostics;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  const where = first && first.range.start.offset > 0 ? `line ${first.range.start.line}: ` : '';
  return {
    svg: result.svg,
    model: result.model,
    models: result.models,
    error: first ? `${first.code} ${where}${first.message}${more}` : null,
  };
}
