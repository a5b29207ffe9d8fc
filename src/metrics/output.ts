/**
 * A compiled metric of one output of a model with several (Keras 3's `CompileMetrics` with a
 * list of one entry per output): it is logged as `<output>_<metric>` and reads that output's
 * predictions and that output's target columns, which the engine keeps side by side in one
 * row of targets per sample.
 */
import type { Metric } from './metrics.js';

export class OutputMetric implements Metric {
  readonly name: string;
  readonly direction: Metric['direction'];
  /** This output's targets gathered out of the joint rows (grown once to the largest batch). */
  private targets = new Float32Array(0);

  /**
   * @param inner the metric as Keras resolved it for this output's units and targets
   * @param output the output's index, in the model's order
   * @param columns where its targets sit in a joint target row: `[offset, offset + size)` of
   *   `stride`; `rowsPer`, the metric's rows per sample (positions of the output but its last axis)
   */
  constructor(
    readonly inner: Metric,
    readonly output: number,
    outputName: string,
    private readonly columns: { offset: number; size: number; stride: number; rowsPer: number },
  ) {
    this.name = `${outputName}_${inner.name}`;
    this.direction = inner.direction;
  }

  reset(): void {
    this.inner.reset();
  }

  /**
   * `yTrue` is the joint rows of every output's targets, one per sample; `yPred` is this
   * output's alone, `rows` = samples · rowsPer.
   */
  update(
    yTrue: Float32Array,
    yPred: Float32Array,
    rows: number,
    cols: number,
    mask: Float32Array | null = null,
  ): void {
    const { offset, size, stride, rowsPer } = this.columns;
    const samples = rows / rowsPer;
    if (this.targets.length < samples * size) this.targets = new Float32Array(samples * size);
    for (let r = 0; r < samples; r++)
      for (let c = 0; c < size; c++) this.targets[r * size + c] = yTrue[r * stride + offset + c]!;
    this.inner.update(this.targets, yPred, rows, cols, mask);
  }

  result(): number {
    return this.inner.result();
  }
}

/**
 * `<output>_loss` of a model with several outputs, as Keras 3 logs it beside the total: the
 * mean over the samples of that output's unweighted loss. It is fed the loss step's value
 * for the batch (a batch mean) as its prediction.
 */
export class OutputLoss implements Metric {
  readonly name: string;
  readonly direction = 'down' as const;
  private sum = 0;
  private count = 0;

  constructor(
    readonly output: number,
    outputName: string,
  ) {
    this.name = `${outputName}_loss`;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  /** `batchLoss[0]` is the batch's mean loss for this output; the targets are not read. */
  update(_targets: Float32Array, batchLoss: Float32Array, rows: number): void {
    this.sum += batchLoss[0]! * rows;
    this.count += rows;
  }

  result(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }
}
