/**
 * Writes samples/waves.csv and samples/waves-test.csv: noisy sine waves of 30 samples, each of
 * one of three frequencies (1, 2 or 3 periods over the window) at a random phase and amplitude,
 * labelled by its frequency. A Dense layer on the raw values cannot tell the classes apart
 * (the phase shifts every value); a recurrent layer reads the wave step by step.
 * Seeded, so the files are the same on every run: `npx tsx samples/waves-data.ts`.
 */
import { Rng } from '../src/kernels/random.js';
import { writeFileAtomic } from '../src/runtime/weights-file.js';

const steps = 30;
const header = ['frequency', ...Array.from({ length: steps }, (_, i) => `t${i}`)].join(',');

function rows(count: number, rng: Rng): string[] {
  const out = [header];
  for (let r = 0; r < count; r++) {
    const label = r % 3;
    const periods = label + 1;
    const phase = rng.uniform() * 2 * Math.PI;
    const amplitude = 0.5 + rng.uniform();
    const values = Array.from({ length: steps }, (_, t) => {
      const v = amplitude * Math.sin((2 * Math.PI * periods * t) / steps + phase);
      return (v + 0.2 * rng.normal()).toFixed(3);
    });
    out.push([label, ...values].join(','));
  }
  return out;
}

for (const [name, count, seed] of [
  ['waves', 900, 20261203],
  ['waves-test', 300, 7],
] as const) {
  const path = new URL(`${name}.csv`, import.meta.url).pathname;
  writeFileAtomic(path, Buffer.from(rows(count, new Rng(seed)).join('\n') + '\n'));
  console.log(`wrote ${path}`);
}
