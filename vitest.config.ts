import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.js';
import { relaxedSimdFlag, wasmTier } from './src/backends/wasm-block.js';

const resolve = {
  alias: { nnlang: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
};

/**
 * Where this Node validates the relaxed SIMD kernels only with Node 20's flag, a second project
 * runs the files whose results depend on the kernel build again with it, on the relaxed tier
 * alone (test/conformance/backends.ts relaxedPass): the kernel tests, the thread split's bit
 * identity (its cuts must respect the relaxed build's 6-row tiles too) and the conformance
 * cases that reach the products. On Node ≥ 22 the default run has both tiers already.
 */
const relaxedProject =
  wasmTier() !== 'simd'
    ? []
    : [
        {
          resolve,
          test: {
            name: 'relaxed-simd',
            include: [
              'test/backends/wasm.test.ts',
              'test/backends/threads.test.ts',
              'test/conformance/tfjs.test.ts',
            ],
            execArgv: [relaxedSimdFlag],
            testTimeout: 30_000,
          },
        },
      ];

export default defineConfig({
  resolve,
  test: {
    // Vitest's default leaves a core idle (one worker on a 2-core machine): the test files
    // spend much of their time waiting on child processes, so one worker per core pays.
    maxWorkers: availableParallelism(),
    // A root option (projects cannot set their own sequencer): the slowest files start first.
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        resolve,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          // The modules nn emit generates, imported by the tests (test/emit/compile.ts): Node
          // loads them as a user's program does, instead of Vite reading and transforming
          // megabytes of weights again.
          server: { deps: { external: [/\.generated\.mjs$/] } },
        },
      },
      ...relaxedProject,
    ],
  },
});
