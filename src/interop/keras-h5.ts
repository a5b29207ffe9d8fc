/**
 * HDF5 files in memory, through h5wasm (the HDF5 C library compiled to WebAssembly): its ESM
 * build keeps files in Emscripten's in-memory file system, so an archive's `model.weights.h5`
 * is read and written as bytes with nothing on disk (and the same code runs in a browser).
 * Only what Keras 3's weights file uses: groups, a string attribute `name` on each `vars`
 * group, and float32 datasets.
 */
import type { Group as H5GroupHandle, File as H5FileHandle } from 'h5wasm';

type H5wasm = (typeof import('h5wasm'))['default'];
let loaded:
  | Promise<{
      h5wasm: H5wasm;
      FS: {
        readFile(p: string): Uint8Array;
        writeFile(p: string, d: Uint8Array): void;
        unlink(p: string): void;
      };
    }>
  | undefined;

/**
 * h5wasm, loaded on first use: its module compiles several megabytes of WebAssembly, which no
 * command but the archive's should pay for at startup.
 */
function load() {
  loaded ??= import('h5wasm').then(async (m) => {
    const module = await m.default.ready;
    return { h5wasm: m.default, FS: module.FS };
  });
  return loaded;
}

/** A group to create (with its parents), with the string attributes Keras puts on it. */
export interface H5Group {
  path: string;
  attrs?: Record<string, string>;
}

/** A float32 dataset at `path`; its group must be listed among the groups. */
export interface H5Dataset {
  path: string;
  shape: number[];
  values: Float32Array;
}

/** What a read dataset holds: its shape and values, or why it cannot be read. */
export type H5Read =
  { shape: number[]; values: Float32Array } | { missing: true } | { problem: string };

/** An opened HDF5 file; `close` frees it. */
export interface H5Reader {
  dataset(path: string): H5Read;
  /** The names under a group, or null when there is no group at `path`. */
  keys(path: string): string[] | null;
  close(): void;
}

let counter = 0;

/** A file name of the in-memory file system no other call is using. */
function scratchName(): string {
  return `/nnlang-${++counter}-${Math.random().toString(36).slice(2)}.h5`;
}

/** The HDF5 file holding `groups` and `datasets`, as bytes. */
export async function writeH5(groups: H5Group[], datasets: H5Dataset[]): Promise<Uint8Array> {
  const { h5wasm, FS } = await load();
  const name = scratchName();
  const file = new h5wasm.File(name, 'w');
  try {
    const made = new Map<string, H5GroupHandle>([['', file]]);
    // HDF5 creates one level at a time: each path's parents first.
    const group = (path: string): H5GroupHandle => {
      const found = made.get(path);
      if (found) return found;
      const cut = path.lastIndexOf('/');
      const parent = group(cut < 0 ? '' : path.slice(0, cut));
      const g = parent.create_group(path.slice(cut + 1));
      made.set(path, g);
      return g;
    };
    for (const g of groups) {
      const created = group(g.path);
      for (const [k, v] of Object.entries(g.attrs ?? {})) created.create_attribute(k, v);
    }
    for (const d of datasets) {
      const cut = d.path.lastIndexOf('/');
      group(d.path.slice(0, cut)).create_dataset({
        name: d.path.slice(cut + 1),
        data: d.values,
        shape: d.shape,
        dtype: '<f',
      });
    }
  } finally {
    file.close();
  }
  try {
    return FS.readFile(name);
  } finally {
    FS.unlink(name);
  }
}

/** HDF5's signature, the first 8 bytes of a file without a user block. */
const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Opens HDF5 bytes; throws an Error saying what is wrong when they are not an HDF5 file. */
export async function readH5(bytes: Uint8Array): Promise<H5Reader> {
  if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b))
    throw new Error('it is not an HDF5 file (no HDF5 signature at its start)');
  const { h5wasm, FS } = await load();
  const name = scratchName();
  FS.writeFile(name, bytes);
  let file: H5FileHandle;
  try {
    file = new h5wasm.File(name, 'r');
  } catch (e) {
    FS.unlink(name);
    throw new Error(`HDF5 cannot open it: ${(e as Error).message}`);
  }
  const at = (path: string) => {
    try {
      return file.get(path);
    } catch {
      return null;
    }
  };
  return {
    dataset(path) {
      const d = at(path);
      if (!d) return { missing: true };
      if (!(d instanceof h5wasm.Dataset)) return { problem: 'is not a dataset' };
      const shape = d.shape ?? [];
      if (d.dtype !== '<f' && d.dtype !== '<d')
        return { problem: `holds ${String(d.dtype)} values, not float32` };
      let value;
      try {
        value = d.value;
      } catch (e) {
        return { problem: `cannot be read: ${(e as Error).message}` };
      }
      if (!(value instanceof Float32Array || value instanceof Float64Array))
        return { problem: 'holds no float array' };
      return { shape, values: Float32Array.from(value) };
    },
    keys(path) {
      const g = path === '' ? file : at(path);
      return g instanceof h5wasm.Group ? g.keys() : null;
    },
    close() {
      file.close();
      FS.unlink(name);
    },
  };
}
