/**
 * An ONNX graph under construction: nodes in topological order (each appended after its inputs),
 * float32 and int64 initializers, and value names kept unique. Two clean-ups run when it is
 * finished: a Transpose of a Transpose that undoes it reads the original value instead (the
 * NHWC ↔ NCHW pairs between consecutive convolutions cancel), and nodes and initializers no
 * output depends on are dropped.
 */
import {
  attributeType,
  dataType,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
} from './onnx-proto.js';

/** An attribute value: a number is an int unless written with `float()`; a string; a list of ints. */
export type AttrValue =
  number | string | number[] | { float: number } | { floats: number[] } | { strings: string[] };

/** Marks a number as a float attribute (ONNX types attributes, JavaScript does not). */
export const float = (value: number): { float: number } => ({ float: value });

const utf8 = new TextEncoder();

function attribute(name: string, value: AttrValue): OnnxAttribute {
  if (typeof value === 'string') return { name, type: attributeType.string, s: utf8.encode(value) };
  if (typeof value === 'number') return { name, type: attributeType.int, i: value };
  if (Array.isArray(value)) return { name, type: attributeType.ints, ints: value };
  if ('float' in value) return { name, type: attributeType.float, f: value.float };
  if ('strings' in value)
    return { name, type: attributeType.strings, strings: value.strings.map((s) => utf8.encode(s)) };
  return { name, type: attributeType.floats, floats: value.floats };
}

function rawFloat32(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

function rawInt64(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true);
  return bytes;
}

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  /** For each Transpose's output: what it transposed and how, to cancel an inverse. */
  private readonly transposes = new Map<string, { input: string; perm: number[] }>();
  /** int64 constants by value, so `[0, -1]` is one initializer however often it is used. */
  private readonly int64s = new Map<string, string>();

  /** A fresh value name based on `base` (a layer's name and a part of it). */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name given from outside (a model input). */
  reserve(name: string): string {
    this.used.add(name);
    return name;
  }

  /** Appends a node; returns its outputs' names (`outputs` of them, named `${base}_…`). */
  node(
    op: string,
    inputs: string[],
    base: string,
    attrs: Record<string, AttrValue> = {},
    outputs = 1,
  ): string[] {
    const names = Array.from({ length: outputs }, (_, k) =>
      this.fresh(outputs === 1 ? base : `${base}_${k}`),
    );
    this.nodes.push({
      input: inputs,
      output: names,
      name: this.fresh(`${base}/${op}`),
      op_type: op,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  /** One node with one output. */
  op(op: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, base, attrs)[0]!;
  }

  /** A float32 initializer of `dims`. */
  weight(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push({
      name,
      dims,
      data_type: dataType.float,
      raw_data: rawFloat32(values),
    });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(base: string, value: number): string {
    return this.weight(base, [], [value]);
  }

  /** A 1-D int64 constant (shapes, axes, pads, repeats), shared between its uses. */
  ints(values: number[]): string {
    const key = values.join(',');
    const known = this.int64s.get(key);
    if (known) return known;
    const name = this.fresh(`const/i64[${key}]`);
    this.initializers.push({
      name,
      dims: [values.length],
      data_type: dataType.int64,
      raw_data: rawInt64(values),
    });
    this.int64s.set(key, name);
    return name;
  }

  /** `x` transposed by `perm`; a transpose of a transpose composing to the identity is folded. */
  transpose(x: string, perm: number[], base: string): string {
    if (perm.every((p, i) => p === i)) return x;
    const before = this.transposes.get(x);
    if (before && perm.every((p, i) => before.perm[p] === i)) return before.input;
    const y = this.op('Transpose', [x], base, { perm });
    this.transposes.set(y, { input: x, perm });
    return y;
  }

  /** What `x` is a transpose of (and by which permutation), when a Transpose made it. */
  transposedFrom(x: string): { input: string; perm: number[] } | undefined {
    return this.transposes.get(x);
  }

  /**
   * Drops nodes and initializers that no graph output depends on (transposes left unread after
   * folding), then gives each output value its final name.
   */
  finish(outputs: { value: string; name: string }[], inputs: string[]): void {
    const rename = new Map<string, string>();
    const produced = new Map(this.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
    for (const o of outputs) {
      // An output read straight from an input, or twice, gets its own Identity node.
      if (!produced.has(o.value) || rename.has(o.value) || inputs.includes(o.value)) {
        this.nodes.push({
          input: [o.value],
          output: [o.name],
          name: `${o.name}/Identity`,
          op_type: 'Identity',
          attribute: [],
        });
      } else rename.set(o.value, o.name);
    }
    const live = new Set(outputs.map((o) => rename.get(o.value) ?? o.name));
    for (const o of outputs) live.add(o.value);
    const kept: OnnxNode[] = [];
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const n = this.nodes[k]!;
      if (!n.output.some((o) => live.has(o))) continue;
      kept.push(n);
      for (const i of n.input) live.add(i);
    }
    kept.reverse();
    const named = (v: string): string => rename.get(v) ?? v;
    for (const n of kept) {
      n.input = n.input.map(named);
      n.output = n.output.map(named);
    }
    this.nodes.splice(0, this.nodes.length, ...kept);
    const inits = this.initializers.filter((t) => live.has(t.name));
    this.initializers.splice(0, this.initializers.length, ...inits);
  }
}
