/**
 * The library's options checked as the CLI checks its flags: a wrong name or value is an
 * InputError that says which option and what it takes, never a crash deeper in the engine.
 */
import { InputError } from './arrays.js';
import { MAX_THREADS } from '../backends/index.js';

const fitOptionNames = [
  'epochs',
  'batchSize',
  'shuffle',
  'validationSplit',
  'validationData',
  'callbacks',
  'initialEpoch',
  'health',
] as const;

/** Throws an InputError for an unknown name or a bad value among fit()'s options. */
export function checkFitOptions(options: object): void {
  checkNames('fit', options, fitOptionNames);
  const o = options as Record<string, unknown>;
  integerOption('fit', 'epochs', o['epochs'], 1);
  integerOption('fit', 'batchSize', o['batchSize'], 1);
  integerOption('fit', 'initialEpoch', o['initialEpoch'], 0);
  const split = o['validationSplit'];
  if (split !== undefined && !(typeof split === 'number' && split >= 0 && split < 1))
    throw new InputError(`fit: validationSplit must be a number in [0, 1), not ${show(split)}.`);
  if (o['shuffle'] !== undefined && typeof o['shuffle'] !== 'boolean')
    throw new InputError(`fit: shuffle must be true or false, not ${show(o['shuffle'])}.`);
  if (o['health'] !== undefined && typeof o['health'] !== 'boolean')
    throw new InputError(`fit: health must be true or false, not ${show(o['health'])}.`);
  if (o['callbacks'] !== undefined && !Array.isArray(o['callbacks']))
    throw new InputError(
      `fit: callbacks must be an array of callbacks, not ${show(o['callbacks'])}.`,
    );
  const data = o['validationData'];
  if (data !== undefined && !(Array.isArray(data) && data.length === 2))
    throw new InputError(`fit: validationData must be [x, y], not ${show(data)}.`);
}

/** predict()'s and evaluate()'s options: a constant, not an array made per call. */
const batchOptionNames = ['batchSize'] as const;

/** Throws an InputError for an unknown name or a bad batchSize among predict()'s or evaluate()'s options. */
export function checkBatchOptions(method: string, options: object): void {
  checkNames(method, options, batchOptionNames);
  integerOption(method, 'batchSize', (options as Record<string, unknown>)['batchSize'], 1);
}

/**
 * Throws an InputError for a bad `threads` (Model's and loadModel's option): an integer from 1
 * to MAX_THREADS, and above 1 only where the wasm backend may run (not 'js' or a Backend object).
 */
export function checkThreadsOption(threads: unknown, backend: unknown): void {
  if (threads === undefined) return;
  if (!(
    typeof threads === 'number' &&
    Number.isInteger(threads) &&
    threads >= 1 &&
    threads <= MAX_THREADS
  ))
    throw new InputError(
      `threads must be an integer from 1 to ${MAX_THREADS}, not ${show(threads)}.`,
    );
  if (threads > 1 && backend !== undefined && backend !== 'auto' && backend !== 'wasm')
    throw new InputError(
      `threads: ${threads} needs the wasm backend (backend 'wasm' or 'auto'), not ${typeof backend === 'string' ? show(backend) : 'a Backend object'}.`,
    );
}

function checkNames(method: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InputError(`${method}: options must be an object, not ${show(options)}.`);
  // A loop, not Object.keys(…).filter(…): predict() on one sample runs this per call.
  let clean = true;
  for (const k in options) if (!known.includes(k)) clean = false;
  if (clean) return;
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new InputError(
      `${method}: unknown option${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${known.map((k) => `'${k}'`).join(', ')}.`,
    );
}

function integerOption(method: string, name: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min))
    throw new InputError(`${method}: ${name} must be an integer ≥ ${min}, not ${show(value)}.`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return String(value);
}
