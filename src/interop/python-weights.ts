/**
 * The trained weights inside a Python module: base64 of little-endian float32 in get_weights()
 * order, one Python string per line. Embedded rather than beside the module so that the one file
 * is all a cluster job needs (the TS emitter embeds them too by default).
 */
import { base64, float32BytesOf } from '../bytes/index.js';

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
  const text = base64(float32BytesOf(weights.map((w) => w.values)));
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += lineLength)
    lines.push(`    "${text.slice(i, i + lineLength)}"\n`);
  return lines.length > 0 ? lines.join('') : '    ""\n';
}
