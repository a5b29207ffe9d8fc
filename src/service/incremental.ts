/**
 * Diagnostics after an edit inside one model block, without checking the whole file again.
 * The models of a file are independent: each sees the file's constants and its own statements,
 * and names its layers on its own. So when an edit stays inside one `model … { … }` body, the
 * other models' diagnostics are the previous ones (moved by the edit), and the edited model's
 * are those of the file with every other model block blanked out — spaces in place of their
 * text, line breaks kept, so every position stays where it is. The one fact that spans models,
 * a model name defined twice, sits in the block's header, which the edit did not touch.
 * Anything else (an edit outside a body, braces that do not balance) returns null, and the
 * caller checks the whole file.
 */
import { Analysis } from './analysis.js';
import { diagnostics, type ServiceDiagnostic } from './diagnostics.js';
import { PositionIndex, type Range } from './positions.js';

/** A top-level `model name { … }` block: its start, the offset after `{`, the offset of `}`, its end. */
export interface Block {
  start: number;
  bodyStart: number;
  bodyEnd: number;
  end: number;
}

const identChar = /[\p{L}\p{N}_]/u;

/**
 * The top-level model blocks of a text, skipping strings and comments; null when its braces do
 * not balance (the parser's recovery decides then, so only a whole check is right).
 */
export function modelBlocks(text: string): Block[] | null {
  const blocks: Block[] = [];
  let depth = 0;
  let open: { start: number; bodyStart: number } | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === "'" || c === '"') {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '\\') i++;
        i++;
      }
    } else if (c === '{') {
      if (depth === 0) {
        const header = /(?:^|[^\p{L}\p{N}_])model\s+[\p{L}_][\p{L}\p{N}_]*\s*$/u.exec(
          text.slice(Math.max(0, i - 200), i),
        );
        if (!header) return null;
        const start = i - (header[0].length - (identChar.test(header[0][0]!) ? 0 : 1));
        open = { start, bodyStart: i + 1 };
      }
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) return null;
      if (depth === 0 && open) {
        blocks.push({ ...open, bodyEnd: i, end: i + 1 });
        open = null;
      }
    }
  }
  return depth === 0 ? blocks : null;
}

/** `text` with the characters of `blocks` other than `keep` replaced by spaces (line breaks kept). */
function blankOthers(text: string, blocks: readonly Block[], keep: number): string {
  let out = '';
  let at = 0;
  blocks.forEach((b, j) => {
    if (j === keep) return;
    out += text.slice(at, b.start) + text.slice(b.start, b.end).replace(/[^\r\n]/g, ' ');
    at = b.end;
  });
  return out + text.slice(at);
}

/**
 * The text as the model at `position` sees it: every other model block blanked out; null when
 * the position is in no model's body, there is only one block, or the braces do not balance.
 */
export function focusOn(
  text: string,
  position: { line: number; character: number },
): string | null {
  const blocks = modelBlocks(text);
  if (!blocks || blocks.length < 2) return null;
  const offset = new PositionIndex(text).offset(position);
  const k = blocks.findIndex((b) => b.bodyStart <= offset && offset <= b.bodyEnd);
  return k < 0 ? null : blankOthers(text, blocks, k);
}

/** The previous text and the diagnostics the service gave it. */
export interface Checked {
  text: string;
  diagnostics: ServiceDiagnostic[];
}

const duplicateDefinition = 'NN2011';

/** Syntax diagnostics (1xxx): where the parser's recovery may reach past a block. */
const isSyntax = (d: ServiceDiagnostic) => d.code.startsWith('NN1');

/** The diagnostics of `text` from `previous` and a check of one model, or null when the edit is not inside one model's body. */
export function diagnosticsAfterEdit(
  previous: Checked,
  text: string,
  docsBase: string,
): ServiceDiagnostic[] | null {
  const old = previous.text;
  if (old === text) return previous.diagnostics;
  let prefix = 0;
  const shorter = Math.min(old.length, text.length);
  while (prefix < shorter && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  )
    suffix++;
  const oldBlocks = modelBlocks(old);
  const newBlocks = modelBlocks(text);
  if (!oldBlocks || !newBlocks || oldBlocks.length !== newBlocks.length) return null;
  const k = newBlocks.findIndex(
    (b, j) =>
      b.bodyStart <= prefix &&
      text.length - suffix <= b.bodyEnd &&
      oldBlocks[j]!.bodyStart <= prefix &&
      old.length - suffix <= oldBlocks[j]!.bodyEnd,
  );
  if (k < 0) return null;
  const block = newBlocks[k]!;
  const oldBlock = oldBlocks[k]!;

  // The edited model, checked with every other block blanked out.
  const synthetic = blankOthers(text, newBlocks, k);
  const oldIndex = new PositionIndex(old);
  const inside = (r: Range, index: PositionIndex, b: Block) => {
    const s = index.offset(r.start);
    return s >= b.start && s < b.end;
  };
  const inBody = (r: Range, index: PositionIndex, b: Block) => {
    const [s, e] = [index.offset(r.start), index.offset(r.end)];
    return s >= b.bodyStart && e <= b.bodyEnd;
  };
  // Syntax errors elsewhere may have been recovered across a block's end: check it all.
  if (!previous.diagnostics.every((d) => !isSyntax(d) || inBody(d.range, oldIndex, oldBlock)))
    return null;
  const fresh = new Analysis(synthetic);
  const newIndex = fresh.index;
  // The parser must read the edited block as the same block, its syntax errors inside it.
  const parsed = fresh.result.ast.body.some(
    (st) =>
      st.kind === 'Model' &&
      st.range.start.offset === block.start &&
      st.range.end.offset === block.end,
  );
  const fresh0 = diagnostics(fresh, docsBase);
  if (!parsed || !fresh0.every((d) => !isSyntax(d) || inBody(d.range, newIndex, block)))
    return null;
  const inHeader = (d: ServiceDiagnostic, index: PositionIndex, b: Block) =>
    d.code === duplicateDefinition && index.offset(d.range.start) < b.bodyStart;

  // Everything outside the edited block, moved by the edit.
  const delta = text.length - old.length;
  const move = (r: Range): Range => {
    const [s, e] = [oldIndex.offset(r.start), oldIndex.offset(r.end)];
    const shift = (o: number) => (o >= oldBlock.bodyEnd ? o + delta : o);
    return newIndex.range(shift(s), shift(e));
  };
  const kept = previous.diagnostics
    .filter((d) => !inside(d.range, oldIndex, oldBlock) || inHeader(d, oldIndex, oldBlock))
    .map((d) => ({
      ...d,
      range: move(d.range),
      related: d.related.map((r) => ({ ...r, range: move(r.range) })),
    }));
  const edited = fresh0.filter(
    (d) => inside(d.range, newIndex, block) && !inHeader(d, newIndex, block),
  );
  return [...kept, ...edited].sort(
    (a, b) =>
      newIndex.offset(a.range.start) - newIndex.offset(b.range.start) ||
      newIndex.offset(a.range.end) - newIndex.offset(b.range.end),
  );
}
