/** Laying test arrays out in a wasm block, as the plan's arenas are, for the wasm kernels' tests. */
import { allocateBlock } from '../../src/backends/wasm-block.js';

/** Lays arrays out in a fresh block (16-byte aligned, as the plan's arenas are); returns their addresses and views. */
export function layout(which: 'simd' | 'relaxed', arrays: Float32Array[]) {
  const align = (n: number) => Math.ceil(n / 4) * 4;
  const total = arrays.reduce((s, a) => s + align(a.length), 0);
  const { block, data } = allocateBlock(which, total);
  let at = 0;
  const views = arrays.map((a) => {
    const view = data.subarray(at, at + a.length);
    view.set(a);
    at += align(a.length);
    return view;
  });
  return { block, views, addr: views.map((v) => v.byteOffset) };
}
