import { describe, expect, it } from "vitest";
import { DatabricksConnectionError, DatabricksError, DatabricksTimeoutError } from "../errors.js";
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  makeRetryPolicy,
  parseRetryAfterMs,
  retryDelayMs,
} from "./retry.js";

describe("retry policy", () => {
  const p = DEFAULT_RETRY_POLICY;
  it("retries 408/429/500/502/503/504 and nothing else by status", () => {
    for (const s of [408, 429, 500, 502, 503, 504])
      expect(isRetryable(p, new DatabricksError("x", { status: s }))).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 413, 501])
      expect(isRetryable(p, new DatabricksError("x", { status: s }))).toBe(false);
  });
  it("never retries an error code the policy lists (a driver-proxy app's MODEL_ERROR), whatever the status", () => {
    expect(isRetryable(p, new DatabricksError("x", { status: 500, errorCode: "MODEL_ERROR" }))).toBe(false);
    expect(isRetryable(p, new DatabricksError("x", { status: 500, errorCode: "INTERNAL_ERROR" }))).toBe(true);
    expect(
      isRetryable(p, new DatabricksError("x", { status: 503, errorCode: "TEMPORARILY_UNAVAILABLE" })),
    ).toBe(true);
    const off = makeRetryPolicy({ nonRetryableErrorCodes: [] });
    expect(isRetryable(off, new DatabricksError("x", { status: 500, errorCode: "MODEL_ERROR" }))).toBe(true);
  });
  it("retries transient network errors, not TLS failures, not timeouts by default", () => {
    expect(isRetryable(p, new DatabricksConnectionError("refused"))).toBe(true);
    expect(isRetryable(p, new DatabricksConnectionError("cert", { transient: false }))).toBe(false);
    expect(isRetryable(p, new DatabricksTimeoutError("t"))).toBe(false);
    expect(isRetryable(makeRetryPolicy({ retryTimeouts: true }), new DatabricksTimeoutError("t"))).toBe(true);
    expect(
      isRetryable(makeRetryPolicy({ retryNetworkErrors: false }), new DatabricksConnectionError("x")),
    ).toBe(false);
  });
  it("exponential backoff with full jitter, capped", () => {
    expect(retryDelayMs(p, 0, undefined, () => 0.999)).toBe(499);
    expect(retryDelayMs(p, 1, undefined, () => 0.5)).toBe(500);
    expect(retryDelayMs(p, 3, undefined, () => 0.5)).toBe(2000);
    expect(retryDelayMs(p, 10, undefined, () => 0.999)).toBe(7992);
    expect(retryDelayMs(p, 2, undefined, () => 0)).toBe(0);
  });
  it("uses the server hint when present, capped at maxRetryAfterMs", () => {
    expect(retryDelayMs(p, 0, 1200, () => 0.5)).toBe(1200);
    expect(retryDelayMs(p, 0, 3_600_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(makeRetryPolicy({ maxRetryAfterMs: 5 }), 0, 1000)).toBe(5);
  });
  it("maxRetries argument wins and is validated", () => {
    expect(makeRetryPolicy({ maxRetries: 5 }, 1).maxRetries).toBe(1);
    expect(() => makeRetryPolicy({}, -1)).toThrow(RangeError);
  });
  it("parses Retry-After forms; malformed ones lose only their timing", () => {
    const now = () => Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfterMs({ "retry-after": "2" })).toBe(2000);
    expect(parseRetryAfterMs({ "retry-after": "0.5" })).toBe(500);
    expect(parseRetryAfterMs({ "retry-after-ms": "120" })).toBe(120);
    expect(parseRetryAfterMs({ "retry-after": "Wed, 01 Jan 2025 00:00:10 GMT" }, now)).toBe(10_000);
    expect(parseRetryAfterMs({ "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }, now)).toBe(0);
    expect(parseRetryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(parseRetryAfterMs({ "retry-after": "-1" })).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
  });
});
