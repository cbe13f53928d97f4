import type { RowValues } from "./filters.js";
import { textTokens, VectorMatrix } from "./ranking.js";

/** One stored row: its primary-key key and non-vector values (vectors live in the matrix, same slot). */
export interface StoredRow {
  key: string;
  values: RowValues;
  /** Lazily computed BM25 tokens of the text columns. */
  tokens?: string[];
}

/**
 * The rows of one index: values by slot plus one contiguous vector matrix, so a query is one pass over a
 * Float32Array. Upserts overwrite in place; deletes swap the last slot into the hole.
 */
export class IndexData {
  readonly rows: StoredRow[] = [];
  readonly bySlot = new Map<string, number>();
  readonly matrix: VectorMatrix;

  constructor(
    readonly dim: number,
    /** Columns whose text feeds BM25 (FULL_TEXT, HYBRID) and the reranker default. */
    readonly textColumns: string[],
  ) {
    this.matrix = new VectorMatrix(Math.max(dim, 1));
  }

  get size(): number {
    return this.rows.length;
  }

  upsert(key: string, values: RowValues, vector: ArrayLike<number> | undefined): void {
    const v = vector ?? new Float32Array(this.matrix.dim);
    const slot = this.bySlot.get(key);
    if (slot !== undefined) {
      this.rows[slot] = { key, values };
      this.matrix.set(slot, v);
      return;
    }
    const s = this.matrix.push(v);
    this.rows[s] = { key, values };
    this.bySlot.set(key, s);
  }

  delete(key: string): boolean {
    const slot = this.bySlot.get(key);
    if (slot === undefined) return false;
    this.bySlot.delete(key);
    const moved = this.matrix.remove(slot);
    const last = this.rows.pop() as StoredRow;
    if (moved >= 0) {
      this.rows[slot] = last;
      this.bySlot.set(last.key, slot);
    }
    return true;
  }

  clear(): void {
    while (this.rows.length > 0) this.delete((this.rows[this.rows.length - 1] as StoredRow).key);
  }

  vectorOf(slot: number): number[] {
    return Array.from(this.matrix.row(slot));
  }

  tokensOf(slot: number): string[] {
    const row = this.rows[slot] as StoredRow;
    if (!row.tokens) {
      const parts: string[] = [];
      for (const c of this.textColumns) {
        const v = row.values[c];
        if (typeof v === "string") parts.push(v);
        else if (Array.isArray(v)) parts.push(v.filter((x) => typeof x === "string").join(" "));
      }
      row.tokens = textTokens(parts.join(" "));
    }
    return row.tokens;
  }
}
