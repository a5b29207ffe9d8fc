/**
 * Debian's Python 3 with the modules an interop test needs (h5py, onnx, torch), as independent
 * checks of the files we write. `python(['h5py'])` is undefined where the interpreter or a module
 * is missing: the test skips, and a notice says what to install (CI installs them: .ci/run).
 * Debian's interpreter is named by path, since a user's own `python3` (pyenv, venv) would not see
 * Debian's packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const interpreter = ['/usr/bin/python3'].find((p) => existsSync(p));

export interface Python {
  /** Runs `script` with `args`; returns stdout, or throws with stderr when it exits non-zero. */
  run(script: string, args?: string[], input?: string): string;
}

export function python(modules: string[], testFile: string): Python | undefined {
  const absent = interpreter
    ? modules.filter((m) => spawnSync(interpreter, ['-c', `import ${m}`]).status !== 0)
    : modules;
  if (absent.length > 0) {
    const packages = absent.map((m) => `python3-${m}`).join(' ');
    console.warn(`[skipped] ${testFile}: no ${absent.join(', ')} (apt-get install ${packages})`);
    return undefined;
  }
  return {
    run(script, args = [], input) {
      const r = spawnSync(interpreter!, ['-c', script, ...args], {
        input,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`python3 exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    },
  };
}
