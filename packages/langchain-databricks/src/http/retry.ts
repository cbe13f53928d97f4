import { ConnectionError, type DatabricksError, TimeoutError } from "../errors.js";

/**
 * When and how long to retry, as plain data. Decisions are pure functions of this policy, the attempt
 * number and the error, so they can be tested without sleeping.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** Retryable HTTP statuses. A 429 without `Retry-After` is retried too, with backoff. @default [408, 429, 500, 502, 503, 504] */
  statuses: readonly number[];
  /**
   * Error codes never retried whatever the status: the server says a re-send would fail the same way.
   * `MODEL_ERROR` is what a driver-proxy app served by `serveDriverProxyApp` answers when the model function
   * itself failed (a 500 with `x-databricks-app-error: model`); 502/503/504 from the proxy or gateway stay retryable.
   * @default ["MODEL_ERROR"]
   */
  nonRetryableErrorCodes: readonly string[];
  /** Retry connection failures that happened before any response (refused, reset, DNS). @default true */
  retryNetworkErrors: boolean;
  /** Retry per-attempt timeouts. Off by default: a timed-out LLM call may still be running and billing. @default false */
  retryTimeouts: boolean;
  /** First backoff ceiling, ms; attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^n)]. @default 500 */
  baseDelayMs: number;
  /** Backoff ceiling, ms. @default 8_000 */
  maxDelayMs: number;
  /** Cap on a server-requested delay (`Retry-After`, `retry-after-ms`), ms. @default 60_000 */
  maxRetryAfterMs: number;
}

/** The defaults documented on {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  statuses: Object.freeze([408, 429, 500, 502, 503, 504]),
  nonRetryableErrorCodes: Object.freeze(["MODEL_ERROR"]),
  retryNetworkErrors: true,
  retryTimeouts: false,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
});

/** Builds a policy from defaults, partial overrides and an optional `maxRetries` (which wins). */
export function makeRetryPolicy(overrides?: Partial<RetryPolicy>, maxRetries?: number): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (maxRetries !== undefined) p.maxRetries = maxRetries;
  if (!Number.isInteger(p.maxRetries) || p.maxRetries < 0) {
    throw new RangeError(`maxRetries must be a non-negative integer, got ${p.maxRetries}`);
  }
  return p;
}

/** Is this failure worth another attempt under `policy`? (Ignores the attempt budget.) */
export function isRetryable(policy: RetryPolicy, error: DatabricksError): boolean {
  if (error instanceof ConnectionError) return policy.retryNetworkErrors && error.transient;
  if (error instanceof TimeoutError) return policy.retryTimeouts;
  if (error.errorCode !== undefined && policy.nonRetryableErrorCodes.includes(error.errorCode)) return false;
  return error.status !== undefined && policy.statuses.includes(error.status);
}

/**
 * Delay before retry number `attempt` (0-based): the server's hint when given (capped), else exponential
 * backoff with full jitter. `random` returns [0, 1).
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Parses the server's retry hint: `retry-after-ms` (milliseconds), then `Retry-After` as seconds (integer or
 * decimal) or an HTTP-date. Returns undefined when absent or malformed (a malformed header loses only its
 * timing, never the retry itself).
 */
export function parseRetryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: () => number = Date.now,
): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers["retry-after-ms"])?.trim();
  if (ms) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = first(headers["retry-after"])?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  // HTTP-dates always contain a weekday/month name; this rejects "-1" that Date.parse would accept.
  if (!/[a-z]/i.test(ra)) return undefined;
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now());
}
