/**
 * nnlang's weights file (`.nnw`), documented in docs/weights-format.md:
 *
 *   bytes 0–3   magic "NNW1"
 *   bytes 4–7   uint32 LE: length J of the JSON header in bytes
 *   8 … 8+J     UTF-8 JSON: { format: "nnlang-weights", version: 1, model, weights: [{ layer,
 *               name, shape, offset }], data?: { features, target, classes, scaler } }
 *   then        padding to a multiple of 4, then every weight's float32 values, little endian,
 *               at `offset` (in floats) from the start of this block, in get_weights() order
 *
 * Written to a temporary file and renamed, so a crash never leaves a half-written file.
 * Reading checks every length against the file's size: a truncated or foreign file is an
 * error that says what is wrong, never a crash.
 */
import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface WeightRecord {
  layer: string;
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What else a trained model needs to read new data the way it was trained. */
export interface DataInfo {
  features?: string[];
  target?: string | null;
  classes?: string[] | null;
  scaler?: { kind: string; offset: number[]; scale: number[] } | null;
}

export interface WeightsFile {
  model: string;
  weights: WeightRecord[];
  data?: DataInfo;
}

export class WeightsFileError extends Error {}

const magic = 'NNW1';

export function encodeWeights(file: WeightsFile): Uint8Array {
  let offset = 0;
  const entries = file.weights.map((w) => {
    const e = { layer: w.layer, name: w.name, shape: w.shape, offset };
    offset += w.values.length;
    return e;
  });
  const header = JSON.stringify({
    format: 'nnlang-weights',
    version: 1,
    model: file.model,
    weights: entries,
    ...(file.data ? { data: file.data } : {}),
  });
  const json = new TextEncoder().encode(header);
  const dataStart = Math.ceil((8 + json.length) / 4) * 4;
  const bytes = new Uint8Array(dataStart + offset * 4);
  bytes.set(new TextEncoder().encode(magic), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, json.length, true);
  bytes.set(json, 8);
  for (const [i, w] of file.weights.entries()) {
    const at = dataStart + entries[i]!.offset * 4;
    for (let j = 0; j < w.values.length; j++) view.setFloat32(at + j * 4, w.values[j]!, true);
  }
  return bytes;
}

export function decodeWeights(bytes: Uint8Array, path: string): WeightsFile {
  const fail = (why: string): never => {
    throw new WeightsFileError(`${path}: not a valid nnlang weights file: ${why}`);
  };
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic)
    fail(`it does not start with '${magic}'.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.length)
    fail(`the header claims ${jsonLength} bytes but the file has ${bytes.length} (truncated?).`);
  let header: {
    format?: unknown;
    version?: unknown;
    model?: unknown;
    weights?: unknown;
    data?: DataInfo;
  };
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + jsonLength)),
    );
  } catch {
    return fail('its header is not valid JSON.');
  }
  if (header.format !== 'nnlang-weights' || header.version !== 1)
    fail(
      `unknown format ${JSON.stringify(header.format)} version ${JSON.stringify(header.version)}.`,
    );
  if (!Array.isArray(header.weights)) fail('its header lists no weights.');
  const dataStart = Math.ceil((8 + jsonLength) / 4) * 4;
  const floats = (bytes.length - dataStart) / 4;
  const weights = (
    header.weights as { layer?: unknown; name?: unknown; shape?: unknown; offset?: unknown }[]
  ).map((w, i) => {
    const shape = w.shape;
    if (
      typeof w.layer !== 'string' ||
      typeof w.name !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isInteger(d) && d >= 0) ||
      !Number.isInteger(w.offset)
    ) {
      return fail(`weight ${i} of the header is malformed.`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const offset = w.offset as number;
    if (offset < 0 || offset + size > floats)
      fail(
        `weight ${w.layer}/${w.name} needs ${size} values at ${offset}, but the file holds ${Math.max(0, Math.floor(floats))} (truncated?).`,
      );
    const values = new Float32Array(size);
    for (let j = 0; j < size; j++) values[j] = view.getFloat32(dataStart + (offset + j) * 4, true);
    return { layer: w.layer, name: w.name, shape: shape as number[], values };
  });
  return {
    model: String(header.model ?? ''),
    weights,
    ...(header.data ? { data: header.data } : {}),
  };
}

export function readWeightsFile(path: string): WeightsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WeightsFileError(
      `${path}: cannot read the weights file: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  return decodeWeights(bytes, path);
}

/** Writes beside the target and renames: the old file stays whole until the new one is. */
export function writeWeightsFile(path: string, file: WeightsFile): void {
  writeFileAtomic(path, encodeWeights(file));
}

/**
 * Writes `data` to a temporary file beside `path` (`.<name>.<pid>.tmp`) and renames it over
 * `path`; temporary files that a killed writer left for the same target are removed first.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  removeStaleTemporaries(path);
  const tmp = temporaryPath(path, process.pid);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw err;
  }
}

/** The temporary file a process `pid` writes before renaming it to `path`. */
export function temporaryPath(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tmp`);
}

/** Removes `.<name>.<pid>.tmp` files beside `path` whose writer is no longer running. */
function removeStaleTemporaries(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself will say why the folder cannot be used
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && running(pid))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // another save removed it first
    }
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why `path` cannot be written (its folder is missing or read-only, or it is a folder), or
 * null when a write there should succeed; checked before a long training, not after it.
 */
export function unwritableReason(path: string): string | null {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `'${dir}' is not a folder`;
  } catch {
    return `the folder '${dir}' does not exist`;
  }
  try {
    if (statSync(path).isDirectory()) return `'${path}' is a folder`;
    accessSync(path, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `'${path}' is not writable`;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `the folder '${dir}' is not writable`;
  }
  return null;
}
