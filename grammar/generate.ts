/**
 * Writes grammar/diagrams.html: railroad diagrams generated from the parser itself, with
 * Chevrotain's diagram scripts inlined from node_modules so the page opens offline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { parser } from '../src/syntax/index.js';

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
