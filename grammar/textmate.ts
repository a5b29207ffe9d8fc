/**
 * The catalog's names in the TextMate grammar (`grammar/nn.tmLanguage.json`): layer calls are
 * classes, other catalog names are support functions and constants. `npm run grammar` rewrites
 * the generated entries; `test/editors/grammar.test.ts` checks they are up to date.
 */
import { catalog, catalogKinds } from '../src/catalog/index.js';

const otherKinds = catalogKinds.filter((k) => k !== 'layer');

/** Oniguruma's word boundaries around a name, Unicode identifiers included. */
const before = '(?<![\\p{L}\\p{N}\\p{M}\\p{Pc}])';
const after = '(?![\\p{L}\\p{N}\\p{M}\\p{Pc}])';

const alternation = (names: Iterable<string>) => [...new Set(names)].sort().join('|');

/** The layer names, and every other catalog spelling (optimizers also in any case). */
export function catalogNames(): { layers: string; others: string; caseless: string } {
  const others = otherKinds.filter((k) => k !== 'optimizer').flatMap((k) => catalog.spellings(k));
  return {
    layers: alternation(catalog.spellings('layer')),
    others: alternation(others),
    caseless: alternation(catalog.spellings('optimizer')),
  };
}

interface Grammar {
  repository: Record<string, unknown>;
}

/** `grammar` with its catalog-generated repository entries rewritten from the catalog. */
export function withCatalogNames<G extends Grammar>(grammar: G): G {
  const { layers, others, caseless } = catalogNames();
  const names = `(?:${others}|(?i:${caseless}))`;
  return {
    ...grammar,
    repository: {
      ...grammar.repository,
      'layer-call': {
        comment: 'Generated from the catalog by `npm run grammar`.',
        match: `${before}(${layers})${after}(?=\\s*\\()`,
        captures: { '1': { name: 'support.class.layer.nn' } },
      },
      'catalog-call': {
        comment: 'Generated from the catalog by `npm run grammar`.',
        match: `${before}(${names})${after}(?=\\s*\\()`,
        captures: { '1': { name: 'support.function.nn' } },
      },
      'catalog-name': {
        comment: 'Generated from the catalog by `npm run grammar`.',
        name: 'support.constant.nn',
        match: `${before}(?:${layers}|${names})${after}`,
      },
    },
  };
}
