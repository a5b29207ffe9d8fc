/**
 * The pipeline, one call per stage: source → syntax (AST) → schema → check (typed models) →
 * lower → optimize (execution plans). Each stage takes and returns plain data; the runtime
 * runs the plans, and emitters print them.
 */
import { walk, type Program } from './ast/index.js';
import {
  checkProgram,
  engineBlockers,
  type CheckedModel,
  type CheckResult,
} from './check/index.js';
import { compiledModelOf, planCompiled, type CompiledModel, type Plan } from './plan/index.js';
import {
  DiagnosticSink,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from './diagnostics/index.js';
import { validateProgram } from './schema/index.js';
import type { LineMap, Range } from './source/index.js';
import { parseSource, type SourceComment } from './syntax/index.js';

export interface ParseOutput {
  ast: Program;
  diagnostics: Diagnostic[];
  lines: LineMap;
  /** The source's comments with their ranges (the AST has none). */
  comments: SourceComment[];
}

/** Parses `.nn` source: every syntax error at once, and a (partial) AST. */
export function parse(source: string, file?: string): ParseOutput {
  // 1. Syntax: tokens → CST → AST, with error recovery.
  const parsed = parseSource(source, file);
  // 2. Schema: a clean parse must produce an AST that matches specs/ast.schema.json.
  const schemaErrors = hasErrors(parsed.diagnostics) ? [] : validateProgram(parsed.ast);
  return {
    ast: parsed.ast,
    diagnostics: withFile([...parsed.diagnostics, ...schemaErrors], file),
    lines: parsed.lines,
    comments: parsed.comments,
  };
}

/** Parses and checks `.nn` source: names, arguments, shapes, training setup and advice. */
export function check(source: string, file?: string): CheckResult {
  const parsed = parse(source, file);
  // 3. Check: models, layers, shapes, compile/fit, advice; on a partial AST too.
  const sink = new DiagnosticSink();
  let models: CheckResult['models'] = [];
  const bindings: CheckResult['bindings'] = [];
  const results: CheckResult['results'] = [];
  try {
    models = checkProgram(parsed.ast, sink, bindings, results);
  } catch (err) {
    // A throw here is a bug in nnlang; the user still gets a diagnostic, not a stack trace.
    sink.report('internalError', parsed.lines.range(0, 0), {
      why: err instanceof Error ? err.message : String(err),
    });
  }
  // After a syntax error, recovery guesses; what the checker says inside that statement is noise.
  const tainted = new SpanSet(statementsWithSyntaxErrors(parsed.ast, parsed.diagnostics));
  const findings = sink.diagnostics.filter((d) => !tainted.contains(d.range.start.offset));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...withFile(findings, file)]);
  const comments = parsed.comments.map(({ text, range }) => ({ text, range }));
  return {
    ast: parsed.ast,
    models,
    diagnostics,
    lines: parsed.lines,
    bindings,
    comments,
    results,
  };
}

export interface CompileOptions {
  /** The file name, for diagnostics. */
  file?: string;
  /** Which plans to make for each model whose input shape is known (default: none). */
  plans?: readonly Plan['mode'][];
  /** The batch capacity plans are laid out for (Keras's default, 32). */
  batchSize?: number;
}

/** A model's plans; a mode is absent when not asked for or when the model cannot have it. */
export interface ModelPlans {
  model: string;
  inference?: Plan;
  /** Keras's evaluate: the inference pass and the loss. */
  evaluation?: Plan;
  training?: Plan;
}

export interface CompileOutput {
  /** What the checker found: the AST, the checked models, their bindings. */
  checked: CheckResult;
  /**
   * Every model of the source the engine can run, as the runtime takes it: a model with an
   * error (or something the engine cannot run yet) in its range is left out, its siblings not.
   */
  models: CompiledModel[];
  /** The plans of each model of `models`, in the same order. */
  plans: ModelPlans[];
  diagnostics: Diagnostic[];
  lines: LineMap;
}

/**
 * The whole pipeline on `.nn` source: check it, then lower and optimize the plans asked for.
 * Needs no runtime and allocates no weights; never throws on user input.
 */
export function compile(source: string, options: CompileOptions = {}): CompileOutput {
  // 1–3. Parse, validate and check.
  const checked = check(source, options.file);
  const output: CompileOutput = {
    checked,
    models: [],
    plans: [],
    diagnostics: checked.diagnostics,
    lines: checked.lines,
  };
  // A model with errors, or one the engine cannot run yet (NN2015, a warning), is left out;
  // its siblings still compile. A blocker outside every model (a file constant) blocks them all.
  const blocked = blockedModels(checked);
  const runnable = checked.models.filter((_, i) => !blocked[i]);
  output.models = runnable.map(compiledModelOf);
  // 4–5. Lower each model with a known input shape to plans, and optimize them.
  const modes = options.plans ?? [];
  const sink = new DiagnosticSink();
  for (const [i, model] of output.models.entries()) {
    const plans: ModelPlans = { model: model.graph.name };
    const wanted = modes.filter((m) => m === 'inference' || model.training?.loss);
    if (model.graph.inputShape && wanted.length > 0) {
      try {
        for (const mode of wanted)
          plans[mode] = planCompiled(model, model.graph, {
            mode,
            batchSize: options.batchSize ?? 32,
          });
      } catch (err) {
        // A throw here is a bug in nnlang: the checker passed a model the engine cannot lower.
        sink.report('internalError', runnable[i]!.range, {
          why: err instanceof Error ? err.message : String(err),
        });
      }
    }
    output.plans.push(plans);
  }
  output.diagnostics = sortDiagnostics([
    ...output.diagnostics,
    ...withFile(sink.diagnostics, options.file),
  ]);
  return output;
}

/**
 * For each checked model, whether a diagnostic that stops the engine falls inside its range,
 * or outside every model's range (then it may be in anything the models share).
 */
export function blockedModels(checked: Pick<CheckResult, 'models' | 'diagnostics'>): boolean[] {
  const blockers = engineBlockers(checked.diagnostics);
  return checked.models.map((m) => blockersOf(blockers, checked.models, m).length > 0);
}

/**
 * The engine blockers among `diagnostics` that stop `model`: those inside it, and those outside
 * every model; a broken sibling's do not. Without a model, all of them.
 */
export function blockersOf(
  diagnostics: readonly Diagnostic[],
  models: readonly CheckedModel[],
  model: CheckedModel | undefined,
): Diagnostic[] {
  const inside = (d: Diagnostic, m: CheckedModel) =>
    d.range.start.offset >= m.range.start.offset && d.range.start.offset <= m.range.end.offset;
  return engineBlockers(diagnostics).filter(
    (d) => !model || inside(d, model) || !models.some((m) => inside(d, m)),
  );
}

/**
 * Spans of the statements (inside model blocks too) that hold a syntax error or an Error node.
 * A span runs to the next statement: recovery may report an error at the token after it.
 */
function statementsWithSyntaxErrors(program: Program, syntax: Diagnostic[]): Range[] {
  if (syntax.length === 0) return [];
  const errorOffsets = syntax.map((d) => d.range.start.offset).sort((a, b) => a - b);
  const statements = program.body.flatMap((s) => (s.kind === 'Model' ? s.body : [s]));
  return statements.flatMap((s, i) => {
    const end = statements[i + 1]?.range.start ?? program.range.end;
    // Is there a syntax error at an offset in [s.start, max(end, s.end)]?
    const first = lowerBound(errorOffsets, s.range.start.offset);
    let broken =
      first < errorOffsets.length &&
      errorOffsets[first]! <= Math.max(end.offset, s.range.end.offset);
    if (!broken) walk(s, (n) => (broken ||= n.kind === 'Error'));
    return broken ? [{ start: s.range.start, end }] : [];
  });
}

/** The index of the first element of ascending `xs` that is ≥ `x` (xs.length if none). */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Half-open offset spans [start, end), asked "does any span contain this offset?" in
 * O(log n): spans sorted by start, with the furthest end reached by any span so far, so the
 * answer for an offset is whether the spans starting at or before it reach past it.
 */
class SpanSet {
  private readonly starts: number[] = [];
  private readonly reach: number[] = [];

  constructor(spans: readonly Range[]) {
    const sorted = spans
      .map((r) => [r.start.offset, r.end.offset] as const)
      .sort((a, b) => a[0] - b[0]);
    let furthest = -Infinity;
    for (const [start, end] of sorted) {
      furthest = Math.max(furthest, end);
      this.starts.push(start);
      this.reach.push(furthest);
    }
  }

  contains(offset: number): boolean {
    const after = lowerBound(this.starts, offset + 1); // spans starting at or before `offset`
    return after > 0 && this.reach[after - 1]! > offset;
  }
}

function withFile(diagnostics: Diagnostic[], file?: string): Diagnostic[] {
  return file ? diagnostics.map((d) => (d.file ? d : { ...d, file })) : diagnostics;
}
