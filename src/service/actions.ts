/**
 * Code actions: quick fixes from the diagnostics, each as text edits. The did-you-mean of an
 * unknown name or argument, `lr` → `learning_rate`, the `keras.layers.` prefix dropped, a
 * missing input shape added, a loss swapped for the one that fits the output (or the output's
 * activation for the one the loss expects), compile() added before fit(), the lectures'
 * advice (He initialization for ReLU, sigmoid on one unit, a non-linear activation between
 * linear layers), and in graph models Keras's `Add()(a, b)` written as the chain it means, a
 * layer with no input started from a result above it, and an unused result made an output.
 */
import { walk, type Call, type Chain, type Statement } from '../ast/index.js';
import { outputActivation, type CheckedLayer, type CheckedModel } from '../check/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { Analysis } from './analysis.js';
import { diagnostics, type ServiceDiagnostic } from './diagnostics.js';
import { touches, type TextEdit } from './positions.js';

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  /** The diagnostic it fixes. */
  diagnostic: ServiceDiagnostic;
  edits: TextEdit[];
  /** The fix an editor may apply on its own ("fix all", a keystroke). */
  isPreferred: boolean;
}

/** Quick fixes for the diagnostics touching offsets [start, end]. */
export function codeActions(a: Analysis, start: number, end: number): CodeAction[] {
  const shown = diagnostics(a);
  const out: CodeAction[] = [];
  a.result.diagnostics.forEach((d, i) => {
    if (!touches(start, end, d.range.start.offset, d.range.end.offset)) return;
    const fixes = new Fixes(a, d);
    fixesFor(fixes, d);
    for (const f of fixes.list) out.push({ ...f, kind: 'quickfix', diagnostic: shown[i]! });
  });
  return out;
}

type Fix = { title: string; edits: TextEdit[]; isPreferred: boolean };

class Fixes {
  readonly list: Fix[] = [];
  constructor(
    readonly a: Analysis,
    readonly d: Diagnostic,
  ) {}

  add(title: string, edits: (TextEdit | undefined)[], isPreferred = true): void {
    const defined = edits.filter((e): e is TextEdit => e !== undefined);
    if (defined.length === edits.length && defined.length > 0)
      this.list.push({ title, edits: defined, isPreferred });
  }

  /** Replaces offsets [start, end) by `text`. */
  replace(start: number, end: number, text: string): TextEdit {
    return { range: this.a.index.range(start, end), newText: text };
  }

  /** Replaces a written name by `name`, keeping its quotes if it had any. */
  replaceName(start: number, end: number, name: string): TextEdit {
    const q = this.a.text[start];
    const quoted = (q === "'" || q === '"') && end - start >= 2 && this.a.text[end - 1] === q;
    return this.replace(start, end, quoted ? `${q}${name}${q}` : name);
  }

  /** The model whose range holds the diagnostic. */
  model(): CheckedModel | undefined {
    const at = this.d.range.start.offset;
    return this.a.result.models.find((m) => m.range.start.offset <= at && at <= m.range.end.offset);
  }

  /** The layer whose call holds the diagnostic. */
  layer(): CheckedLayer | undefined {
    const at = this.d.range.start.offset;
    return this.model()?.layers.find((l) => l.range.start.offset <= at && at < l.range.end.offset);
  }

  /** Sets argument `name` of the call starting at `callStart` to `value`: replaces it, or adds it. */
  setArgument(callStart: number, name: string, value: string): TextEdit | undefined {
    const call = callStartingAt(this.a, callStart);
    if (!call) return undefined;
    const bound = this.a.callAt(call.callee.range.start.offset);
    const given = bound?.args.find((b) => b.param === name);
    if (given)
      return this.replace(given.valueRange.start.offset, given.valueRange.end.offset, value);
    const close = call.range.end.offset - 1;
    if (this.a.text[close] !== ')') return undefined;
    const last = call.args.at(-1);
    return last
      ? this.replace(last.range.end.offset, last.range.end.offset, `, ${name}=${value}`)
      : this.replace(close, close, `${name}=${value}`);
  }
}

function fixesFor(f: Fixes, d: Diagnostic): void {
  const { start, end } = { start: d.range.start.offset, end: d.range.end.offset };
  const hint = d.hint ?? '';
  const guess = /Did you mean '([^']+)'\?/.exec(hint)?.[1];
  switch (d.code) {
    case 'NN2001':
    case 'NN2002':
    case 'NN2010':
    case 'NN2025':
      if (guess) f.add(`Change to '${guess}'`, [f.replaceName(start, end, guess)]);
      return;
    case 'NN2009': {
      const canonical = /accepted as '([^']+)'/.exec(d.message)?.[1];
      if (canonical) f.add(`Write '${canonical}'`, [f.replace(start, end, canonical)]);
      return;
    }
    case 'NN1011': {
      const prefix = f.a.text.slice(start, end);
      if (/\.$/.test(prefix)) f.add(`Remove '${prefix}'`, [f.replace(start, end, '')]);
      return;
    }
    case 'NN3002': {
      const first = f.model()?.layers[0];
      if (!first) return;
      const written = first.args['weights'];
      const kernel = first.initialWeights?.[0] ?? (Array.isArray(written) ? written[0] : undefined);
      const size = Array.isArray(kernel) && kernel.length > 0 ? kernel.length : 1;
      const text = `Input(shape=(${size},)) -> `;
      f.add(`Add ${text.slice(0, -4)} at the head of the chain`, [
        f.replace(first.range.start.offset, first.range.start.offset, text),
      ]);
      return;
    }
    case 'NN4001': {
      const model = f.model();
      const act = model && outputActivation(model);
      const edits = [f.replaceName(start, end, 'binary_crossentropy')];
      if (act?.name === 'softmax' && isArgumentValue(model!, act.range.start.offset))
        edits.push(f.replaceName(act.range.start.offset, act.range.end.offset, 'sigmoid'));
      f.add(
        edits.length > 1
          ? "Use 'binary_crossentropy' with a sigmoid output"
          : "Use 'binary_crossentropy'",
        edits,
      );
      return;
    }
    case 'NN4004': {
      const loss = /^Use '(\w+)'/.exec(hint)?.[1];
      if (loss) f.add(`Use '${loss}'`, [f.replaceName(start, end, loss)]);
      const activation = /(?:Use|Add) activation='(\w+)'/.exec(hint)?.[1];
      const model = f.model();
      const last = model?.layers.at(-1);
      if (activation && model && last) {
        const act = outputActivation(model);
        const edit =
          act && isArgumentValue(model, act.range.start.offset)
            ? f.replaceName(act.range.start.offset, act.range.end.offset, activation)
            : f.setArgument(last.range.start.offset, 'activation', `'${activation}'`);
        f.add(`Use activation='${activation}' on the last layer`, [edit], !loss);
      }
      return;
    }
    case 'NN4002': {
      const line = f.a.index.position(start).line;
      const lineStart = f.a.index.lineStart(line);
      const indent = /^[ \t]*/.exec(f.a.text.slice(lineStart, start))?.[0] ?? '';
      if (f.a.text.slice(lineStart, start).trim() !== '') return;
      f.add('Add compile(adam, categorical_crossentropy) before fit()', [
        f.replace(lineStart, lineStart, `${indent}compile(adam, categorical_crossentropy)\n`),
      ]);
      return;
    }
    case 'NN5003': {
      const layer = f.layer();
      if (layer)
        f.add("Use kernel_initializer='he_normal'", [
          f.setArgument(layer.range.start.offset, 'kernel_initializer', "'he_normal'"),
        ]);
      return;
    }
    case 'NN5006': {
      const layer = f.layer();
      if (layer && layer.argRanges['activation']?.start.offset === start)
        f.add("Use 'sigmoid' for one output unit", [f.replaceName(start, end, 'sigmoid')]);
      return;
    }
    case 'NN5002': {
      const layer = f.layer();
      if (layer)
        f.add(`Give '${layer.name}' activation='relu'`, [
          f.setArgument(layer.range.start.offset, 'activation', "'relu'"),
        ]);
      return;
    }
    case 'NN5001': {
      // Every saturating hidden activation: the one flagged and those in its related list.
      const model = f.model();
      if (!model) return;
      const edits = [d.range, ...(d.related ?? []).map((r) => r.range)].map((r) =>
        isArgumentValue(model, r.start.offset)
          ? f.replaceName(r.start.offset, r.end.offset, 'relu')
          : f.setArgument(r.start.offset, 'activation', "'relu'"),
      );
      f.add("Use 'relu' in the hidden layers", edits);
      return;
    }
    case 'NN2027': {
      // `Add()(h, x)` → `(h, x) -> Add()`, `Dense(8)(x)` → `x -> Dense(8)`: only where the call
      // is the statement's whole value (after a chain, `h -> Dense(8)(x)`, the meaning is unclear).
      const call = callStartingAt(f.a, start);
      const statement = call && statementAt(f.a, start);
      const value =
        statement?.kind === 'Assignment'
          ? statement.value
          : statement?.kind === 'ExpressionStatement'
            ? statement.expression
            : undefined;
      if (!call || value !== call) return;
      const text = f.a.text;
      const applied = text.slice(call.range.end.offset, end).trim();
      const inner = applied.slice(1, -1).trim();
      const head = /^[\p{L}_][\p{L}\p{N}_]*$/u.test(inner) ? inner : applied;
      const layer = text.slice(start, call.range.end.offset);
      f.add(`Write ${head} -> ${layer}`, [f.replace(start, end, `${head} -> ${layer}`)]);
      return;
    }
    case 'NN2026': {
      // A layer with no input in a graph: start its chain from a result named above it, the
      // latest first (none preferred: which one is meant is the user's call).
      const block = f.a.result.ast.body.find(
        (s) => s.kind === 'Model' && s.range.start.offset <= start && start < s.range.end.offset,
      );
      const above = [...f.a.symbols.symbols.values()]
        .filter((s) => s.kind === 'result' && s.model === block && s.node.range.end.offset <= start)
        .sort((x, y) => y.id - x.id);
      const names = [...new Set(above.map((s) => s.name))].slice(0, 3);
      for (const name of names)
        f.add(`Start the chain from '${name}'`, [f.replace(start, start, `${name} -> `)], false);
      return;
    }
    case 'NN2028': {
      // An unused result named by a chain: drop `name = ` and the chain is an output.
      const statement = statementAt(f.a, start);
      if (statement?.kind !== 'Assignment' || statement.target.range.start.offset !== start) return;
      if (statement.value.kind !== 'Chain') return;
      f.add(
        `Make '${statement.target.name}' an output`,
        [f.replace(start, statement.value.range.start.offset, '')],
        false,
      );
      return;
    }
    case 'NN5005': {
      // Swap the Dropout with the step before it in its chain.
      const chain = chainEndingAt(f.a, end);
      const last = chain?.steps.at(-1);
      const before = chain?.steps.at(-2);
      if (!last || !before || last.range.start.offset !== start) return;
      const text = f.a.text;
      const [b0, b1] = [before.range.start.offset, before.range.end.offset];
      f.add('Move the Dropout before the last layer', [
        f.replace(b0, end, text.slice(start, end) + text.slice(b1, start) + text.slice(b0, b1)),
      ]);
      return;
    }
    default:
      return;
  }
}

/** The chain whose last step ends at `offset`. */
function chainEndingAt(a: Analysis, offset: number): Chain | undefined {
  let found: Chain | undefined;
  for (const s of a.result.ast.body) {
    if (s.range.start.offset > offset || s.range.end.offset < offset) continue;
    walk(s, (n) => {
      if (!found && n.kind === 'Chain' && n.steps.at(-1)?.range.end.offset === offset) found = n;
    });
  }
  return found;
}

/** Whether `offset` starts an argument's value written on a layer of `model`. */
function isArgumentValue(model: CheckedModel, offset: number): boolean {
  return model.layers.some((l) =>
    Object.values(l.argRanges).some((r) => r.start.offset === offset),
  );
}

/** The statement (in a model block or not) holding `offset`. */
function statementAt(a: Analysis, offset: number): Statement | undefined {
  const holds = (s: Statement) => s.range.start.offset <= offset && offset < s.range.end.offset;
  for (const s of a.result.ast.body) {
    if (!holds(s)) continue;
    return s.kind === 'Model' ? s.body.find(holds) : s;
  }
  return undefined;
}

/** The call node starting at `offset`. */
function callStartingAt(a: Analysis, offset: number): Call | undefined {
  let found: Call | undefined;
  for (const s of a.result.ast.body) {
    if (s.range.start.offset > offset || s.range.end.offset < offset) continue;
    walk(s, (n) => {
      if (!found && n.kind === 'Call' && n.range.start.offset === offset) found = n;
    });
  }
  return found;
}
