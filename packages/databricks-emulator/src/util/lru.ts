/**
 * A size-bounded cache with approximate least-recently-used eviction. Map order is insertion order, so the
 * first key is the eviction candidate; a hit re-inserts its entry only once it has drifted into the older half
 * of the cache. Hot keys therefore stay resident without paying a delete + set on every hit, which matters when
 * a hit is meant to cost far less than recomputing the value (the embedding engine does tens per text).
 */
export class ApproxLru<K, V> {
  private readonly map = new Map<K, { value: V; stamp: number }>();
  private clock = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError("ApproxLru limit must be a positive integer");
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (this.clock - e.stamp > this.limit / 2) {
      this.map.delete(key);
      e.stamp = ++this.clock;
      this.map.set(key, e);
    }
    return e.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, { value, stamp: ++this.clock });
  }
}
