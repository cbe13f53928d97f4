import { createHmac, randomBytes } from "node:crypto";
import type { RequestLogEntry, StatsSnapshot } from "./types.js";

const MAX_LOG = 5000;
/** Bodies up to this size are kept (copied) and hashed only when a snapshot asks; larger ones are hashed at once. */
const LAZY_HASH_BYTES = 2048;

/** A log entry as stored: small bodies wait in `body` until a snapshot hashes them. */
type StoredEntry = RequestLogEntry & { body?: Buffer };

/**
 * Body hashes are HMAC-SHA256 under a key drawn once per process: equal bodies still compare equal within a run
 * (what retry tests need), but a hash read from `/stats` cannot be checked against guessed bodies offline.
 */
const KEY = randomBytes(32);
const sha16 = (body: Buffer): string => createHmac("sha256", KEY).update(body).digest("hex").slice(0, 16);

/** How many requests one `method route` pair has had; `key` is its name in the snapshot's `byRoute`. */
interface RouteCount {
  key: string;
  n: number;
}

/** Request counters and a bounded request log that tests read to check retries and duplicate bodies. */
export class Stats {
  private seq = 0;
  /**
   * Route counters by route, then method: counting a request looks its counter up by the two strings it already
   * has instead of building (and hashing) a `method route` key string. `routeCounts` keeps first-seen order.
   */
  private byRoute = new Map<string, Map<string, RouteCount>>();
  private routeCounts: RouteCount[] = [];
  private byStatus = new Map<number, number>();
  private byEndpoint = new Map<string, number>();
  /** Ring buffer of the last MAX_LOG entries; `logNext` is where the next one goes. */
  private log: StoredEntry[] = [];
  private logNext = 0;

  /** `detailed` keeps the per-request log with body hashes; off, only counters are kept (cheaper hot path). */
  constructor(private readonly detailed: boolean) {}

  /** Counts a request and, with the detailed log, records it; `entry` must be a fresh object (it is kept). */
  record(entry: Omit<RequestLogEntry, "seq" | "bodySha256">, body: unknown): void {
    this.seq++;
    this.routeCount(entry.method, entry.route).n++;
    this.byStatus.set(entry.status, (this.byStatus.get(entry.status) ?? 0) + 1);
    if (!this.detailed) return;
    // Every request pays for this, so it stays cheap: no copy of the entry, no hashing of small bodies yet,
    // and a ring rather than push + splice (dropping the oldest of 5000 entries by splicing cost ~40 µs).
    const stored = entry as StoredEntry;
    stored.seq = this.seq;
    if (Buffer.isBuffer(body) && body.length > 0) {
      if (body.length <= LAZY_HASH_BYTES) stored.body = Buffer.from(body);
      else stored.bodySha256 = sha16(body);
    }
    this.log[this.logNext] = stored;
    this.logNext = (this.logNext + 1) % MAX_LOG;
  }

  private routeCount(method: string, route: string): RouteCount {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.byRoute.set(route, byMethod);
    }
    let count = byMethod.get(method);
    if (!count) {
      count = { key: `${method} ${route}`, n: 0 };
      byMethod.set(method, count);
      this.routeCounts.push(count);
    }
    return count;
  }

  countEndpoint(name: string): void {
    this.byEndpoint.set(name, (this.byEndpoint.get(name) ?? 0) + 1);
  }

  endpointRequests(name: string): number {
    return this.byEndpoint.get(name) ?? 0;
  }

  snapshot(): StatsSnapshot {
    return {
      total: this.seq,
      byRoute: Object.fromEntries(this.routeCounts.map((c) => [c.key, c.n])),
      byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
      log: [...this.log.slice(this.logNext), ...this.log.slice(0, this.logNext)].map((stored) => {
        if (stored.body) {
          stored.bodySha256 = sha16(stored.body);
          stored.body = undefined;
        }
        const { body: _hashed, ...entry } = stored;
        return entry;
      }),
    };
  }

  reset(): void {
    this.seq = 0;
    this.byRoute = new Map();
    this.routeCounts = [];
    this.byStatus = new Map();
    this.byEndpoint = new Map();
    this.log = [];
    this.logNext = 0;
  }
}
