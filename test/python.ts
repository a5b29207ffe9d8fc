/**
 * Debian's Python 3 with the modules an interop test needs (h5py, onnx, torch), as independent
 * checks of the files we write. `python(['h5py'])` is undefined where the interpreter or a module
 * is missing: the test skips, and a notice says what to install (CI installs them: .ci/run).
 * Debian's interpreter is named by path, since a user's own `python3` (pyenv, venv) would not see
 * Debian's packages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const interpreter = ['/usr/bin/python3'].find((p) => existsSync(p));

export interface Python {
  /** Runs `script` with `args`; returns stdout, or throws with stderr when it exits non-zero. */
  run(script: string, args?: string[], input?: string): string;
}

/**
 * The modules of `modules` the interpreter cannot find, asked in one process that locates them
 * without importing them: importing torch to see that it is there cost ~2 s of CPU a test
 * file, before the test imported it again to use it. A module found but broken fails its test.
 */
function absentModules(modules: string[]): string[] {
  if (!interpreter) return modules;
  const script =
    'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
  const r = spawnSync(interpreter, ['-c', script, ...modules], { encoding: 'utf8' });
  if (r.status !== 0) return modules;
  return r.stdout.split(/\s+/).filter((m) => m !== '');
}

export function python(modules: string[], testFile: string): Python | undefined {
  const absent = absentModules(modules);
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

/**
 * One interpreter kept running for a test file's many scripts: importing torch costs ~5 s a
 * process, which a file of a hundred cases cannot pay each time. Each `run` executes `script`
 * in fresh globals with `sys.argv` set as `python3 -c script args` would, one at a time, and
 * resolves with what it printed (or rejects with its traceback).
 */
export interface PythonSession {
  run(script: string, args?: string[]): Promise<string>;
  close(): void;
}

const server = `
import contextlib, io, json, sys, traceback
for line in sys.stdin:
    request = json.loads(line)
    sys.argv = ["-c"] + request["args"]
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(request["script"], "<test>", "exec"), {"__name__": "__main__"})
        reply = {"ok": True, "out": printed.getvalue()}
    except BaseException:
        reply = {"ok": False, "error": traceback.format_exc()}
    sys.__stdout__.write(json.dumps(reply) + "\\n")
    sys.__stdout__.flush()
`;

export function pythonSession(imports: string[]): PythonSession {
  const child = spawn(interpreter!, ['-u', '-c', `import ${imports.join(', ')}\n${server}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.unref();
  const waiting: { resolve(out: string): void; reject(e: Error): void }[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const reply = JSON.parse(buffered.slice(0, end)) as {
        ok: boolean;
        out?: string;
        error?: string;
      };
      buffered = buffered.slice(end + 1);
      const next = waiting.shift()!;
      if (reply.ok) next.resolve(reply.out!);
      else next.reject(new Error(`python3: ${reply.error}`));
    }
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`python3 exited ${code}`));
  });
  return {
    run(script, args = []) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(JSON.stringify({ script, args }) + '\n');
      });
    },
    close() {
      child.stdin.end();
    },
  };
}
