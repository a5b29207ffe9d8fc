/**
 * The pipeline, one call per stage: source → syntax (AST) → schema → check (typed models).
 * The planner, engine and emitters continue from `CheckResult` in later stages.
 */
import { walk, type Program } from './ast/index.js';
import { checkProgram, type CheckResult } from './check/index.js';
import { DiagnosticSink, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/index.js';
import { validateProgram } from './schema/index.js';
import type { LineMap, Range } from './source/index.js';
import { parseSource } from './syntax/index.js';

export interface ParseOutput {
  ast: Program;
  diagnostics: Diagnostic[];
  lines: LineMap;
}

/** Parses `.nn` source: every syntax error at once, and a (partial) AST. */
export function parse(source: string, file?: string): ParseOutput {
  // 1. Syntax: tokens → CST → AST, with error recovery.
  const parsed = parseSource(source, file);
  // 2. Schema: a clean parse must produce an AST that matches specs/ast.schema.json.
  const schemaErrors = hasErrors(parsed.diagnostics) ? [] : validateProgram(parsed.ast);
  return { ast: parsed.ast, diagnostics: withFile([...parsed.diagnostics, ...schemaErrors], file), lines: parsed.lines };
}

/** Parses and checks `.nn` source: names, arguments, shapes, training setup and advice. */
export function check(source: string, file?: string): CheckResult {
  const parsed = parse(source, file);
  // 3. Check: models, layers, shapes, compile/fit, advice; on a partial AST too.
  const sink = new DiagnosticSink();
  let models: CheckResult['models'] = [];
  try {
    models = checkProgram(parsed.ast, sink);
  } catch (err) {
    // A throw here is a bug in nnlang; the user still gets a diagnostic, not a stack trace.
    sink.report('internalError', parsed.lines.range(0, 0), { why: err instanceof Error ? err.message : String(err) });
  }
  // After a syntax error, recovery guesses; what the checker says inside that statement is noise.
  const tainted = statementsWithSyntaxErrors(parsed.ast, parsed.diagnostics);
  const findings = sink.diagnostics.filter((d) => !tainted.some((r) => r.start.offset <= d.range.start.offset && d.range.start.offset < r.end.offset));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...withFile(findings, file)]);
  return { ast: parsed.ast, models, diagnostics, lines: parsed.lines };
}

/**
 * Spans of the statements (inside model blocks too) that hold a syntax error or an Error node.
 * A span runs to the next statement: a missing ')' is reported at the token after it.
 */
function statementsWithSyntaxErrors(program: Program, syntax: Diagnostic[]): Range[] {
  if (syntax.length === 0) return [];
  const statements = program.body.flatMap((s) => (s.kind === 'Model' ? s.body : [s]));
  return statements.flatMap((s, i) => {
    const end = statements[i + 1]?.range.start ?? program.range.end;
    let broken = syntax.some((d) => s.range.start.offset <= d.range.start.offset && d.range.start.offset <= Math.max(end.offset, s.range.end.offset));
    walk(s, (n) => (broken ||= n.kind === 'Error'));
    return broken ? [{ start: s.range.start, end }] : [];
  });
}

function withFile(diagnostics: Diagnostic[], file?: string): Diagnostic[] {
  return file ? diagnostics.map((d) => (d.file ? d : { ...d, file })) : diagnostics;
}
