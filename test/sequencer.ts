/**
 * The order the test files start in: the longest first, so that neither worker is left with a
 * long file at the end while the other idles. Vitest's own order does that from the durations
 * of the last run in its cache; without a cache (CI's fresh checkout) it falls back to the
 * largest files first, which starts slow files of few lines (a handful of `nn` spawns, a
 * Python process) last. Those files, slowest first, as measured on a 2-core machine, then
 * Vitest's order.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const slowest = [
  'test/emit/emit.test.ts',
  'test/emit/training.test.ts',
  'test/cli/commands.test.ts',
  'test/conformance/tfjs.test.ts',
  'test/emit/python-cli.test.ts',
  'test/emit/python-torch.test.ts',
  'test/format/cli-and-prettier.test.ts',
  'test/interop/errors.test.ts',
  'test/interop/keras-archive.test.ts',
  'test/service/incremental.test.ts',
  'test/conformance/graphs.test.ts',
  'test/backends/wasm.test.ts',
  'test/cli/diagram.test.ts',
  'test/playground/playground.test.ts',
  'test/interop/onnx-export.test.ts',
  'test/cli/robustness.test.ts',
  'test/service/fuzz.test.ts',
  'test/emit/safety.test.ts',
  'test/emit/python-keras.test.ts',
  'test/interop/tfjs-export.test.ts',
  'test/samples/samples.test.ts',
  'test/emit/cli.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const known = (f: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${f.project.name}:${this.path(f)}`) !== undefined;
    if (sorted.every(known)) return sorted;
    const rank = (f: TestSpecification) => {
      const i = slowest.indexOf(this.path(f));
      return i < 0 ? slowest.length : i;
    };
    // Array.prototype.sort is stable: the files not listed keep Vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }

  /** The file's path from the root, as Vitest's cache keys it. */
  private path(f: TestSpecification): string {
    return relative(this.ctx.config.root, f.moduleId);
  }
}
