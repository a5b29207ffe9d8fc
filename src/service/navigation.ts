/**
 * Go to definition, references and rename, for named constants, results and models. A result
 * named again is a new result (Python's habit): each definition owns the reads up to the next.
 */
import type { Analysis, Occurrence } from './analysis.js';
import type { Range, TextEdit } from './positions.js';

/** The symbol's occurrences at `offset` (the definition first), or undefined. */
function occurrencesAt(a: Analysis, offset: number): Occurrence[] | undefined {
  const at = a.occurrenceAt(offset);
  if (!at) return undefined;
  const all = a.symbols.occurrences.filter((o) => o.symbol === at.symbol);
  return [
    ...all.filter((o) => o.isDefinition && o.start === at.symbol),
    ...all.filter((o) => !(o.isDefinition && o.start === at.symbol)),
  ];
}

/** Where the constant, result or model at `offset` is defined. */
export function definition(a: Analysis, offset: number): Range | null {
  const at = a.occurrenceAt(offset);
  if (!at) return null;
  const symbol = a.symbols.symbols.get(at.symbol);
  return symbol ? a.index.range(at.symbol, at.symbol + symbol.name.length) : null;
}

/** Every occurrence of the constant, result or model at `offset`; with its definition when asked. */
export function references(a: Analysis, offset: number, includeDeclaration = true): Range[] {
  const all = occurrencesAt(a, offset) ?? [];
  return all
    .filter((o) => includeDeclaration || !o.isDefinition)
    .map((o) => a.index.range(o.start, o.end));
}

/** The range of the name that can be renamed at `offset`, or null. */
export function prepareRename(a: Analysis, offset: number): Range | null {
  const at = a.occurrenceAt(offset);
  return at ? a.index.range(at.start, at.end) : null;
}

export type RenameResult = { edits: TextEdit[] } | { error: string };

const identifier = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;
const reserved = new Set(['model', 'True', 'False', 'None', 'true', 'false', 'none']);

/** Renames the constant, result or model at `offset` to `newName`: every occurrence, or why not. */
export function rename(a: Analysis, offset: number, newName: string): RenameResult {
  const all = occurrencesAt(a, offset);
  if (!all || all.length === 0) return { error: 'Only named constants and models can be renamed.' };
  if (!identifier.test(newName) || reserved.has(newName))
    return { error: `'${newName}' is not a valid name.` };
  const symbol = a.symbols.symbols.get(all[0]!.symbol);
  if (symbol?.kind === 'constant' || symbol?.kind === 'result') {
    // A name already defined where the symbol is visible would change what a use means (or
    // read confusingly: a result and a constant of one name, in one model).
    for (const other of a.symbols.symbols.values())
      if (
        other.kind !== 'model' &&
        other.name === newName &&
        (other.model === symbol.model ||
          (other.kind === 'constant' && other.model === undefined) ||
          (symbol.kind === 'constant' && symbol.model === undefined))
      )
        return { error: `'${newName}' is already defined.` };
  } else if (symbol?.kind === 'model') {
    for (const other of a.symbols.symbols.values())
      if (other.kind === 'model' && other.name === newName)
        return { error: `A model named '${newName}' already exists.` };
  }
  return { edits: all.map((o) => ({ range: a.index.range(o.start, o.end), newText: newName })) };
}
