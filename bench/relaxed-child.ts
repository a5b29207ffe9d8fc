/**
 * The relaxed SIMD tier for the benchmarks where this Node does not run it: Node 20's V8 has
 * f32x4.relaxed_madd only behind --experimental-wasm-relaxed-simd (Node ≥ 22 and Chromium
 * enable it by default, and there the benchmarks measure it in-process). A child Node with the
 * flag runs the given bench script in a mode that prints its figures as one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { relaxedSimdFlag as relaxedFlag } from '../src/backends/wasm-block.js';

export { relaxedFlag };

/**
 * Runs `script` (a path relative to the repository) with `args` in a child Node with relaxed
 * SIMD enabled and returns the JSON its last output line holds, or the reason it could not.
 */
export function inRelaxedChild(
  script: string,
  args: readonly string[],
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawnSync(process.execPath, [relaxedFlag, '--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.error) return { ok: false, reason: child.error.message };
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    const why = child.stderr.trim().split('\n')[0] ?? '';
    return { ok: false, reason: `node ${relaxedFlag} exited ${child.status}: ${why}` };
  }
  return { ok: true, value: JSON.parse(last) };
}
