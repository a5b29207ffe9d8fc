/**
 * What convolution and pooling layers share: reading their window arguments (an int or a tuple
 * per spatial axis), Keras's output-size rule (§1.3, `windowOutput`) with located errors, and the
 * kernels' `WindowGeometry` of a built layer. Everything is channels last; a 1-D layer is a 2-D
 * one of height 1, so one set of kernels serves both.
 */
import type { Args, Value } from '../catalog/index.js';
import { padBefore, windowOutput, type Padding, type WindowGeometry } from '../kernels/index.js';
import { shapeToString, type Shape, type ShapeError } from './types.js';

/** A layer's window as Keras reads its arguments: one entry per spatial axis. */
export interface Window {
  /** 1 (a sequence: steps) or 2 (an image: height, width). */
  spatial: 1 | 2;
  kernel: number[];
  strides: number[];
  dilation: number[];
  padding: Padding;
  /** The argument that sets the window's size, to blame when it does not fit. */
  sizeArg: string;
}

/** Whether a window argument (or a whole window) failed to read. */
export function failed<T extends object>(v: T | ShapeError): v is ShapeError {
  return 'error' in v;
}

/** An int (every axis) or a tuple of exactly `spatial` ints, as Keras's standardize_tuple reads it. */
export function windowTuple(
  args: Args,
  arg: string,
  spatial: number,
  fallback?: Value,
): number[] | ShapeError {
  const v = args[arg] ?? fallback;
  if (typeof v === 'number') return Array<number>(spatial).fill(v);
  if (Array.isArray(v) && v.length === spatial && v.every((d) => typeof d === 'number'))
    return v as number[];
  const what =
    spatial === 1 ? 'an integer or a tuple of 1 integer' : `a tuple of ${spatial} integers`;
  return { error: `${arg} must be ${what}, found ${pythonValue(v)}.`, arg };
}

/** An int or a tuple as Python prints it: 2, (3, 3), (1,). */
export function pythonValue(v: Value | undefined): string {
  if (Array.isArray(v))
    return v.length === 1 ? `(${String(v[0])},)` : `(${v.map(String).join(', ')})`;
  return String(v);
}

/** Channels-first input is valid Keras the engine does not run: every window layer refuses it. */
export function channelsLastOnly(args: Args): ShapeError | undefined {
  return args['data_format'] === 'channels_first'
    ? {
        error:
          "the engine works on channels-last data (batch, ..., channels); transpose the input and use data_format='channels_last'.",
        arg: 'data_format',
      }
    : undefined;
}

/**
 * The output shape of a window layer: the input must be (batch, [height,] width, channels)
 * with known channels (channels first when `data_format` says so: valid Keras, shaped here so
 * the summary is right, and refused by the engine); a 'valid' window larger than the input is an
 * error blaming the window's size. An unknown spatial size stays unknown.
 */
export function windowOutputShape(
  input: Shape,
  win: Window,
  args: Args,
  channels: (inChannels: number) => number | ShapeError,
): Shape | ShapeError {
  const rank = win.spatial + 2;
  const first = args['data_format'] === 'channels_first';
  if (input.length !== rank) {
    const axes = win.spatial === 1 ? 'steps' : 'height, width';
    const order = first ? `(batch, channels, ${axes})` : `(batch, ${axes}, channels)`;
    return { error: `it expects an input of rank ${rank}, ${order}; found rank ${input.length}.` };
  }
  const c = first ? input[1] : input[rank - 1];
  if (c === null || c === undefined)
    return {
      error: `the channel dimension (the ${first ? 'second' : 'last'}) of its input must be known.`,
    };
  const out = channels(c);
  if (typeof out !== 'number') return out;
  const sizes: (number | null)[] = [];
  for (let a = 0; a < win.spatial; a++) {
    const n = input[(first ? 2 : 1) + a]!;
    if (n === null) {
      sizes.push(null);
      continue;
    }
    const size = windowOutput(n, win.kernel[a]!, win.strides[a]!, win.dilation[a]!, win.padding);
    if (size <= 0) {
      const span = win.dilation[a]! * (win.kernel[a]! - 1) + 1;
      const dilated = win.dilation[a]! > 1 ? ` (dilated by ${win.dilation[a]})` : '';
      return {
        error: `its window of ${span} cells${dilated} is longer than the input's ${n} along axis ${(first ? 2 : 1) + a}, so padding='valid' leaves no output; use a smaller window or padding='same'.`,
        arg: win.sizeArg,
      };
    }
    sizes.push(size);
  }
  return first ? [input[0] ?? null, out, ...sizes] : [input[0] ?? null, ...sizes, out];
}

/** The kernels' geometry of a built layer from its input shape (batch first) and window. */
export function windowGeometry(input: Shape, win: Window): WindowGeometry {
  const dims = input.slice(1) as number[];
  // A 1-D layer is height 1 with a 1-tall window.
  const [h, w, c] = win.spatial === 1 ? [1, dims[0]!, dims[1]!] : [dims[0]!, dims[1]!, dims[2]!];
  const axis = (a: number) =>
    win.spatial === 1 && a === 0
      ? { k: 1, s: 1, d: 1, n: 1, p: 'valid' as Padding }
      : {
          k: win.kernel[a - (2 - win.spatial)]!,
          s: win.strides[a - (2 - win.spatial)]!,
          d: win.dilation[a - (2 - win.spatial)]!,
          n: a === 0 ? h : w,
          p: win.padding,
        };
  const [y, x] = [axis(0), axis(1)];
  return {
    h,
    w,
    c,
    oh: windowOutput(y.n, y.k, y.s, y.d, y.p),
    ow: windowOutput(x.n, x.k, x.s, x.d, x.p),
    kh: y.k,
    kw: x.k,
    sh: y.s,
    sw: x.s,
    dh: y.d,
    dw: x.d,
    top: padBefore(y.n, y.k, y.s, y.d, y.p),
    left: padBefore(x.n, x.k, x.s, x.d, x.p),
  };
}
