/**
 * Front-end speed: parse + check throughput on a generated 5,000-line file, and the time to
 * check a 1,000-line file (an editor does this on every keystroke; the target is < 10 ms).
 * Run: npm run bench. Prints medians over repeated runs after a warm-up.
 */
import { check, parse } from '../src/index.js';

/** One model block of the generated file: an MLP with constants, compile and fit. */
function modelLines(m: number): string[] {
  return [
    `model m${m} {`,
    `  # model ${m}: an MLP with dropout`,
    `  Input(shape=(${16 + (m % 50)},))`,
    `    -> Dense(hidden, activation='relu', kernel_initializer='he_normal')`,
    `    -> Dropout(rate)`,
    `    -> Dense(${32 + (m % 7)}, relu, kernel_initializer=HeNormal(seed=${m}), kernel_regularizer=l2(0.001))`,
    `    -> BatchNormalization(momentum=0.9)`,
    `    -> Dense(${2 + (m % 9)}, softmax)`,
    `  compile(Adam(learning_rate=1e-3, beta_1=0.9), categorical_crossentropy, metrics=['accuracy'])`,
    `  fit(data='d${m}.csv', target='label', epochs=10, batch_size=32, validation_split=0.2,`,
    `      callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])`,
    `}`,
  ];
}

/**
 * A realistic, valid .nn file of exactly `lines` lines: whole model blocks only, then comment
 * lines to fill up, so that the benchmark measures clean input (a block cut in the middle is a
 * syntax error, which skips the schema stage and makes the work depend on error recovery).
 */
export function generateSource(lines: number): string {
  const out: string[] = ['# generated for the benchmark', 'hidden = 64', 'rate = 0.25'];
  for (let m = 0; out.length + modelLines(m).length <= lines; m++) out.push(...modelLines(m));
  while (out.length < lines) out.push('# end of the generated models');
  return out.join('\n') + '\n';
}

/**
 * The same file as an editor sees it mid-edit: in every model a misspelled layer, a misspelled
 * argument and a missing ')'. Measures error recovery and the filtering of findings that lie
 * in broken statements, which must stay linear in the file's size too.
 */
export function generateSourceWithErrors(lines: number): string {
  return generateSource(lines)
    .replaceAll('Dropout(rate)', 'Dropuot(rate)')
    .replaceAll('epochs=10', 'epoch=10')
    .replaceAll('momentum=0.9)', 'momentum=0.9');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median wall time of `fn` over `runs` runs, after a warm-up that lets V8 optimize. */
function time(fn: () => void, runs: number): number {
  for (let i = 0; i < 10; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function lineCount(source: string): number {
  return source.split('\n').length - 1;
}

/** A target: the time to beat, and how to say it. */
interface Target {
  ms: number;
  label: string;
}

/** "  1,000 lines, parse + check    4.20 ms   238,095 lines/s   (target < 10 ms: met, 2.4× margin)" */
function report(what: string, lines: number, ms: number, target?: Target): string {
  const rate = Math.round((lines / ms) * 1000).toLocaleString('en-US');
  const count = lines.toLocaleString('en-US').padStart(5);
  const head = `  ${count} lines, ${what.padEnd(13)} ${ms.toFixed(2).padStart(7)} ms   ${rate.padStart(9)} lines/s`;
  if (!target) return head;
  const verdict =
    ms < target.ms
      ? `met, ${(target.ms / ms).toFixed(1)}× margin`
      : `MISSED, ${(ms / target.ms).toFixed(1)}× too slow`;
  return `${head}   (target ${target.label}: ${verdict})`;
}

const big = generateSource(5000);
const small = generateSource(1000);
const editing = generateSourceWithErrors(1000);

// Sanity check: the generated input must be clean, or the numbers measure error recovery.
for (const [name, source] of [
  ['5,000-line', big],
  ['1,000-line', small],
] as const) {
  const errors = check(source).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0)
    console.log(
      `  warning: the ${name} file has ${errors.length} errors, first: ${errors[0]!.message}`,
    );
}

const bigParse = time(() => parse(big), 30);
const bigCheck = time(() => check(big), 30);
const smallCheck = time(() => check(small), 100);
const editingCheck = time(() => check(editing), 100);
const editingErrors = check(editing).diagnostics.length;

console.log(`front end, ${process.version}, medians after warm-up`);
console.log(
  `  generated files: ${lineCount(big)} lines (${(big.length / 1024).toFixed(0)} KiB), ${lineCount(small)} lines`,
);
console.log(report('parse', lineCount(big), bigParse));
console.log(
  report('parse + check', lineCount(big), bigCheck, { ms: 50, label: '> 100,000 lines/s' }),
);
console.log(report('parse + check', lineCount(small), smallCheck, { ms: 10, label: '< 10 ms' }));
console.log(
  `  the same 1,000 lines mid-edit (a typo, a bad argument and a missing ')' per model, ${editingErrors} diagnostics):`,
);
console.log(report('parse + check', lineCount(editing), editingCheck));
