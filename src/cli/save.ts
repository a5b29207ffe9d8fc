/** Saving a finished training's weights so that a failed write never loses them. */
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { defaultWeightsPath } from './engine.js';

/**
 * Saves with `save(out)`; when that throws, tries `<file>.<model>.nnw` beside the .nn file
 * (or a timestamped name when that was `out`), then the system's temporary folder, and
 * returns a message saying what failed and where the weights are.
 */
export function saveWithFallback(
  save: (path: string) => void,
  out: string,
  file: string,
  model: string,
): { saved: string } | { failure: string } {
  let why: string;
  try {
    save(out);
    return { saved: out };
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  const beside = defaultWeightsPath(file, model);
  const stamped = beside.replace(/\.nnw$/, `.${Date.now()}.nnw`);
  const candidates = [beside === out ? stamped : beside, join(tmpdir(), basename(stamped))];
  for (const path of candidates) {
    try {
      save(path);
      return {
        failure: `cannot write the weights to ${out}: ${why}. The trained weights were saved to ${path} instead.`,
      };
    } catch {
      // try the next place
    }
  }
  return {
    failure: `cannot write the weights to ${out}: ${why}; nor anywhere else, so they are lost.`,
  };
}
