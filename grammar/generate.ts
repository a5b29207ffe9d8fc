/**
 * Writes grammar/diagrams.html: railroad diagrams generated from the parser itself, with
 * Chevrotain's diagram scripts inlined from node_modules so the page opens offline; and
 * rewrites the catalog's names in grammar/nn.tmLanguage.json (`./textmate.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { format, resolveConfig } from 'prettier';
import { parser } from '../src/syntax/index.js';
import { withCatalogNames } from './textmate.js';

// The package's main entry sits in lib/src/; its diagrams/ folder is two levels up from lib.
const chevrotainDir = join(
  dirname(createRequire(import.meta.url).resolve('chevrotain')),
  '..',
  '..',
);
const inline = (path: string) => readFileSync(join(chevrotainDir, 'diagrams', path), 'utf8');

const html = createSyntaxDiagramsCode(parser.getSerializedGastProductions())
  .replace(
    /<link rel='stylesheet' href='[^']*diagrams\.css'>/,
    () => `<style>\n${inline('diagrams.css')}\n</style>`,
  )
  .replace(
    /<script src='[^']*\/diagrams\/([^']+)'><\/script>/g,
    (_, path: string) => `<script>\n${inline(path)}\n</script>`,
  );
writeFileSync(new URL('./diagrams.html', import.meta.url), html);
console.log('wrote grammar/diagrams.html');

const tmLanguage = new URL('./nn.tmLanguage.json', import.meta.url);
const grammar = withCatalogNames(JSON.parse(readFileSync(tmLanguage, 'utf8')));
const options = { ...(await resolveConfig(tmLanguage)), parser: 'json' };
writeFileSync(tmLanguage, await format(JSON.stringify(grammar), options));
console.log('wrote grammar/nn.tmLanguage.json');
