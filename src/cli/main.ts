#!/usr/bin/env node
/** The `nn` command: a thin layer over the library; nothing imports it. */
import { parseArgs } from 'node:util';
import { runCheck } from './check.js';
import { runSummary } from './summary.js';

const usage = `Usage: nn <command> [options]

Commands:
  check <files…>      Report every error, warning and hint in .nn files
      --format json     Diagnostics as a JSON array (1-based line/column ranges)
  summary <file>      Print Keras 3's model.summary() of a model
      --model NAME      Which model of the file (default: the first)
      --line-length N   Table width (default: Keras's, from the terminal width)

Options:
  -h, --help          Show this help
  -v, --version       Show the version

Exit codes: 0 success, 1 errors in the input, 2 wrong usage.
`;

function main(argv: string[]): number {
  const write = (s: string) => process.stdout.write(s);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        model: { type: 'string' },
        'line-length': { type: 'string' },
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
    write('nnlang 0.1.0\n');
    return 0;
  }
  if (values.help || !command) {
    write(usage);
    return command || values.help ? 0 : 2;
  }
  const fail = (message: string) => {
    process.stderr.write(`nn ${command}: ${message}\n\n${usage}`);
    return 2;
  };
  switch (command) {
    case 'check': {
      if (files.length === 0) return fail('name at least one .nn file.');
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json') return fail(`--format must be 'text' or 'json', not '${format}'.`);
      return runCheck(files, { format }, write);
    }
    case 'summary': {
      if (files.length !== 1) return fail('name exactly one .nn file.');
      const lineLength = values['line-length'] === undefined ? undefined : Number(values['line-length']);
      if (lineLength !== undefined && !(Number.isInteger(lineLength) && lineLength >= 40 && lineLength <= 400)) return fail('--line-length must be an integer from 40 to 400.');
      const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
      return runSummary(files[0]!, { model: values.model, lineLength, columns }, write, (s) => process.stderr.write(s));
    }
    default:
      return fail(`unknown command '${command}'.`);
  }
}

process.exitCode = main(process.argv.slice(2));
