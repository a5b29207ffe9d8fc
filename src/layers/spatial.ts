/**
 * What the spatial layers (global pooling, padding, cropping, upsampling) share: which axes of
 * an input are spatial under Keras's `data_format`, the check of the input's rank, and the
 * engine's limit to channels_last.
 */
import type { Args } from '../catalog/index.js';
import { shapeToString, type Shape, type ShapeError } from './types.js';

/** Whether the layer reads channels first; Keras's default (None) is channels_last. */
export function channelsFirst(args: Args): boolean {
  return args['data_format'] === 'channels_first';
}

/** The spatial axes of a shape of `rank` (batch first) under the layer's data_format. */
export function spatialAxes(args: Args, rank: number): number[] {
  const first = channelsFirst(args) ? 2 : 1;
  return Array.from({ length: rank - 2 }, (_, i) => first + i);
}

/** The channel axis under the layer's data_format. */
export function channelAxis(args: Args, rank: number): number {
  return channelsFirst(args) ? 1 : rank - 1;
}

/** Keras's InputSpec(ndim=…): the input must have `spatial` axes between batch and channels. */
export function expectSpatialRank(input: Shape, spatial: number): ShapeError | undefined {
  const rank = spatial + 2;
  if (input.length === rank) return undefined;
  const layout = spatial === 1 ? '(batch, steps, channels)' : '(batch, rows, cols, channels)';
  return {
    error: `it expects a ${rank}D input ${layout}, found ${shapeToString(input)}.`,
  };
}

/** The engine lays out samples channels_last only. */
export function channelsLastOnly(args: Args): ShapeError | undefined {
  return channelsFirst(args)
    ? {
        error: "the engine lays out samples channels_last only; write data_format='channels_last'.",
        arg: 'data_format',
      }
    : undefined;
}

/** The spatial sizes and channels of a built channels_last input (batch first). */
export function spatialLayout(input: Shape): { sizes: number[]; channels: number } {
  const dims = input.slice(1) as number[];
  return { sizes: dims.slice(0, -1), channels: dims.at(-1)! };
}
