/**
 * The benchmark's printout: one table (our public API, our lower-level path, TF.js cpu, TF.js
 * wasm, our speed ratios), the targets met or not, and per-cell details (spread, how
 * each engine was driven).
 */
import { median, type Budget, type Runner, type Samples } from './measure.js';
import { workloads, type Workload, type WorkloadId } from './workloads.js';

/** How a cell's samples are summarized: the median (the headline) or the fastest run. */
export type Stat = (samples: readonly number[]) => number;
export const fastest: Stat = (samples) => Math.min(...samples);

/** Every sample of one (engine, workload, how) cell, pooled over the rounds. */
export interface Cell {
  engine: string;
  workload: WorkloadId;
  how: string;
  samples: Samples;
}

/** 'ours': the default backend choice; 'ours-js': forced to the JavaScript backend (the engine before the wasm backend). */
export const engines = ['ours', 'ours-js', 'ours-raw', 'tfjs-cpu', 'tfjs-wasm'] as const;

/**
 * The cell an engine is reported by on a workload: its fastest way (lowest median) when it has
 * several; TF.js's on a workload with `peers` are those of the workload named there.
 */
export function pick(cells: readonly Cell[], engine: string, workload: WorkloadId): Cell | null {
  const peers = workloads.find((w) => w.id === workload)?.peers;
  const id = peers && engine.startsWith('tfjs-') ? peers : workload;
  let best: Cell | null = null;
  for (const c of cells) {
    if (c.engine !== engine || c.workload !== id || c.samples.length === 0) continue;
    if (!best || median(c.samples) < median(best.samples)) best = c;
  }
  return best;
}

/** A number with three significant digits and thousands separators. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function figureText(w: Workload, cell: Cell | null, stat: Stat): string {
  if (!cell) return '–';
  const s = stat(cell.samples);
  return w.detail ? `${num(w.figure(s))} (${w.detail(s)})` : num(w.figure(s));
}

/** How many times faster `ours` is than `other` (same work per call, so a ratio of times). */
export function speedup(ours: Cell | null, other: Cell | null, stat: Stat = median): number | null {
  return ours && other ? stat(other.samples) / stat(ours.samples) : null;
}

function ratioText(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}

/**
 * The table: figures per engine and our speed over each TF.js backend (>1: we are faster), then
 * the JavaScript backend's over TF.js wasm (the ratio before the wasm backend, in the same run).
 * A workload measured with the threads option ('ours-2t': W5) has a row of its own below it,
 * its figure in the 'ours' column and its ratios against the same peers' cells.
 */
export function table(cells: readonly Cell[], stat: Stat = median): string {
  const head = ['', 'workload', 'unit', ...engines, 'ours/cpu', 'ours/wasm', 'js/wasm'];
  const ratios = (w: Workload, ours: Cell | null, js: Cell | null) => [
    ratioText(speedup(ours, pick(cells, 'tfjs-cpu', w.id), stat)),
    ratioText(speedup(ours, pick(cells, 'tfjs-wasm', w.id), stat)),
    ratioText(speedup(js, pick(cells, 'tfjs-wasm', w.id), stat)),
  ];
  const rows = workloads.flatMap((w) => {
    const ours = pick(cells, 'ours', w.id);
    const row = [
      w.id,
      w.title,
      w.unit,
      ...engines.map((e) => figureText(w, pick(cells, e, w.id), stat)),
      ...ratios(w, ours, pick(cells, 'ours-js', w.id)),
    ];
    const threaded = pick(cells, 'ours-2t', w.id);
    if (!threaded) return [row];
    const figures = engines.map((e) => (e === 'ours' ? figureText(w, threaded, stat) : '–'));
    const title = `${w.title}, threads: 2`;
    return [row, [`${w.id}-2t`, title, w.unit, ...figures, ...ratios(w, threaded, null)]];
  });
  return markdownTable(head, rows);
}

/** A Markdown table with padded columns. */
export function markdownTable(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((n) => '-'.repeat(n + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** Cells keyed by engine, workload and method; `record` adds a runner's samples to its cell. */
export function cellRecorder(): {
  cells: Map<string, Cell>;
  record: (r: Runner, b: Budget) => Promise<void>;
} {
  const cells = new Map<string, Cell>();
  const record = async (r: Runner, b: Budget) => {
    const key = `${r.engine}/${r.workload}/${r.how}`;
    const cell = cells.get(key) ?? {
      engine: r.engine,
      workload: r.workload,
      how: r.how,
      samples: [],
    };
    cells.set(key, cell);
    cell.samples.push(...(await r.measure(b)));
  };
  return { cells, record };
}

interface Target {
  text: string;
  check(cells: readonly Cell[], stat: Stat): { value: string; met: boolean } | null;
}

const figureOf = (cells: readonly Cell[], id: WorkloadId, stat: Stat): number | null => {
  const c = pick(cells, 'ours', id);
  const w = workloads.find((x) => x.id === id)!;
  return c ? w.figure(stat(c.samples)) : null;
};

function ratioTarget(id: WorkloadId, engine: string, atLeast: number, text: string): Target {
  return {
    text,
    check(cells, stat) {
      const r = speedup(pick(cells, 'ours', id), pick(cells, engine, id), stat);
      return r === null ? null : { value: ratioText(r), met: r >= atLeast };
    },
  };
}

function figureTarget(
  id: WorkloadId,
  test: (v: number) => boolean,
  unit: string,
  text: string,
): Target {
  return {
    text,
    check(cells, stat) {
      const v = figureOf(cells, id, stat);
      return v === null ? null : { value: `${num(v)} ${unit}`, met: test(v) };
    },
  };
}

/** Issue 3's performance targets, judged on the public API's medians. */
export const targets: readonly Target[] = [
  ratioTarget('W1', 'tfjs-wasm', 1, 'W1 faster than TF.js wasm'),
  ratioTarget('W1', 'tfjs-cpu', 5, 'W1 ≥ 5× TF.js cpu'),
  ratioTarget('W9', 'tfjs-cpu', 5, 'W9 ≥ 5× TF.js cpu'),
  ratioTarget('W9', 'tfjs-wasm', 1, 'W9 faster than TF.js wasm'),
  ratioTarget('W2', 'tfjs-cpu', 5, 'W2 ≥ 5× TF.js cpu'),
  ratioTarget('W3', 'tfjs-cpu', 5, 'W3 ≥ 5× TF.js cpu'),
  figureTarget('W3', (v) => v >= 2000, 'epochs/s', 'W3 ≥ 2,000 epochs/s'),
  figureTarget('W6', (v) => v < 1, 'µs', 'W6 < 1 µs per call'),
  figureTarget('W7', (v) => v >= 3, 'GFLOP/s', 'W7 ≥ 3 GFLOP/s'),
  // Issue 12: the product on each SIMD tier against TF.js's WebAssembly backend.
  ratioTarget('W7', 'tfjs-wasm', 1, 'W7 ≥ 1× TF.js wasm (plain)'),
  ratioTarget('W7r', 'tfjs-wasm', 1.3, 'W7r ≥ 1.3× TF.js wasm'),
  // Issue 10's CNN.
  ratioTarget('W8', 'tfjs-cpu', 5, 'W8 ≥ 5× TF.js cpu'),
  ratioTarget('W8', 'tfjs-wasm', 1, 'W8 not behind TF.js wasm'),
];

/** The targets judged on the medians (the verdict), with the fastest runs' verdict beside them. */
export function targetReport(cells: readonly Cell[]): string {
  const lines: string[] = [];
  let met = 0;
  const verdict = (r: { met: boolean } | null) => (r === null ? 'n/a' : r.met ? 'met' : 'NOT MET');
  for (const t of targets) {
    const r = t.check(cells, median);
    const best = t.check(cells, fastest);
    if (r?.met) met++;
    lines.push(
      `  ${verdict(r).padEnd(7)}  ${t.text.padEnd(28)} ${(r?.value ?? '').padEnd(18)} (fastest runs: ${best?.value ?? '–'}, ${verdict(best)})`,
    );
  }
  return [`targets (public API, medians): ${met} of ${targets.length} met`, ...lines].join('\n');
}

/** Per cell: median, fastest and slowest sample, sample count, how the engine was driven. */
export function details(cells: readonly Cell[]): string {
  const lines = [
    'details (per call: median [min … max] over n samples; * = the way reported in the table):',
  ];
  for (const w of workloads) {
    for (const c of cells.filter((x) => x.workload === w.id)) {
      if (c.samples.length === 0) continue;
      const us = (s: number) => `${num(s * 1e6)} µs`;
      const reported = pick(cells, c.engine, w.id) === c ? '*' : ' ';
      lines.push(
        `  ${w.id} ${c.engine.padEnd(9)} ${reported} ${us(median(c.samples))} [${us(Math.min(...c.samples))} … ${us(Math.max(...c.samples))}] n=${c.samples.length}  ${c.how}`,
      );
    }
  }
  return lines.join('\n');
}
