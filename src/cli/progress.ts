/**
 * Keras 3's training progress bar (keras.utils.Progbar as driven by ProgbarLogger), character
 * for character: `469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 3ms/step - accuracy: 0.9884 - loss: 0.0359`.
 * Numbers go through Python's own formatting rules (round half to even on the exact binary
 * value), so `2.5ms` prints `2ms` as in Python. On a terminal the bar is redrawn in place;
 * elsewhere (a pipe, a log file) one line per epoch is printed, as Keras's verbose=2 does.
 */

/** Python's `format(x, '.{digits}f')`: correctly rounded, ties to even, '-0.0000' kept, 'nan'/'inf'. */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { digits: exact, scale } = exactDecimal(x);
  const rounded =
    scale <= digits ? exact * 10n ** BigInt(digits - scale) : roundHalfEven(exact, scale - digits);
  const text = rounded.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return isNegative(x) ? `-${body}` : body;
}

/** Python's `format(x, '.{digits}e')`: a mantissa with `digits` decimals and an exponent of at least two digits. */
export function pyExponent(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  let mantissa: bigint;
  let exponent: number;
  if (x === 0) {
    mantissa = 0n;
    exponent = 0;
  } else {
    const { digits: exact, scale } = exactDecimal(x);
    const length = exact.toString().length;
    exponent = length - 1 - scale;
    const drop = length - (digits + 1);
    mantissa = drop > 0 ? roundHalfEven(exact, drop) : exact * 10n ** BigInt(-drop);
    if (mantissa === 10n ** BigInt(digits + 1)) {
      mantissa /= 10n;
      exponent++;
    }
  }
  const text = mantissa.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text[0]}.${text.slice(1)}`;
  const exp = `e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${isNegative(x) ? '-' : ''}${body}${exp}`;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** |x| exactly as digits / 10^scale (every finite double is a finite decimal). */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const high = view.getUint32(0);
  const biased = high >>> 20;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** value / 10^drop rounded to the nearest integer, ties to even. */
function roundHalfEven(value: bigint, drop: number): bigint {
  const divisor = 10n ** BigInt(drop);
  let quotient = value / divisor;
  const twice = (value % divisor) * 2n;
  if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) quotient++;
  return quotient;
}

/** Python's `divmod(a, b)` for floats a ≥ 0, b > 0 (floor division computed as CPython does). */
function pyDivmod(a: number, b: number): [number, number] {
  const mod = a % b;
  const div = (a - mod) / b;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return [floor, mod];
}

/** Python's `'%02d' % x` for a float: truncated to an integer, zero-padded to two digits. */
function twoDigits(x: number): string {
  return String(Math.trunc(x)).padStart(2, '0');
}

/** A metric as the bar prints it: `{v:.4f}` when |v| > 1e-3, else `{v:.4e}` (so NaN prints `nan`). */
export function formatLogValue(v: number): string {
  return Math.abs(v) > 1e-3 ? pyFixed(v, 4) : pyExponent(v, 4);
}

/** The time left: `%ds` up to a minute, `%d:%02d` up to an hour, then `%d:%02d:%02d`. */
export function formatEta(seconds: number): string {
  if (seconds > 3600) {
    const [hours, rest] = pyDivmod(seconds, 3600);
    return `${Math.trunc(hours)}:${twoDigits(pyDivmod(rest, 60)[0])}:${twoDigits(seconds % 60)}`;
  }
  if (seconds > 60) {
    const [minutes, rest] = pyDivmod(seconds, 60);
    return `${Math.trunc(minutes)}:${twoDigits(rest)}`;
  }
  return `${Math.trunc(seconds)}s`;
}

/** Time per step: `3s/step` at a second or more (or exactly 0), `12ms/step` from a millisecond, else `850us/step`. */
export function formatStepTime(seconds: number): string {
  if (seconds >= 1 || seconds === 0) return `${pyFixed(seconds, 0)}s/step`;
  if (seconds >= 1e-3) return `${pyFixed(seconds * 1000, 0)}ms/step`;
  return `${pyFixed(seconds * 1000000, 0)}us/step`;
}

/** Keys written by callbacks at epoch end, after the validation logs (ReduceLROnPlateau, LearningRateScheduler). */
const CALLBACK_KEYS = new Set(['learning_rate']);

/**
 * The logs in Keras's order: training logs sorted by name (Keras sorts them), then the
 * `val_*` logs sorted (appended at epoch end), then keys that callbacks add at epoch end.
 */
export function orderLogs(logs: Readonly<Record<string, number>>): [string, number][] {
  const rank = (key: string) => (CALLBACK_KEYS.has(key) ? 2 : key.startsWith('val_') ? 1 : 0);
  return Object.entries(logs).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** One redraw of the bar. */
export interface ProgressState {
  /** Steps done (1-based). */
  current: number;
  /** Steps in the epoch. */
  target: number;
  /** Seconds since the bar started (shown on the final update). */
  elapsed: number;
  /** Estimated seconds per step (the ETA is this × the steps left). */
  timePerStep: number;
  /** The last update of the epoch: shows the elapsed time instead of the ETA. */
  final: boolean;
  logs?: Readonly<Record<string, number>>;
  /** ANSI colors and bold, as on a terminal. */
  color?: boolean;
}

const BAR_WIDTH = 20;
const BAR = '━';

/** The bar's line, without the carriage return or padding: `3/10 ━━━━━━━━━━━━━━━━━━━━ 1s 20ms/step - loss: 0.6931`. */
export function formatProgressLine(state: ProgressState): string {
  const { current, target, color = false } = state;
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const done = Math.trunc(BAR_WIDTH * (current / target));
  let line = `${paint('1', stepCount(current, target))} `;
  if (done > 0) line += paint('32', BAR.repeat(done));
  line += paint('37', BAR.repeat(BAR_WIDTH - done));
  const time = state.final
    ? `${pyFixed(state.elapsed, 0)}s`
    : formatEta(state.timePerStep * (target - current));
  line += ` ${paint('1', time)} ${formatStepTime(state.timePerStep)}`;
  for (const [key, value] of orderLogs(state.logs ?? {})) {
    line += ` - ${key}: ${formatLogValue(value)}`;
  }
  return line;
}

/**
 * The once-per-epoch line (Keras's verbose=2): `5/5 - 0s - 3ms/step - accuracy: 0.5000 - loss: 0.6931`.
 * Keras tests `v > 1e-3` here without abs(), so negative values print as `-5.0000e-01`.
 */
export function formatEpochLine(state: Omit<ProgressState, 'final' | 'color'>): string {
  let line = `${stepCount(state.current, state.target)} - ${pyFixed(state.elapsed, 0)}s - ${formatStepTime(state.timePerStep)}`;
  for (const [key, value] of orderLogs(state.logs ?? {})) {
    line += ` - ${key}: ${value > 1e-3 ? pyFixed(value, 4) : pyExponent(value, 4)}`;
  }
  return line;
}

/** `%{n}d/%d` with n the number of digits of the target. */
function stepCount(current: number, target: number): string {
  return `${String(current).padStart(String(target).length)}/${target}`;
}

/** Where the bar is written: process.stdout or a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How a ProgressBar runs. */
export interface ProgressBarOptions {
  /** Steps (batches) per epoch. */
  steps: number;
  /** Epochs of the run: `Epoch 3/10` headers are printed only when there is more than one. */
  epochs?: number;
  /** The clock in milliseconds (default performance.now), injected by tests. */
  now?: () => number;
  /** ANSI colors (default: when the stream is a terminal). */
  color?: boolean;
  /** Minimum milliseconds between redraws on a terminal (the final redraw is never skipped). */
  interval?: number;
}

/**
 * The progress of fit, evaluate or predict. Call startEpoch(e) (0-based, as Keras's callbacks
 * count), update(step, logs) after each step, endEpoch(logs) with the epoch's logs (val_* included).
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly steps: number;
  private readonly epochs: number;
  private readonly now: () => number;
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly interval: number;
  private start: number;
  private afterFirstStep: number | null = null;
  private lastDraw = -Infinity;
  private previousWidth = 0;

  constructor(stream: ProgressStream, options: ProgressBarOptions) {
    if (!(Number.isInteger(options.steps) && options.steps > 0)) {
      throw new RangeError(`ProgressBar: steps must be a positive integer, not ${options.steps}`);
    }
    this.stream = stream;
    this.steps = options.steps;
    this.epochs = options.epochs ?? 1;
    this.now = options.now ?? (() => performance.now());
    this.tty = stream.isTTY === true;
    this.color = options.color ?? this.tty;
    this.interval = options.interval ?? 50;
    this.start = this.now();
  }

  /** Starts epoch `epoch` (0-based): prints `Epoch {epoch+1}/{epochs}` when there are several, restarts the clock. */
  startEpoch(epoch: number): void {
    if (this.epochs > 1) this.stream.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
    this.start = this.now();
    this.afterFirstStep = null;
    this.lastDraw = -Infinity;
    this.previousWidth = 0;
  }

  /** After step `current` (1-based) with the running logs: redraws on a terminal, at most every `interval` ms. */
  update(current: number, logs?: Readonly<Record<string, number>>): void {
    if (!this.tty) return;
    const now = this.now();
    const timePerStep = this.estimateStepTime(current, now);
    if (now - this.lastDraw < this.interval) return;
    this.draw(
      {
        current,
        target: this.steps,
        elapsed: (now - this.start) / 1000,
        timePerStep,
        final: false,
        logs,
      },
      '',
    );
    this.lastDraw = now;
  }

  /** Ends the epoch with its logs: the final redraw on a terminal, else the epoch's one line. */
  endEpoch(logs?: Readonly<Record<string, number>>): void {
    const now = this.now();
    const timePerStep = this.estimateStepTime(this.steps, now);
    const state = {
      current: this.steps,
      target: this.steps,
      elapsed: (now - this.start) / 1000,
      timePerStep,
      final: true,
      logs,
    };
    if (this.tty) this.draw(state, '\n');
    else this.stream.write(`${formatEpochLine(state)}\n`);
    this.lastDraw = now;
  }

  private draw(state: ProgressState, end: string): void {
    const width = codePoints(formatProgressLine(state));
    const pad = this.previousWidth > width ? ' '.repeat(this.previousWidth - width) : '';
    this.stream.write(`\r${formatProgressLine({ ...state, color: this.color })}${pad}${end}`);
    this.previousWidth = width;
  }

  /**
   * Seconds per step as Keras estimates it: the first step (often slow: compilation, caches)
   * is left out once later steps exist; before any step it is 0.
   */
  private estimateStepTime(current: number, now: number): number {
    if (current <= 0) return 0;
    const seconds =
      this.afterFirstStep !== null && current > 1
        ? (now - this.afterFirstStep) / 1000 / (current - 1)
        : (now - this.start) / 1000 / current;
    if (current === 1) this.afterFirstStep = now;
    return seconds;
  }
}

/** Python's len(): code points, not UTF-16 units. */
function codePoints(text: string): number {
  return [...text].length;
}
