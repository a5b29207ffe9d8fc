/** Test helpers: a `¦` in a fixture marks the cursor; it is removed before checking. */
import type { Position } from '../../src/service/index.js';

export const marker = '¦';

/** The text without its marker, and the marker's position (LSP-style, 0-based). */
export function cursor(source: string): { text: string; position: Position; offset: number } {
  const offset = source.indexOf(marker);
  if (offset < 0) throw new Error(`no ${marker} in ${JSON.stringify(source)}`);
  const text = source.slice(0, offset) + source.slice(offset + marker.length);
  const lines = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { text, position: { line: lines.length - 1, character: lines.at(-1)!.length }, offset };
}
