/**
 * A fault injected into matching requests. Matching is by path prefix (and optional method); whether a matching
 * request is hit is deterministic: `after` skips the first N matches, `times` limits how many are hit, and
 * `rate` (0..1) draws from a seeded PRNG so runs are reproducible.
 */
export interface FaultRule {
  /** Path prefix, e.g. `/serving-endpoints/` or `/api/2.0/serving-endpoints`. Omitted = every route. */
  path?: string;
  method?: string;
  /** Answer with this error status instead of handling the request (429, 500, 502, 503, 504). */
  status?: number;
  /** error_code for `status` (defaults: 429 REQUEST_LIMIT_EXCEEDED, 503 TEMPORARILY_UNAVAILABLE, ...). */
  errorCode?: string;
  message?: string;
  /** Retry-After seconds for `status`; `null` omits the header. Default 1 for 429/503. */
  retryAfter?: number | null;
  /** Delay before handling (or before answering with `status`). */
  latencyMs?: number;
  /** Streams: destroy the connection after writing this many events (no `[DONE]`). */
  resetAfterEvents?: number;
  /** Streams: emit a malformed SSE line (`data: {not json`) before the events. */
  malformedSse?: boolean;
  /** JSON responses: send a truncated, unparseable body with status 200. */
  malformedJson?: boolean;
  /** Accept the request and never answer (until the client gives up or the emulator closes). */
  neverAnswer?: boolean;
  /** Skip the first `after` matching requests. */
  after?: number;
  /** Hit at most this many matching requests. */
  times?: number;
  /** Probability (0..1) of hitting a matching request, from the seeded PRNG. Default 1. */
  rate?: number;
}

/** The per-response part of a fault, consulted by the response writers. */
export interface ActiveFault {
  resetAfterEvents?: number;
  malformedSse?: boolean;
  malformedJson?: boolean;
}

export interface RequestLogEntry {
  seq: number;
  at: number;
  method: string;
  path: string;
  /** Route pattern, e.g. `/serving-endpoints/:name/invocations` (`(unmatched)` for 404s). */
  route: string;
  status: number;
  /** First 16 hex chars of the sha256 of the request body; absent when there was no body. */
  bodySha256?: string;
  /** Principal that made the request, when authenticated. */
  principal?: string;
  /** Fault injected into this request, if any. */
  fault?: string;
}

export interface StatsSnapshot {
  total: number;
  /** Requests per `METHOD route` pattern. */
  byRoute: Record<string, number>;
  /** Requests per status code. */
  byStatus: Record<string, number>;
  /** Most recent requests, oldest first (bounded). */
  log: RequestLogEntry[];
}
