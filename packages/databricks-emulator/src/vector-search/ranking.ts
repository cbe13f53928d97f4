/**
 * Vector Search ranking engines (pure): exact vector scoring over one contiguous Float32Array, BM25 full-text
 * scoring, reciprocal rank fusion and top-k selection. Ties always break by insertion slot, so results are
 * deterministic. Formulas: packages/databricks-emulator/spec/vector-search.md section "Scores".
 */

/** Growable row-major matrix of vectors with precomputed squared norms; rows are addressed by slot. */
export class VectorMatrix {
  data: Float32Array;
  norms: Float32Array;
  count = 0;

  constructor(
    readonly dim: number,
    capacity = 64,
  ) {
    this.data = new Float32Array(dim * capacity);
    this.norms = new Float32Array(capacity);
  }

  private grow(): void {
    const cap = Math.max(64, this.norms.length * 2);
    const d = new Float32Array(this.dim * cap);
    d.set(this.data.subarray(0, this.count * this.dim));
    const n = new Float32Array(cap);
    n.set(this.norms.subarray(0, this.count));
    this.data = d;
    this.norms = n;
  }

  /** Appends a vector; returns its slot. */
  push(v: ArrayLike<number>): number {
    if (this.count === this.norms.length) this.grow();
    const slot = this.count++;
    this.set(slot, v);
    return slot;
  }

  set(slot: number, v: ArrayLike<number>): void {
    const off = slot * this.dim;
    let n = 0;
    for (let i = 0; i < this.dim; i++) {
      const x = v[i] as number;
      this.data[off + i] = x;
      n += x * x;
    }
    this.norms[slot] = n;
  }

  row(slot: number): Float32Array {
    return this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
  }

  /** Removes `slot` by moving the last row into it; returns the slot that moved (or -1 when none did). */
  remove(slot: number): number {
    const last = this.count - 1;
    this.count--;
    if (slot === last) return -1;
    this.data.copyWithin(slot * this.dim, last * this.dim, (last + 1) * this.dim);
    this.norms[slot] = this.norms[last] as number;
    return last;
  }
}

/**
 * ANN score of every live slot: `1 / (1 + L2 distance)` (higher is better), computed as one dot-product pass
 * with precomputed norms (|a-b|^2 = |a|^2 + |b|^2 - 2a.b).
 */
export const l2Scores = (
  m: VectorMatrix,
  q: ArrayLike<number>,
  out = new Float64Array(m.count),
): Float64Array => {
  const dim = m.dim;
  const data = m.data;
  const qf = q instanceof Float32Array ? q : Float32Array.from(q);
  let qn = 0;
  for (let i = 0; i < dim; i++) qn += (qf[i] as number) * (qf[i] as number);
  const tail = dim - (dim % 4);
  for (let s = 0, off = 0; s < m.count; s++, off += dim) {
    // Four accumulators: independent multiply-adds the CPU can overlap (about 2x a single running sum).
    let d0 = 0;
    let d1 = 0;
    let d2a = 0;
    let d3 = 0;
    let i = 0;
    for (; i < tail; i += 4) {
      d0 += (data[off + i] as number) * (qf[i] as number);
      d1 += (data[off + i + 1] as number) * (qf[i + 1] as number);
      d2a += (data[off + i + 2] as number) * (qf[i + 2] as number);
      d3 += (data[off + i + 3] as number) * (qf[i + 3] as number);
    }
    for (; i < dim; i++) d0 += (data[off + i] as number) * (qf[i] as number);
    const dot = d0 + d1 + d2a + d3;
    const d2 = (m.norms[s] as number) + qn - 2 * dot;
    out[s] = 1 / (1 + Math.sqrt(Math.max(d2, 0)));
  }
  return out;
};

/** L2 score of two single vectors, same formula as {@link l2Scores}. */
export const l2Score = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d2 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    d2 += d * d;
  }
  return 1 / (1 + Math.sqrt(d2));
};

/**
 * The best `k` of `candidates` by `score` descending, ties by `tiebreak` ascending; a bounded binary heap, so
 * O(n log k) instead of sorting every candidate.
 */
export const topK = (
  candidates: ArrayLike<number>,
  n: number,
  score: (c: number) => number,
  k: number,
  tiebreak: (c: number) => number = (c) => c,
): number[] => {
  if (k <= 0) return [];
  // Min-heap on (score, -tiebreak): the root is the worst kept candidate.
  const heap: number[] = [];
  const worse = (a: number, b: number) => {
    const sa = score(a);
    const sb = score(b);
    return sa < sb || (sa === sb && tiebreak(a) > tiebreak(b));
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i] as number, heap[p] as number)) break;
      [heap[i], heap[p]] = [heap[p] as number, heap[i] as number];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const c = candidates[i] as number;
    if (heap.length < k) {
      heap.push(c);
      up(heap.length - 1);
    } else if (worse(heap[0] as number, c)) {
      heap[0] = c;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
};

/** Lower-cased word tokens (letters and digits), the unit of BM25 and the local reranker. */
export const textTokens = (s: string): string[] => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** BM25 (k1 = 1.2, b = 0.75, Lucene idf) of `query` against each document; 0 for documents with no query term. */
export const bm25Scores = (query: string, docs: readonly string[][]): Float64Array => {
  const q = [...new Set(textTokens(query))];
  const out = new Float64Array(docs.length);
  if (q.length === 0 || docs.length === 0) return out;
  let total = 0;
  for (const d of docs) total += d.length;
  const avg = total / docs.length || 1;
  const df = new Map<string, number>(q.map((t) => [t, 0]));
  const tfs: Map<string, number>[] = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) if (df.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) as number) + 1);
    return tf;
  });
  const N = docs.length;
  for (let i = 0; i < N; i++) {
    const tf = tfs[i] as Map<string, number>;
    if (tf.size === 0) continue;
    const len = (docs[i] as string[]).length;
    let s = 0;
    for (const [t, f] of tf) {
      const n = df.get(t) as number;
      const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
      s += (idf * f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * len) / avg));
    }
    out[i] = s;
  }
  return out;
};

export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each ranked list (best first) contributes `1 / (RRF_K + rank)` (rank from 1) to its
 * items. Returns item -> fused score.
 */
export const reciprocalRankFusion = (lists: readonly (readonly number[])[]): Map<number, number> => {
  const fused = new Map<number, number>();
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      const item = list[r] as number;
      fused.set(item, (fused.get(item) ?? 0) + 1 / (RRF_K + r + 1));
    }
  }
  return fused;
};

/**
 * The emulator's local reranker: the share of distinct query tokens found in `text` (0..1). Deterministic and
 * explainable; stands in for `databricks_reranker`.
 */
export const rerankScore = (query: string, text: string): number => {
  const q = [...new Set(textTokens(query))];
  if (q.length === 0) return 0;
  const have = new Set(textTokens(text));
  let hit = 0;
  for (const t of q) if (have.has(t)) hit++;
  return hit / q.length;
};
