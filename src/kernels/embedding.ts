/**
 * Embedding: a gather of table rows by token id, and its backward, a scatter-add into the
 * table's gradient. Ids arrive as floats (the engine's one dtype); Keras 3's Embedding casts
 * them to int32 first, which truncates toward zero, and so do these kernels.
 */

/**
 * y[i, :] = table[trunc(ids[i]), :] for `count` ids, table:[vocab, dim]. Returns the position
 * of the first id outside [0, vocab) (NaN included) and writes nothing past it, or −1 when
 * every id is in range: the caller reports it, as TensorFlow's gather fails on such an id
 * rather than reading a row that is not there.
 */
export function embeddingForward(
  ids: Float32Array,
  table: Float32Array,
  y: Float32Array,
  count: number,
  vocab: number,
  dim: number,
): number {
  for (let i = 0; i < count; i++) {
    const id = Math.trunc(ids[i]!);
    if (!(id >= 0 && id < vocab)) return i;
    const src = id * dim;
    const dst = i * dim;
    for (let j = 0; j < dim; j++) y[dst + j] = table[src + j]!;
  }
  return -1;
}

/**
 * dTable = Σ over ids of dy[i, :] added into row trunc(ids[i]); dTable:[vocab, dim] is
 * overwritten. The ids were checked by the forward pass of the same step.
 */
export function embeddingBackward(
  ids: Float32Array,
  dy: Float32Array,
  dTable: Float32Array,
  count: number,
  vocab: number,
  dim: number,
): void {
  dTable.fill(0, 0, vocab * dim);
  for (let i = 0; i < count; i++) {
    const row = Math.trunc(ids[i]!) * dim;
    const src = i * dim;
    for (let j = 0; j < dim; j++) dTable[row + j] = dTable[row + j]! + dy[src + j]!;
  }
}

/**
 * Keras 3's Embedding(mask_zero=True) mask: mask[i] = 1 where ids[i] ≠ 0, else 0 (its
 * compute_mask, `not_equal(inputs, 0)`, on the ids as given). mask is overwritten.
 */
export function tokenMask(ids: Float32Array, mask: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) mask[i] = ids[i] !== 0 ? 1 : 0;
}
