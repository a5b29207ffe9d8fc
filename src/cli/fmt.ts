/** `nn fmt [--check] [--write] <files…>`: the formatter over files (src/format does the work). */
import { renderDiagnostic } from '../diagnostics/index.js';
import { formatSource } from '../format/index.js';
import { LineMap } from '../source/index.js';
import { writeFileAtomic } from '../runtime/weights-file.js';
import { readSource } from './io.js';

export interface FmtOptions {
  /** Report the files that are not formatted (exit 1 if any) instead of printing them. */
  check?: boolean;
  /** Rewrite the files that are not formatted. */
  write?: boolean;
}

/**
 * Formats each file: prints it (default), rewrites it (`--write`) or names it when it is not
 * formatted (`--check`). A file that does not parse is left alone and its syntax errors are
 * printed. Returns the exit code: 1 when a file could not be read or formatted, or when
 * `--check` found a file to format; 70 when the formatter failed its own check (a bug).
 */
export function runFmt(
  files: string[],
  options: FmtOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let failed = 0;
  const unformatted: string[] = [];
  let written = 0;
  let internal = 0;
  for (const file of files) {
    const read = readSource(file);
    if ('error' in read) {
      err(`nn fmt: cannot read ${file}: ${read.error}\n`);
      failed++;
      continue;
    }
    const result = formatSource(read.text);
    if ('error' in result) {
      const lines = new LineMap(read.text);
      for (const d of result.error) err(renderDiagnostic(d, lines, file));
      // NN9001: the printer's output did not read back as the same program; nothing is written.
      if (result.error.some((d) => d.code === 'NN9001')) internal++;
      else err(`nn fmt: ${file} is not formatted: it has syntax errors (fix them first).\n`);
      failed++;
      continue;
    }
    if (options.check) {
      if (result.changed) unformatted.push(file);
      continue;
    }
    if (options.write) {
      if (!result.changed) continue;
      try {
        writeFileAtomic(file, result.text);
        written++;
        out(`${file}: formatted\n`);
      } catch (e) {
        err(`nn fmt: cannot write ${file}: ${(e as Error).message}\n`);
        failed++;
      }
      continue;
    }
    out(result.text);
  }
  if (options.check) {
    for (const file of unformatted) out(`${file}: not formatted\n`);
    const ok = files.length - unformatted.length - failed;
    out(
      unformatted.length
        ? `${unformatted.length} of ${files.length} file${files.length === 1 ? '' : 's'} not formatted (nn fmt --write formats them).\n`
        : `${ok} file${ok === 1 ? '' : 's'} formatted.\n`,
    );
  } else if (options.write && written === 0 && failed === 0)
    out(`${files.length} file${files.length === 1 ? '' : 's'} already formatted.\n`);
  if (internal > 0) return 70;
  return failed > 0 || unformatted.length > 0 ? 1 : 0;
}
