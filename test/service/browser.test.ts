/**
 * The service runs in a browser's web worker: nothing it imports, however indirectly, may be
 * a Node built-in. Follows the import lines from src/service/index.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, it } from 'vitest';

it('imports no Node built-in, directly or through the compiler', () => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(
      /^(?:import|export)[^;]*?from '([^']+)'/gms,
    )) {
      const spec = m[1]!;
      if (spec.endsWith('.json')) continue;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      else packages.add(spec);
    }
  };
  visit(new URL('../../src/service/index.ts', import.meta.url).pathname);
  expect(seen.size).toBeGreaterThan(20);
  // chevrotain (the parser) and ajv (the AST schema) both run in browsers.
  expect([...packages].sort()).toEqual(['ajv', 'chevrotain']);
});
