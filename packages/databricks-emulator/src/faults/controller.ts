import { ApiError } from "../errors.js";
import type { ActiveFault, FaultRule } from "./types.js";

const DEFAULT_CODES: Record<number, string> = {
  429: "REQUEST_LIMIT_EXCEEDED",
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** mulberry32: tiny seeded PRNG so rate-based faults are reproducible. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

interface LiveRule {
  rule: FaultRule;
  matched: number;
  hits: number;
}

/** Decides, per request, which configured fault (if any) applies. */
export class FaultController {
  private rules: LiveRule[] = [];
  private random = prng(1);

  set(rules: FaultRule[], seed = 1): void {
    for (const r of rules) validateRule(r);
    this.rules = rules.map((rule) => ({ rule, matched: 0, hits: 0 }));
    this.random = prng(seed);
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule that fires for this request, with its counters advanced. */
  private pick(method: string, path: string): FaultRule | undefined {
    for (const live of this.rules) {
      const r = live.rule;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.path && !path.startsWith(r.path)) continue;
      live.matched++;
      if (r.after !== undefined && live.matched <= r.after) continue;
      if (r.times !== undefined && live.hits >= r.times) continue;
      if (r.rate !== undefined && this.random() >= r.rate) continue;
      live.hits++;
      return r;
    }
    return undefined;
  }

  /**
   * Applies the rule that fires for this request ahead of handling it: waits `latencyMs`, then calls `next` with
   * the injected error (`status`) or with the response faults the writers must honour. `neverAnswer` never calls
   * `next`: the request hangs until the client gives up or the emulator closes.
   */
  gate(method: string, path: string, next: (err: ApiError | null, fault: ActiveFault | null) => void): void {
    const rule = this.pick(method, path);
    if (!rule) {
      next(null, null);
      return;
    }
    if (rule.neverAnswer) return;
    const fault =
      rule.resetAfterEvents !== undefined || rule.malformedSse || rule.malformedJson
        ? {
            resetAfterEvents: rule.resetAfterEvents,
            malformedSse: rule.malformedSse,
            malformedJson: rule.malformedJson,
          }
        : null;
    const act = () => next(rule.status !== undefined ? faultError(rule) : null, fault);
    if (rule.latencyMs) setTimeout(act, rule.latencyMs);
    else act();
  }
}

/** A `malformedJson` fault's body: the first half of the real one, so clients see a 200 they cannot parse. */
export const truncatedForFault = (payload: string): string =>
  payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));

export const faultError = (r: FaultRule): ApiError => {
  const status = r.status ?? 503;
  const headers: Record<string, string> = {};
  const retryAfter =
    r.retryAfter === undefined ? (status === 429 || status === 503 ? 1 : null) : r.retryAfter;
  if (retryAfter !== null) headers["retry-after"] = String(retryAfter);
  const code = r.errorCode ?? DEFAULT_CODES[status] ?? "INTERNAL_ERROR";
  const message =
    r.message ??
    (status === 429
      ? "Exceeded workspace QPS rate limit (fault injected by the emulator)."
      : `Injected fault: HTTP ${status} from the emulator's fault API.`);
  return new ApiError(status, code, message, { headers });
};

const validateRule = (r: FaultRule): void => {
  if (typeof r !== "object" || r === null) throw new TypeError("each fault rule must be an object");
  if (r.status !== undefined && (!Number.isInteger(r.status) || r.status < 400 || r.status > 599)) {
    throw new TypeError(`fault rule status must be an HTTP error status (400-599), got ${String(r.status)}`);
  }
  if (r.rate !== undefined && !(r.rate >= 0 && r.rate <= 1)) {
    throw new TypeError(`fault rule rate must be between 0 and 1, got ${String(r.rate)}`);
  }
  for (const f of ["latencyMs", "resetAfterEvents", "after", "times"] as const) {
    const v = r[f];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new TypeError(`fault rule ${f} must be a non-negative integer, got ${String(v)}`);
    }
  }
};
