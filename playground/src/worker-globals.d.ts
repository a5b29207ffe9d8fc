/**
 * The worker globals the training and language workers use. They compile without the DOM
 * library, whose WebAssembly declarations clash with the engine's own local typing of it
 * (src/backends/wasm-block.ts).
 */
declare const self: {
  postMessage(message: unknown, options?: { transfer?: unknown[] }): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
};
type Transferable = ArrayBufferLike;
