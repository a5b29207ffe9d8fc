/**
 * Hover: what the name under the cursor is. A layer's signature, doc, output shape, parameter
 * count and bytes; an activation, loss, optimizer or initializer's doc and defaults; an
 * argument's doc; a named constant's value; a result's shape and the layer that made it; a
 * model's layers and parameters.
 */
import { walk, type Expression } from '../ast/index.js';
import { printNode } from '../format/index.js';
import type { CatalogKind } from '../catalog/index.js';
import type { CheckedLayer, CheckedModel } from '../check/index.js';
import { groupThousands, paramCounts, readableSize, type Shape } from '../layers/index.js';
import type { Analysis } from './analysis.js';
import {
  entryMarkdown,
  kindOfType,
  lookupEntry,
  parameterDoc,
  parameterNamed,
} from './catalog-info.js';
import { cursorContext, currentParameter } from './context.js';
import type { Range } from './positions.js';

export interface Hover {
  /** Markdown. */
  contents: string;
  range: Range;
}

/** The hover at `offset`, or null where there is nothing to say. */
export function hover(a: Analysis, offset: number): Hover | null {
  const token = a.tokenAt(offset);
  if (!token || a.commentAt(offset)) return null;
  const range = a.index.range(token.start, token.end);
  const at = (contents: string): Hover => ({ contents, range });
  if (token.type === 'Identifier') {
    // A named constant or a model.
    const occurrence = a.occurrenceAt(token.start);
    const symbol = occurrence && a.symbols.symbols.get(occurrence.symbol);
    if (symbol?.kind === 'constant' && symbol.node.kind === 'Assignment')
      return at(
        [
          '```nn',
          `${symbol.name} = ${clip(valueText(a, symbol.node.value))}`,
          '```',
          symbol.model ? `constant of model '${symbol.model.name.name}'` : 'constant',
        ].join('\n'),
      );
    if (symbol?.kind === 'result' && symbol.result) {
      const r = symbol.result;
      const made = r.madeBy ? ` — ${r.madeBy.name} (${r.madeBy.className})` : '';
      const shape = r.madeBy ? shapeText(r.shape) : 'unknown: its definition has an error';
      const owner = symbol.model ? `result of model '${symbol.model.name.name}'` : 'result';
      return at(['```nn', `${r.name}: ${shape}${made}`, '```', owner].join('\n'));
    }
    if (symbol?.kind === 'model') {
      const model = a.result.models.find(
        (m) => m.range.start.offset <= token.start && token.end <= m.range.end.offset,
      );
      return at(model ? modelMarkdown(model) : `model '${symbol.name}'`);
    }
    // A callee: the entry, and for a layer its shape and parameters.
    const bound = a.callAt(token.start);
    if (bound) {
      const found = lookupEntry(bound.entry, bound.kind);
      if (found) {
        let text = entryMarkdown(found.entry, found.kind);
        if (bound.kind === 'layer') {
          const layer = layerAt(a, bound.range.start.offset);
          if (layer) text += '\n\n' + layerFacts(layer);
        }
        return at(text);
      }
    }
    // A keyword argument's name or a value, read from the cursor's context.
    const ctx = cursorContext(a, token.end);
    const frame = ctx.call;
    const seg = frame?.args[frame.current];
    if (frame?.entry && frame.kind && seg?.keyword?.start === token.start) {
      const p = parameterNamed(frame.entry, frame.kind, token.image);
      if (p)
        return at(['```nn', `${frame.entry.name}(${p.name}=…)`, '```', parameterDoc(p)].join('\n'));
    }
    const next = a.code[a.tokensBefore(token.end)];
    if (next?.type === 'LParen') {
      const found = lookupEntry(token.image, frame ? expectedKind(frame) : 'layer');
      return found ? at(entryMarkdown(found.entry, found.kind)) : null;
    }
    const kind = frame ? expectedKind(frame) : undefined;
    const found = lookupEntry(token.image, kind);
    return found ? at(entryMarkdown(found.entry, found.kind)) : null;
  }
  if (token.type === 'StringLiteral' && offset < token.end) {
    const ctx = cursorContext(a, token.start + 1);
    const kind = ctx.call ? expectedKind(ctx.call) : undefined;
    const found = kind && lookupEntry(token.image.slice(1, -1), kind);
    if (found) return at(entryMarkdown(found.entry, found.kind));
  }
  // Any other value: the doc of the parameter it is given to.
  if (token.type === 'NumberLiteral' || token.type === 'StringLiteral') {
    const frame = cursorContext(a, token.start).call;
    const p = frame && currentParameter(frame);
    if (frame?.entry && p)
      return at(['```nn', `${frame.entry.name}(${p.name}=…)`, '```', parameterDoc(p)].join('\n'));
  }
  return null;
}

/** The kind of thing the current argument of `frame` names, if it names one. */
function expectedKind(
  frame: NonNullable<ReturnType<typeof cursorContext>['call']>,
): CatalogKind | undefined {
  const p = currentParameter(frame);
  return p ? kindOfType[p.type] : undefined;
}

/** The checked layer written as the call starting at `start`. */
export function layerAt(a: Analysis, start: number): CheckedLayer | undefined {
  for (const m of a.result.models)
    if (m.range.start.offset <= start && start <= m.range.end.offset)
      for (const l of m.layers) if (l.range.start.offset === start) return l;
  return undefined;
}

export function shapeText(shape: Shape | null): string {
  if (!shape) return 'unknown until the input shape is';
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** A layer's output shape, parameter count and bytes (float32). */
export function layerFacts(layer: CheckedLayer): string {
  const { trainable, nonTrainable } = paramCounts(layer);
  const total = trainable + nonTrainable;
  const lines = [`**${layer.name}**: output ${shapeText(layer.outputShape)}`];
  if (layer.outputShape) {
    let params = `${groupThousands(total)} parameters (${readableSize(total * 4)})`;
    if (nonTrainable > 0) params += `, ${groupThousands(nonTrainable)} not trainable`;
    lines.push(params);
  }
  return lines.join('  \n');
}

function modelMarkdown(m: CheckedModel): string {
  let total = 0;
  for (const l of m.layers) {
    const c = paramCounts(l);
    total += c.trainable + c.nonTrainable;
  }
  // A graph may have several inputs (Keras's list), each an Input(...) with its shape.
  const input =
    m.inputs.length > 1
      ? `inputs ${m.inputs.map((i) => shapeText(i.shape)).join(', ')}`
      : `input ${m.inputShape ? shapeText(m.inputShape) : 'fixed by the data'}`;
  const lines = [
    `**model ${m.name}**: ${m.layers.length} layer${m.layers.length === 1 ? '' : 's'}, ${input}`,
  ];
  if (m.inputShape) lines.push(`${groupThousands(total)} parameters (${readableSize(total * 4)})`);
  for (const l of m.layers.slice(0, 30))
    lines.push(`- ${l.name} (${l.className}) → ${shapeText(l.outputShape)}`);
  if (m.layers.length > 30) lines.push(`- … ${m.layers.length - 30} more`);
  return lines.join('  \n');
}

function clip(s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/** A constant's value as the printer writes it; as written when part of it did not parse. */
function valueText(a: Analysis, value: Expression): string {
  let broken = false;
  walk(value, (n) => {
    if (n.kind === 'Error') broken = true;
  });
  if (!broken) return printNode(value);
  return a.index.text.slice(value.range.start.offset, value.range.end.offset);
}
