/**
 * Front end at scale: `check` on inputs ten times apart in size must take at most ~15× the
 * time (linear work, not quadratic). Cases: a layer chain (10,000 vs 100,000 layers), random
 * token soup (100 KB vs 1 MB), deep nesting (10,000 vs 100,000 levels), realistic files.
 * Run: npm run bench:scale. Prints each case's times and the ratio; exits 1 if one is > 15.
 */
import { check } from '../src/index.js';

/** `Input(4) -> Dense(4) -> …` with `n` Dense layers. */
function chain(n: number): string {
  return 'Input(4) -> ' + Array.from({ length: n }, () => 'Dense(4)').join(' -> ') + '\n';
}

const pieces = ['(', ')', '[', ']', ',', '=', '->', ';', '\n', ' ', 'Dense', '8', "'a", 'x'];

/** `size` characters of random tokens from a fixed seed (the same text on every run). */
function soup(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let x = 12345; length < size;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const piece = pieces[(x >>> 16) % pieces.length]!;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('');
}

/** `n` small valid model blocks (importing front-end.bench.ts would run that benchmark). */
function models(n: number): string {
  const block = (m: number) =>
    `model m${m} {\n  Input(${4 + (m % 9)}) -> Dense(16, relu) -> Dropout(0.25) -> Dense(3, softmax)\n  compile(Adam(learning_rate=1e-3), categorical_crossentropy, metrics=['accuracy'])\n}\n`;
  return Array.from({ length: n }, (_, m) => block(m)).join('');
}

function nesting(n: number): string {
  return 'Dense(' + '('.repeat(n) + '1' + ')'.repeat(n) + ')\n';
}

/** Median wall time of `check(source)` in milliseconds. */
function time(source: string, repeats: number): number {
  check(source); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    check(source);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const cases: [string, (n: number) => string, number][] = [
  ['layer chain (layers)', chain, 10_000],
  ['random tokens (chars)', soup, 100_000],
  ['nesting (levels)', nesting, 10_000],
  ['valid models (blocks)', models, 500],
];

let failed = false;
console.log('case                      small          large (10×)     ratio');
for (const [name, make, n] of cases) {
  const small = time(make(n), 5);
  const large = time(make(n * 10), 3);
  const ratio = large / small;
  failed ||= ratio > 15;
  console.log(
    `${name.padEnd(24)} ${`${n}: ${small.toFixed(0)} ms`.padEnd(14)} ${`${n * 10}: ${large.toFixed(0)} ms`.padEnd(15)} ${ratio.toFixed(1)}×${ratio > 15 ? '  (over 15×)' : ''}`,
  );
}
process.exitCode = failed ? 1 : 0;
