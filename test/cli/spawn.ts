/** Runs the `nn` command in a child process, as a user would, from the project's root. */
import { spawnSync } from 'node:child_process';
import { nnCommand, root } from '../cli-bundle.js';

export { root };

/** `nn …args`: its exit code, standard output and standard error. */
export function nn(...args: string[]): { code: number; out: string; err: string } {
  const [command, first] = nnCommand();
  const r = spawnSync(command, [...first, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
