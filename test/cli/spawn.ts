/** Runs the `nn` command in a child process, as a user would, from the project's root. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;

/** `nn …args`: its exit code, standard output and standard error. */
export function nn(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
    { cwd: root, encoding: 'utf8' },
  );
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
