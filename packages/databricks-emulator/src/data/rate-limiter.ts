import type { Identity } from "../auth/identity.js";
import type { EndpointRecord } from "../control/types.js";
import { ApiError, permissionDenied } from "../errors.js";
import type { Clock } from "../util/clock.js";
import type { JsonObject } from "../util/json.js";

const WINDOW_MS = 60_000;

/**
 * Per-minute call limits from AI gateway `rate_limits` and legacy `rate_limits` (fixed windows on the emulator
 * clock). Token limits are accepted and echoed but not enforced.
 */
export class RateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  check(ep: EndpointRecord, id: Identity): void {
    const gatewayLimits = ep.aiGateway?.rate_limits as JsonObject[] | undefined;
    // Most endpoints have no limits: answer without building the list (this runs on every query).
    if (!gatewayLimits?.length && !ep.rateLimits?.length) return;
    const limits = [...(gatewayLimits ?? []), ...(ep.rateLimits ?? [])];
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const buckets: { key: string; calls: number; scope: string }[] = [];
    for (const l of limits) {
      if (typeof l.calls !== "number") continue;
      const bucket = bucketKey(ep.name, l, id);
      if (bucket === undefined) continue;
      if (l.calls === 0) {
        throw permissionDenied(
          "PERMISSION_DENIED: The endpoint is temporarily disabled due to a Databricks-set rate limit of 0.",
        );
      }
      buckets.push({
        key: bucket,
        calls: l.calls,
        scope: `key ${typeof l.key === "string" ? l.key : "endpoint"}`,
      });
    }
    for (const b of buckets) {
      if ((this.counts.get(b.key) ?? 0) >= b.calls) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
        throw new ApiError(
          429,
          "REQUEST_LIMIT_EXCEEDED",
          // The platform's wording (spec/serving.md 3.6), then which limit was hit.
          `Exceeded workspace QPS rate limit for ${ep.name}. Limit: ${b.calls} calls per minute (${b.scope}).`,
          { headers: { "retry-after": String(retryAfter) } },
        );
      }
    }
    for (const b of buckets) this.counts.set(b.key, (this.counts.get(b.key) ?? 0) + 1);
  }
}

/** Which counter a limit applies to for this caller; undefined when it does not apply to the caller at all. */
const bucketKey = (endpoint: string, l: JsonObject, id: Identity): string | undefined => {
  const principal = typeof l.principal === "string" ? l.principal : undefined;
  switch (l.key) {
    case "user":
      if (principal && principal !== id.name) return undefined;
      return `${endpoint}\u0000user\u0000${id.name}`;
    case "service_principal":
      if (id.kind !== "service-principal" || (principal && principal !== id.name)) return undefined;
      return `${endpoint}\u0000sp\u0000${id.name}`;
    case "user_group":
      if (principal && !id.groups.includes(principal)) return undefined;
      return `${endpoint}\u0000group\u0000${principal ?? "*"}`;
    default:
      return `${endpoint}\u0000endpoint`;
  }
};
