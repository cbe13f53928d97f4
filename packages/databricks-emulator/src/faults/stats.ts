import { createHash } from "node:crypto";
import type { RequestLogEntry, StatsSnapshot } from "./types.js";

const MAX_LOG = 5000;

/** Request counters and a bounded request log that tests read to check retries and duplicate bodies. */
export class Stats {
  private seq = 0;
  private byRoute = new Map<string, number>();
  private byStatus = new Map<number, number>();
  private byEndpoint = new Map<string, number>();
  private log: RequestLogEntry[] = [];

  /** `detailed` keeps the per-request log with body hashes; off, only counters are kept (cheaper hot path). */
  constructor(private readonly detailed: boolean) {}

  record(entry: Omit<RequestLogEntry, "seq" | "bodySha256">, body: unknown): void {
    this.seq++;
    const key = `${entry.method} ${entry.route}`;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
    this.byStatus.set(entry.status, (this.byStatus.get(entry.status) ?? 0) + 1);
    if (!this.detailed) return;
    const full: RequestLogEntry = { seq: this.seq, ...entry };
    if (Buffer.isBuffer(body) && body.length > 0) {
      full.bodySha256 = createHash("sha256").update(body).digest("hex").slice(0, 16);
    }
    this.log.push(full);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
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
      byRoute: Object.fromEntries(this.byRoute),
      byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
      log: this.log.map((e) => ({ ...e })),
    };
  }

  reset(): void {
    this.seq = 0;
    this.byRoute = new Map();
    this.byStatus = new Map();
    this.byEndpoint = new Map();
    this.log = [];
  }
}
