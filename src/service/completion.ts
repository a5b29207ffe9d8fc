/**
 * Completion that knows where the cursor is: layer names at a chain step or a statement's
 * start, a call's keyword arguments (minus those given), the names an argument's type expects
 * (activations, initializers, losses, optimizers, metrics, callbacks, enum values), named
 * constants, a graph's results where a result can stand (a chain's head, a tuple, after `=`)
 * and merge layers after a tuple; snippets fill in required arguments. Works from the tokens,
 * so half-typed lines complete too.
 */
import type * as ast from '../ast/index.js';
import { catalog, type CatalogArg, type CatalogEntry, type CatalogKind } from '../catalog/index.js';
import { layerDefs } from '../layers/index.js';
import type { Analysis } from './analysis.js';
import { callSnippet, kindOfType, parameterDoc, parametersOf } from './catalog-info.js';
import { shapeText } from './hover.js';
import { cursorContext, currentParameter, givenParameters, type CursorContext } from './context.js';
import type { Range } from './positions.js';

export type CompletionKind =
  'layer' | 'function' | 'keyword' | 'argument' | 'constant' | 'result' | 'value' | 'class';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** A short line beside the label (the catalog kind, the parameter's type). */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** The text to insert; a snippet (`${1:units}`, `$0`) when `snippet` is set. */
  insertText: string;
  snippet: boolean;
  /** The text the insert replaces: the word being typed. */
  range: Range;
  /** Orders items: lower first. */
  sortText: string;
}

/** Completions at `offset`, ordered by `sortText` (then as found: catalog order). */
export function completions(a: Analysis, offset: number): CompletionItem[] {
  return unsorted(a, offset).sort((x, y) =>
    x.sortText < y.sortText ? -1 : x.sortText > y.sortText ? 1 : 0,
  );
}

function unsorted(a: Analysis, offset: number): CompletionItem[] {
  const ctx = cursorContext(a, offset);
  if (ctx.inComment || ctx.inLiteral) return [];
  const out = new Builder(a, ctx);
  if (ctx.string) {
    stringValues(out, ctx);
    return out.items;
  }
  const frame = ctx.call;
  if (frame) {
    const seg = frame.args[frame.current];
    if (!seg || !frame.entry || !frame.kind) {
      out.constants();
      return out.items;
    }
    const param = currentParameter(frame);
    const typingKeyword = seg.keyword !== undefined && ctx.offset <= seg.keyword.end;
    const afterEquals = seg.valueStart !== undefined && ctx.offset >= seg.valueStart;
    // Only the word being typed stands before the cursor in this argument.
    const atArgumentStart = ctx.previous === undefined || ctx.previous.end <= seg.start;
    if (ctx.containers > 0) {
      if (param) values(out, param, true);
      out.constants(param);
    } else if (afterEquals) {
      if (param && valueStartsAt(ctx, seg.valueStart!)) {
        values(out, param, false);
        out.constants(param);
      }
    } else if (typingKeyword || atArgumentStart) {
      const given = givenParameters(frame);
      const keywordsOnly =
        typingKeyword || frame.args.slice(0, frame.current).some((s) => s.keyword);
      for (const p of parametersOf(frame.entry, frame.kind).all) {
        if (given.has(p.name) || p.rejected) continue;
        out.add({
          label: `${p.name}=`,
          kind: 'argument',
          detail: p.type,
          documentation: parameterDoc(p),
          insertText: typingKeyword ? p.name : `${p.name}=`,
          sortText: `1${p.required ? 0 : 1}`,
        });
      }
      if (!keywordsOnly) {
        if (param) values(out, param, false);
        out.constants(param);
      }
    }
    return out.items;
  }
  if (ctx.containers > 0) {
    // A tuple of results before `->`, or a constant's list or tuple.
    out.results();
    out.constants();
    return out.items;
  }
  const prev = ctx.previous;
  if (prev?.type === 'Model') return [];
  if (prev?.type === 'Arrow') {
    layers(out, false, afterTuple(a, a.tokensBefore(prev.start)));
    out.constants();
    return out.items;
  }
  if (prev?.type === 'Equals') {
    out.results();
    inputs(out);
    out.constants();
    for (const v of ['True', 'False', 'None'])
      out.add({ label: v, kind: 'value', insertText: v, sortText: '3' });
    return out.items;
  }
  const statementStart =
    !prev ||
    prev.type === 'Semicolon' ||
    prev.type === 'LBrace' ||
    prev.type === 'RBrace' ||
    (a.index.position(prev.end).line < a.index.position(ctx.word.start).line &&
      !['Comma', 'Equals', 'Minus', 'Plus', 'LParen', 'LBracket'].includes(prev.type));
  if (!statementStart) return [];
  out.results();
  layers(out, true);
  for (const name of ['compile', 'fit']) {
    const entry = catalog.lookup('method', name);
    if (entry)
      out.add({
        label: name,
        kind: 'function',
        detail: 'method',
        documentation: entry.doc,
        insertText: callSnippet(entry, 'method'),
        snippet: true,
        sortText: '2',
      });
  }
  if (!ctx.inBlock)
    out.add({
      label: 'model',
      kind: 'keyword',
      detail: 'a named model',
      insertText: 'model ${1:name} {\n\t$0\n}',
      snippet: true,
      sortText: '3',
    });
  out.constants();
  return out.items;
}

/** Whether the word being typed is the argument's value's first token. */
function valueStartsAt(ctx: CursorContext, valueStart: number): boolean {
  return ctx.previous === undefined || ctx.previous.end <= valueStart;
}

class Builder {
  readonly items: CompletionItem[] = [];
  private readonly seen = new Set<string>();
  private readonly range: Range;

  constructor(
    private readonly a: Analysis,
    private readonly ctx: CursorContext,
  ) {
    const s = ctx.string;
    this.range = s
      ? a.index.range(
          s.contentStart,
          Math.max(s.contentStart, Math.min(s.contentEnd, wordEnd(a.text, ctx.offset))),
        )
      : a.index.range(ctx.word.start, ctx.word.end);
  }

  add(item: Omit<CompletionItem, 'range' | 'snippet'> & { snippet?: boolean }): void {
    if (this.seen.has(item.label)) return;
    this.seen.add(item.label);
    this.items.push({ snippet: false, ...item, range: this.range });
  }

  /**
   * The results of the cursor's model named above the cursor (a graph reads only those), each
   * name once, first: where one can stand, it is what the user most likely means.
   */
  results(): void {
    const block = this.a.result.ast.body.find(
      (s): s is ast.ModelBlock =>
        s.kind === 'Model' &&
        s.range.start.offset <= this.ctx.offset &&
        this.ctx.offset <= s.range.end.offset,
    );
    const visible = [...this.a.symbols.symbols.values()]
      .filter(
        (s) =>
          s.kind === 'result' &&
          s.model === block &&
          s.node.range.end.offset <= this.ctx.word.start,
      )
      .sort((x, y) => y.id - x.id); // the latest definition of a name is the one read
    for (const s of visible)
      this.add({
        label: s.name,
        kind: 'result',
        detail: s.result?.madeBy ? shapeText(s.result.shape) : 'result',
        insertText: s.name,
        sortText: '0',
      });
  }

  /** The named constants visible at the cursor; first where a plain value is expected. */
  constants(param?: CatalogArg): void {
    const plain =
      param !== undefined &&
      !kindOfType[param.type] &&
      param.type !== 'enum' &&
      param.type !== 'bool';
    const sortText = plain ? '0' : '5';
    const { symbols } = this.a.symbols;
    for (const s of symbols.values()) {
      if (s.kind !== 'constant') continue;
      const local = s.model;
      if (
        local &&
        !(local.range.start.offset <= this.ctx.offset && this.ctx.offset <= local.range.end.offset)
      )
        continue;
      // Not the one being written (`h = ¦` parses as `h` given an error, ending before the cursor).
      let end = s.node.range.end.offset;
      if (
        s.node.kind === 'Assignment' &&
        s.node.value.kind === 'Error' &&
        /^[ \t]*$/.test(this.a.text.slice(end, this.ctx.word.start))
      )
        end = this.ctx.word.start;
      if (s.node.range.start.offset <= this.ctx.offset && this.ctx.offset <= end) continue;
      this.add({
        label: s.name,
        kind: 'constant',
        detail: 'constant',
        insertText: s.name,
        sortText,
      });
    }
  }
}

/** The end of the identifier-ish run at `offset`, for a replace range inside a string. */
function wordEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /[\w.]/.test(text[i]!)) i++;
  return i;
}

/**
 * Layer names as call snippets. After a tuple of results only merge layers fit (any other
 * takes one input); elsewhere merge layers come last, since they need a tuple before them.
 */
function layers(out: Builder, withInput: boolean, afterTuple = false): void {
  for (const entry of catalog.entries('layer')) {
    if (!withInput && (entry.name === 'Input' || entry.name === 'InputLayer')) continue;
    const merge = layerDefs[entry.name]?.merge === true;
    if (afterTuple && !merge) continue;
    layer(out, entry, entry.unsupported ? '2' : merge && !afterTuple ? '3' : '1');
  }
}

/** `Input(...)`, which starts a graph's result (`x = Input(shape=(4,))`). */
function inputs(out: Builder): void {
  const entry = catalog.lookup('layer', 'Input');
  if (entry) layer(out, entry, '1');
}

/** One layer as a call snippet filling in its required arguments. */
function layer(out: Builder, entry: CatalogEntry, sortText: string): void {
  out.add({
    label: entry.name,
    kind: 'layer',
    detail: 'layer',
    documentation: entry.doc,
    insertText: callSnippet(entry, 'layer'),
    snippet: true,
    sortText,
  });
}

/** Whether the code tokens before index `arrow` (an `->`) end with a tuple or list: `(a, b) ->`. */
function afterTuple(a: Analysis, arrow: number): boolean {
  const close = a.code[arrow - 1];
  if (close?.type !== 'RParen' && close?.type !== 'RBracket') return false;
  let depth = 0;
  for (let j = arrow - 1; j >= 0 && j >= arrow - 4000; j--) {
    const t = a.code[j]!.type;
    if (t === 'RParen' || t === 'RBracket') depth++;
    else if (t === 'LParen' || t === 'LBracket') {
      if (--depth > 0) continue;
      // A call's parentheses close a layer, not a tuple.
      return t === 'LBracket' || a.code[j - 1]?.type !== 'Identifier';
    }
  }
  return false;
}

/** The values `param` takes, as bare names or calls; `inList`: an element of its list. */
function values(out: Builder, param: CatalogArg, inList: boolean): void {
  const kind = kindOfType[param.type];
  if (kind) {
    const wrap = (kind === 'metric' || kind === 'callback') && !inList;
    for (const entry of catalog.entries(kind)) named(out, entry, kind, wrap);
  }
  if (param.type === 'enum')
    for (const v of param.values ?? [])
      out.add({
        label: `'${v}'`,
        kind: 'value',
        detail: param.name,
        insertText: `'${v}'`,
        sortText: '1',
      });
  if (param.type === 'bool')
    for (const v of ['True', 'False'])
      out.add({ label: v, kind: 'value', insertText: v, sortText: '1' });
  if (param.nullable || param.default === null || param.type === 'activation')
    out.add({ label: 'None', kind: 'value', insertText: 'None', sortText: '3' });
}

/** One catalog entry in every spelling: bare names as they are, class names as call snippets. */
function named(out: Builder, entry: CatalogEntry, kind: CatalogKind, wrap: boolean): void {
  const callable = kind === 'callback' || kind === 'schedule';
  for (const spelled of spellings(entry, kind)) {
    const asCall = callable || /^[A-Z]/.test(spelled);
    let insertText = asCall ? callSnippet(entry, kind, spelled) : spelled;
    if (wrap) insertText = kind === 'metric' ? `['${spelled}']` : `[${insertText}]`;
    out.add({
      label: spelled,
      kind: asCall ? 'class' : 'function',
      detail: kind,
      documentation: entry.doc,
      insertText,
      snippet: asCall,
      sortText: (entry.unsupported ? '4' : spelled === entry.name ? '1' : '2') + spelled,
    });
  }
}

/** Inside a string: the names the argument's type expects, without quotes. */
function stringValues(out: Builder, ctx: CursorContext): void {
  const frame = ctx.call;
  if (!frame) return;
  const param = currentParameter(frame);
  if (!param) return;
  const kind = kindOfType[param.type];
  if (kind)
    for (const entry of catalog.entries(kind))
      for (const spelled of spellings(entry, kind))
        out.add({
          label: spelled,
          kind: 'value',
          detail: kind,
          documentation: entry.doc,
          insertText: spelled,
          sortText: (spelled === entry.name ? '1' : '2') + spelled,
        });
  if (param.type === 'enum')
    for (const v of param.values ?? [])
      out.add({ label: v, kind: 'value', detail: param.name, insertText: v, sortText: '1' });
}

/** An entry's spellings; optimizers also in lower case (Keras resolves them case-insensitively). */
function spellings(entry: CatalogEntry, kind: CatalogKind): string[] {
  const all = [entry.name, ...(entry.ids ?? [])];
  if (kind === 'optimizer') all.push(...all.map((s) => s.toLowerCase()));
  return [...new Set(all)];
}
