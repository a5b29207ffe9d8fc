/** What the training worker and the page tell each other: plain, structured-cloneable data. */

import type { HealthReport } from '../../src/index.js';

/** A session ready to train, or why not (the CLI's located messages). */
export type Prepared =
  | {
      ok: true;
      model: string;
      summary: string;
      dataFile: string;
      rows: number;
      features: string[];
      classes: string[] | null;
      epochs: number;
      batchSize: number;
      /** The points in their own units, with their label, when the data has two features. */
      plane: Plane | null;
    }
  | { ok: false; errors: string[] };

/** Two-feature data: the points and the box the pictures cover. */
export interface Plane {
  features: [string, string];
  x: Float32Array;
  /** A class index, a 0/1 target, or a regression target per point. */
  labels: Float32Array;
  /** How many of the points are training points (the rest: validation). */
  trainRows: number;
  box: { min: [number, number]; max: [number, number] };
}

/** What the model does over the plane, at one moment of training. */
export interface PlaneView {
  /** The output over a `size`×`size` grid (row 0 at the top), `units` values per cell. */
  output: { size: number; units: number; values: Float32Array };
  /** Each hidden layer's units over a coarser grid. */
  hidden: { layer: string; units: number; size: number; values: Float32Array }[];
  /** The Dense kernels along the chain, for the network drawing. */
  kernels: { layer: string; inputs: number; units: number; values: Float32Array }[];
}

/** Progress the worker posts while fit() runs (not answers to requests). */
export type TrainEvent =
  | { type: 'log'; line: string }
  /** fit's health report for an epoch (the library's figures: gradient norms, dead ReLUs, …). */
  | { type: 'health'; report: HealthReport }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      steps: number;
      epochs: number;
      logs: Record<string, number>;
    }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      logs: Record<string, number>;
      /** The weights after this epoch: the page keeps them when it stops the worker. */
      weights: Float32Array[];
      view: PlaneView | null;
    };

export interface TrainResult {
  epochs: number;
  ms: number;
  history: Record<string, number[]>;
  diverged: string | null;
  view: PlaneView | null;
}

/** The files a session can read: the built-in samples and the CSVs dropped on the page. */
export type Files = Record<string, string>;

/** A request to a worker, answered by a Response with the same id. */
export interface Request {
  id: number;
  method: string;
  params: unknown[];
}

export interface Response {
  id: number;
  result?: unknown;
  error?: string;
}
