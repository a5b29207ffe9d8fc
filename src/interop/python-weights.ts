/**
 * The trained weights inside a Python module: base64 of little-endian float32 in get_weights()
 * order, one Python string per line. Embedded rather than beside the module so that the one file
 * is all a cluster job needs (the TS emitter embeds them too by default).
 */
import { float32Bytes } from './tfjs-export.js';

/** Every weight's values in get_weights() order. */
export type PythonWeights = readonly {
  layer: string;
  name: string;
  shape: number[];
  values: Float32Array;
}[];

const lineLength = 76;

/** The weights as the lines of a parenthesized Python string (`"…"\n"…"\n`). */
export function weightsBase64(weights: PythonWeights): string {
  const text = base64(float32Bytes(weights));
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += lineLength)
    lines.push(`    "${text.slice(i, i + lineLength)}"\n`);
  return lines.length > 0 ? lines.join('') : '    ""\n';
}

/** Standard base64 (no line breaks), through the platform's btoa in 32 KiB pieces. */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
