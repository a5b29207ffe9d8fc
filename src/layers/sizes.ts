/**
 * Counts and byte sizes as Keras prints them: integers with `{:,}` (exact, however large, as
 * Python's integers are) and memory with `readable_memory_size`'s 1024-based units.
 */

/** Python's `f"{n:,}"` for an integer count; a bigint stays exact past 2^53. */
export function groupThousands(n: number | bigint): string {
  const digits = typeof n === 'bigint' ? n.toString() : integerDigits(n);
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Keras's `readable_memory_size`: 1024-based units up to PB, two decimals. */
export function readableSize(bytes: number | bigint): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = Number(bytes);
  for (const unit of units.slice(0, -1)) {
    if (size / 1024 < 1) return `${toFixed2(size)} ${unit}`;
    size /= 1024;
  }
  return `${toFixed2(size)} ${units.at(-1)}`;
}

/** The product of a shape's sizes as an exact integer. */
export function exactProduct(dims: readonly number[]): bigint {
  let n = 1n;
  for (const d of dims) n *= BigInt(Math.trunc(d));
  return n;
}

/** An integer's decimal digits without an exponent (String(1e21) is '1e+21'). */
function integerDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isSafeInteger(n) ? String(n) : BigInt(Math.trunc(n)).toString();
}

/** Python's `{:.2f}`: an exact tie rounds to even, and large values keep all their digits. */
function toFixed2(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1e21) return `${BigInt(Math.round(x)).toString()}.00`;
  const scaled = x * 100;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled))
    return (roundHalfEven(scaled) / 100).toFixed(2);
  return x.toFixed(2);
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
