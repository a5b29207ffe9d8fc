#!/usr/bin/env node
/** The `nn` command: a thin layer over the library; nothing imports it. */
import { parseArgs } from 'node:util';
import { runCheck } from './check.js';
import { runDiagram } from './diagram.js';
import { runFmt } from './fmt.js';
import { commandHelp, exitCodes, usage } from './help.js';
import { CliError } from './engine.js';
import { runPlan } from './plan.js';
import { runEmit } from './emit.js';
import { runPythonEmit } from './emit-python.js';
import { exportFormats, runExport, runImport } from './interop.js';
import { runEvaluate, runPredict } from './predict.js';
import { runSummary } from './summary.js';
import { runTrain } from './train.js';
import { DataError } from '../data/index.js';
import { backendNames, InputError, MAX_THREADS, type BackendName } from '../runtime/index.js';
import { PlanError } from '../plan/index.js';
import { WeightsFileError } from '../runtime/weights-file.js';
import { version } from '../version.js';

function main(argv: string[]): number | Promise<number> {
  const write = (s: string) => process.stdout.write(s);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'max-errors': { type: 'string' },
        model: { type: 'string' },
        'line-length': { type: 'string' },
        data: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string', short: 'o' },
        target: { type: 'string' },
        'weights-file': { type: 'string' },
        plot: { type: 'string' },
        weights: { type: 'string' },
        'allow-paths': { type: 'string', multiple: true },
        training: { type: 'boolean' },
        wasm: { type: 'boolean' },
        stdio: { type: 'boolean' },
        batch: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        health: { type: 'boolean' },
        check: { type: 'boolean' },
        write: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(`nn: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...files] = positionals;
  if (values.version) {
    write(`nnlang ${version}\n`);
    return 0;
  }
  if (values.help && command && commandHelp[command]) {
    write(commandHelp[command] + `\n${exitCodes}`);
    return 0;
  }
  if (values.help || !command) {
    write(usage);
    return command || values.help ? 0 : 2;
  }
  const fail = (message: string) => {
    process.stderr.write(`nn ${command}: ${message}\n\n${commandHelp[command ?? ''] ?? usage}`);
    return 2;
  };
  switch (command) {
    case 'check': {
      if (files.length === 0) return fail('name at least one .nn file.');
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json')
        return fail(`--format must be 'text' or 'json', not '${format}'.`);
      const maxErrors =
        values['max-errors'] === undefined ? undefined : Number(values['max-errors']);
      if (maxErrors !== undefined && !(Number.isInteger(maxErrors) && maxErrors >= 0))
        return fail('--max-errors must be a whole number (0 prints every diagnostic).');
      return runCheck(files, { format, maxErrors }, write);
    }
    case 'fmt': {
      if (files.length === 0) return fail('name at least one .nn file.');
      if (values.check && values.write) return fail('--check and --write do not go together.');
      return runFmt(files, { check: values.check, write: values.write }, write, (s) =>
        process.stderr.write(s),
      );
    }
    case 'summary': {
      if (files.length !== 1) return fail('name exactly one .nn file.');
      const lineLength =
        values['line-length'] === undefined ? undefined : Number(values['line-length']);
      if (
        lineLength !== undefined &&
        !(Number.isInteger(lineLength) && lineLength >= 40 && lineLength <= 400)
      )
        return fail('--line-length must be an integer from 40 to 400.');
      const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
      return runSummary(files[0]!, { model: values.model, lineLength, columns }, write, (s) =>
        process.stderr.write(s),
      );
    }
    case 'lsp': {
      if (files.length > 0) return fail('takes no files: the editor sends the documents.');
      if (!values.stdio) return fail('needs --stdio (the only transport it speaks).');
      // Loaded only here, so that the other commands never load the LSP library.
      return import('../lsp/main.js').then(async ({ serveStdio }) => {
        await serveStdio();
        return 0;
      });
    }
    case 'train':
    case 'evaluate':
    case 'predict':
    case 'plan':
    case 'emit':
    case 'export':
    case 'import':
    case 'diagram': {
      if (files.length !== 1)
        return fail(`name exactly one ${command === 'import' ? 'model.json' : '.nn'} file.`);
      const int = (flag: string, min: number): number | undefined => {
        const raw = values[flag as keyof typeof values] as string | undefined;
        if (raw === undefined) return undefined;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min)
          throw new UsageError(`--${flag} must be an integer ≥ ${min}, not '${raw}'.`);
        return n;
      };
      const err = (s: string) => process.stderr.write(s);
      try {
        const common = {
          ...(values.model ? { model: values.model } : {}),
          ...(values.data ? { data: values.data } : {}),
          ...(values['allow-paths'] ? { allowPaths: values['allow-paths'] } : {}),
        };
        if (values.threads !== undefined && command !== 'predict' && command !== 'evaluate')
          throw new UsageError(
            '--threads applies to predict and evaluate (a training step runs on one thread).',
          );
        if (command === 'train') {
          const opts = {
            ...common,
            epochs: int('epochs', 1),
            batchSize: int('batch-size', 1),
            seed: int('seed', 0),
            backend: backendOption(values.backend),
            out: values.out,
            plot: values.plot,
            quiet: values.quiet,
            health: values.health,
          };
          return runTrain(files[0]!, stripUndefined(opts), process.stdout, err);
        }
        if (command === 'diagram')
          return runDiagram(
            files[0]!,
            stripUndefined({ model: values.model, out: values.out }),
            write,
            err,
          );
        if (command === 'emit') {
          const target = values.target ?? 'ts';
          if (target === 'keras' || target === 'pytorch')
            return runPythonEmit(
              files[0]!,
              stripUndefined({
                model: values.model,
                weights: values.weights,
                out: values.out,
                target: target as 'keras' | 'pytorch',
              }),
              write,
              err,
            );
          if (target !== 'ts' && target !== 'js')
            throw new UsageError(
              `--target must be 'ts', 'js', 'keras' or 'pytorch', not '${target}'.`,
            );
          return runEmit(
            files[0]!,
            stripUndefined({
              model: values.model,
              weights: values.weights,
              out: values.out,
              target: target as 'ts' | 'js',
              training: values.training,
              wasm: values.wasm,
              weightsFile: values['weights-file'],
            }),
            write,
            err,
          );
        }
        if (command === 'export') {
          if (values.format !== undefined && !exportFormats.includes(values.format))
            throw new UsageError(
              `--format must be one of ${exportFormats.join(', ')}, not '${values.format}'.`,
            );
          return runExport(
            files[0]!,
            stripUndefined({
              model: values.model,
              weights: values.weights,
              format: values.format ?? 'tfjs',
              out: values.out,
            }),
            write,
            err,
          );
        }
        if (command === 'import')
          return runImport(files[0]!, stripUndefined({ out: values.out }), write, err);
        if (command === 'plan')
          return runPlan(
            files[0]!,
            stripUndefined({
              model: values.model,
              training: values.training,
              batch: int('batch', 1),
            }),
            write,
            err,
          );
        const apply = stripUndefined({
          ...common,
          weights: values.weights,
          out: values.out,
          batchSize: int('batch-size', 1),
          threads: threadsOption(values.threads),
        });
        return command === 'evaluate'
          ? runEvaluate(files[0]!, apply, write, err)
          : runPredict(files[0]!, apply, write, err);
      } catch (e) {
        if (e instanceof UsageError) return fail(e.message);
        if (
          e instanceof CliError ||
          e instanceof DataError ||
          e instanceof InputError ||
          e instanceof PlanError ||
          e instanceof WeightsFileError
        ) {
          process.stderr.write(`nn ${command}: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    }
    default:
      return fail(`unknown command '${command}'.`);
  }
}

class UsageError extends Error {}

/** --backend's value, checked against the names loadModel takes. */
function backendOption(raw: string | undefined): BackendName | undefined {
  if (raw === undefined) return undefined;
  const name = backendNames.find((n) => n === raw);
  if (!name) throw new UsageError(`--backend must be 'js', 'wasm' or 'auto', not '${raw}'.`);
  return name;
}

/** --threads's value, checked as loadModel's threads option is. */
function threadsOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(/^\d+$/.test(raw) && n >= 1 && n <= MAX_THREADS))
    throw new UsageError(`--threads must be an integer from 1 to ${MAX_THREADS}, not '${raw}'.`);
  return n;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/** A throw that reaches here is a bug in nnlang: say so in one line, no stack trace. */
function internalError(e: unknown): void {
  process.stderr.write(
    `nn: internal error NN9001 (a bug in nnlang, please report it): ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exitCode = 70;
}

try {
  const code = main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
  else code.then((c) => (process.exitCode = c), internalError);
} catch (e) {
  internalError(e);
}
