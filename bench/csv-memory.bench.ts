/**
 * The memory it takes to read a training CSV the way `nn train` reads it (`readTable`), against
 * the float32 data it holds. Run: npm run bench:csv [-- ROWS [FEATURES]] (default 1,000,000 × 4,
 * plus a 0/1 target). It writes the CSV into a temporary folder, then reads it once in a fresh
 * child process (so that writing it does not count), and prints the file's size, the peak
 * resident memory above what that process held before reading, and its ratio to the float32
 * data (x and y).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable } from '../src/data/index.js';

const reading = process.argv[2] === '--read';
const rows = Number(process.argv[reading ? 4 : 2] ?? 1_000_000);
const features = Number(process.argv[reading ? 5 : 3] ?? 4);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

if (reading) measure(process.argv[3]!);
else {
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
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, process.argv[1]!, '--read', file, String(rows), String(features)],
    { stdio: 'inherit' },
  );
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = child.status ?? 1;
}

/** Reads the file as `nn train` does and prints what it took. */
function measure(file: string): void {
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
}
