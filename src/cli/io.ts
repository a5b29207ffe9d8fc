/** File I/O for the CLI: reading sources with located errors (atomic writes: runtime/weights-file.ts). */
import { readFileSync } from 'node:fs';

/** The file's text, or a one-line reason it cannot be read. */
export function readSource(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String((err as Error).message);
    return { error: why };
  }
}
