/**
 * The memory it takes to read a training CSV the way `nn train` reads it (`readTable`), against
 * the float32 data it holds. Run: npm run bench:csv [-- ROWS [FEATURES]] (default 1,000,000 × 4,
 * plus a 0/1 target). It writes the CSV into a temporary folder, reads it once, and prints the
 * file's size, the peak resident memory above what the process held before reading, the heap
 * after reading, and their ratios to the float32 data (x and y).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable } from '../src/data/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const features = Number(process.argv[3] ?? 4);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const dir = mkdtempSync(join(tmpdir(), 'nn-csv-bench-'));
const file = join(dir, 'data.csv');
{
  // Values with a few digits each, as a real table has; written in chunks to keep this side small.
  const header = [...Array.from({ length: features }, (_, j) => `x${j}`), 'y'].join(',') + '\n';
  writeFileSync(file, header);
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 10;
  for (let start = 0; start < rows; start += 100_000) {
    const lines: string[] = [];
    for (let r = start; r < Math.min(rows, start + 100_000); r++) {
      const cells = Array.from({ length: features }, () => random().toFixed(4));
      lines.push(`${cells.join(',')},${r % 2}\n`);
    }
    writeFileSync(file, lines.join(''), { flag: 'a' });
  }
}
gc();
const before = process.memoryUsage();
const started = performance.now();
const table = readTable(file, { target: 'y', encoding: 'binary' });
const seconds = (performance.now() - started) / 1000;
const peakRss = process.resourceUsage().maxRSS * 1024;
gc();
const after = process.memoryUsage();
const data = (table.x.length + (table.y?.length ?? 0)) * 4;
const size = statSync(file).size;
rmSync(dir, { recursive: true, force: true });

console.log(
  `${rows} rows × ${features} features + target: file ${mb(size)}, float32 data ${mb(data)}`,
);
console.log(`read in ${seconds.toFixed(2)} s`);
console.log(
  `peak RSS above the start: ${mb(peakRss - before.rss)} = ${((peakRss - before.rss) / data).toFixed(1)}× the data, ${((peakRss - before.rss) / size).toFixed(1)}× the file`,
);
console.log(
  `heap + array buffers after reading (table kept): ${mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers)}`,
);
