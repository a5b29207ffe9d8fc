import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.js';

export default defineConfig({
  resolve: { alias: { nnlang: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Vitest's default leaves a core idle (one worker on a 2-core machine): the test files
    // spend much of their time waiting on child processes, so one worker per core pays.
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    sequence: { sequencer: LongestFirst },
    // The modules nn emit generates, imported by the tests (test/emit/compile.ts): Node loads
    // them as a user's program does, instead of Vite reading and transforming megabytes of
    // weights again.
    server: { deps: { external: [/\.generated\.mjs$/] } },
  },
});
