/**
 * Fixture files with cursors: each `¦` in test/service/fixtures/*.nn marks a place; the
 * markers are removed and, at each, hover, completion, signature help and definition are
 * written to a golden file beside the fixture (`UPDATE_GOLDEN=1` rewrites it for review).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { LanguageService, PositionIndex } from '../../src/service/index.js';
import { expectGolden } from '../golden.js';

const dir = new URL('./fixtures/', import.meta.url);
const service = new LanguageService({
  onError: (e) => {
    throw e;
  },
});

describe('fixtures', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.nn')))
    it(file, () => {
      const marked = readFileSync(new URL(file, dir), 'utf8');
      const parts = marked.split('¦');
      const text = parts.join('');
      const index = new PositionIndex(text);
      const out: string[] = [];
      let offset = 0;
      for (const part of parts.slice(0, -1)) {
        offset += part.length;
        const p = index.position(offset);
        const line = text.slice(index.lineStart(p.line), index.lineEnd(p.line));
        out.push(
          `## ${p.line + 1}:${p.character + 1}  ${line.slice(0, p.character).trimStart()}¦${line.slice(p.character)}`,
        );
        const hover = service.hover(text, p);
        if (hover)
          out.push(
            'hover: ' +
              hover.contents
                .split('\n')
                .filter((l) => l && !l.startsWith('```'))
                .join(' ⏎ '),
          );
        const items = service.completions(text, p);
        if (items.length > 0)
          out.push(
            `completions (${items.length}): ` +
              items
                .slice(0, 10)
                .map((i) => i.label)
                .join(', '),
          );
        const sig = service.signatureHelp(text, p);
        if (sig)
          out.push(
            `signature: ${sig.label.slice(0, 60)}… active=${sig.parameters[sig.activeParameter]?.name ?? '-'}`,
          );
        const def = service.definition(text, p);
        if (def) out.push(`definition: ${def.start.line + 1}:${def.start.character + 1}`);
        out.push('');
      }
      expectGolden(new URL(file.replace(/\.nn$/, '.golden.txt'), dir).pathname, out.join('\n'));
    });
});
