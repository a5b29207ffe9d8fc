/**
 * Byte encodings the writers share: little-endian floats (whatever the host's byte order) and
 * standard base64. The TypeScript emitter embeds weights and optimizer state this way, the
 * TF.js exporter writes its shards this way, and the Python targets embed weights this way; a
 * leaf module, so that emit/ and interop/ (which may not import each other) use one copy.
 */

/** Little-endian float32 bytes of several arrays, one after another, in the given order. */
export function float32BytesOf(parts: readonly ArrayLike<number>[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const p of parts)
    for (let i = 0; i < p.length; i++, at += 4) view.setFloat32(at, p[i]!, true);
  return bytes;
}

/** Float32 values as little-endian bytes. */
export const float32Bytes = (values: ArrayLike<number>): Uint8Array => float32BytesOf([values]);

/** Float64 values as little-endian bytes. */
export function float64Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return bytes;
}

const alphabet = new TextEncoder().encode(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
);

/**
 * Standard base64 of bytes (no line breaks), built as ASCII bytes and decoded once: linear in the
 * size, where joining btoa's pieces of a binary string copies megabytes of weights several times.
 */
export function base64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = alphabet[n >> 18]!;
    out[o++] = alphabet[(n >> 12) & 63]!;
    out[o++] = alphabet[(n >> 6) & 63]!;
    out[o++] = alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = alphabet[n >> 18]!;
    out[o++] = alphabet[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? alphabet[(n >> 6) & 63]! : 61; // '='
    out[o++] = 61;
  }
  return new TextDecoder().decode(out);
}
