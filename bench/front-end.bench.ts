/**
 * Front-end speed: parse + check throughput on a generated 5,000-line file, and the time to
 * check a 1,000-line file (an editor does this on every keystroke; the target is < 10 ms).
 * Run: npm run bench. Prints medians over repeated runs after a warm-up.
 */
import { check, parse } from '../src/index.js';

/** A realistic .nn file of about `lines` lines: many models with chains, constants, compile and fit. */
export function generateSource(lines: number): string {
  const out: string[] = ['# generated for the benchmark', 'hidden = 64', 'rate = 0.25'];
  for (let m = 0; out.length < lines; m++) {
    out.push(
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
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void, runs: number): number {
  for (let i = 0; i < Math.min(5, runs); i++) fn(); // warm-up: let V8 optimize
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const big = generateSource(5000);
const small = generateSource(1000);
const bigParse = time(() => parse(big), 20);
const bigCheck = time(() => check(big), 20);
const smallCheck = time(() => check(small), 50);
const diagnostics = check(big).diagnostics.filter((d) => d.severity === 'error').length;

const kib = big.length / 1024;
console.log(`front end, ${process.version}, medians`);
console.log(`  5,000 lines (${kib.toFixed(0)} KiB), ${diagnostics} errors:`);
console.log(`    parse          ${bigParse.toFixed(1)} ms   ${((5000 / bigParse) * 1000).toFixed(0)} lines/s`);
console.log(`    parse + check  ${bigCheck.toFixed(1)} ms   ${((5000 / bigCheck) * 1000).toFixed(0)} lines/s   ${(kib / 1024 / (bigCheck / 1000)).toFixed(2)} MiB/s`);
console.log(`  1,000 lines, parse + check: ${smallCheck.toFixed(2)} ms   (target 10 ms: ${(10 / smallCheck).toFixed(1)}× under)`);
