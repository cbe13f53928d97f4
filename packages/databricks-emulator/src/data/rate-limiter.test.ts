import { describe, expect, it } from "vitest";
import { makeIdentity } from "../auth/identity.js";
import type { EndpointRecord } from "../control/types.js";
import { ApiError } from "../errors.js";
import { Clock } from "../util/clock.js";
import type { JsonObject } from "../util/json.js";
import { RateLimiter } from "./rate-limiter.js";

const alice = makeIdentity("user", "alice@example.com", { groups: ["analysts"] });
const bob = makeIdentity("user", "bob@example.com", { groups: ["analysts"] });
const carol = makeIdentity("user", "carol@example.com");
const sp = makeIdentity("service-principal", "sp-app-1");

const endpoint = (rateLimits: JsonObject[], gateway?: JsonObject[]) =>
  ({
    name: "ep",
    rateLimits,
    aiGateway: gateway ? { rate_limits: gateway } : undefined,
  }) as unknown as EndpointRecord;

/** Calls `check` and reports "ok" or the error's status, code and message. */
function attempt(rl: RateLimiter, ep: EndpointRecord, id: ReturnType<typeof makeIdentity>) {
  try {
    rl.check(ep, id);
    return "ok";
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return `${e.status} ${e.errorCode}: ${e.message}`;
  }
}

const limited = (n: number, scope: string) =>
  `429 REQUEST_LIMIT_EXCEEDED: Exceeded workspace QPS rate limit for ep. Limit: ${n} calls per minute (key ${scope}).`;

describe("RateLimiter", () => {
  it("key user: each principal has its own counter", () => {
    const rl = new RateLimiter(new Clock());
    const ep = endpoint([{ calls: 2, key: "user", renewal_period: "minute" }]);
    expect([alice, alice, alice].map((id) => attempt(rl, ep, id))).toEqual(["ok", "ok", limited(2, "user")]);
    expect(attempt(rl, ep, bob)).toBe("ok"); // bob's own budget
  });

  it("key user with a principal: only that user is limited", () => {
    const rl = new RateLimiter(new Clock());
    const ep = endpoint(
      [],
      [{ calls: 1, key: "user", principal: "alice@example.com", renewal_period: "minute" }],
    );
    expect([alice, alice].map((id) => attempt(rl, ep, id))).toEqual(["ok", limited(1, "user")]);
    expect([bob, bob, bob].map((id) => attempt(rl, ep, id))).toEqual(["ok", "ok", "ok"]);
  });

  it("key user_group: the group's members share one counter; non-members are not limited", () => {
    const rl = new RateLimiter(new Clock());
    const ep = endpoint([{ calls: 2, key: "user_group", principal: "analysts", renewal_period: "minute" }]);
    expect([alice, bob, alice].map((id) => attempt(rl, ep, id))).toEqual([
      "ok",
      "ok",
      limited(2, "user_group"),
    ]);
    expect([carol, carol, carol].map((id) => attempt(rl, ep, id))).toEqual(["ok", "ok", "ok"]);
  });

  it("key service_principal: applies to service principals only, each with its own counter", () => {
    const rl = new RateLimiter(new Clock());
    const ep = endpoint([{ calls: 1, key: "service_principal", renewal_period: "minute" }]);
    expect([sp, sp].map((id) => attempt(rl, ep, id))).toEqual(["ok", limited(1, "service_principal")]);
    expect([alice, alice].map((id) => attempt(rl, ep, id))).toEqual(["ok", "ok"]);
  });

  it("key endpoint (or none): one counter for everyone; the window renews each minute with Retry-After", () => {
    const clock = new Clock();
    const rl = new RateLimiter(clock);
    const ep = endpoint([{ calls: 2, key: "endpoint", renewal_period: "minute" }]);
    expect([alice, bob].map((id) => attempt(rl, ep, id))).toEqual(["ok", "ok"]);
    let err: ApiError | undefined;
    try {
      rl.check(ep, carol);
    } catch (e) {
      err = e as ApiError;
    }
    expect(err?.message).toBe(limited(2, "endpoint").replace(/^429 REQUEST_LIMIT_EXCEEDED: /, ""));
    const retryAfter = Number(err?.extra.headers?.["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    clock.advance(60_000);
    expect(attempt(rl, ep, carol)).toBe("ok");
  });

  it("calls 0 disables the endpoint (403); limits without a number of calls are ignored; no limits, no counting", () => {
    const rl = new RateLimiter(new Clock());
    expect(attempt(rl, endpoint([{ calls: 0, key: "user" }]), alice)).toBe(
      "403 PERMISSION_DENIED: PERMISSION_DENIED: The endpoint is temporarily disabled due to a Databricks-set rate limit of 0.",
    );
    const tokensOnly = endpoint([{ tokens: 5, key: "user" }]);
    expect([alice, alice, alice].map((id) => attempt(rl, tokensOnly, id))).toEqual(["ok", "ok", "ok"]);
    expect(attempt(rl, endpoint([]), alice)).toBe("ok");
  });

  it("every applicable limit counts: the tightest one answers", () => {
    const rl = new RateLimiter(new Clock());
    const ep = endpoint(
      [{ calls: 5, key: "endpoint" }],
      [{ calls: 1, key: "user_group", principal: "analysts" }],
    );
    expect([alice, bob].map((id) => attempt(rl, ep, id))).toEqual(["ok", limited(1, "user_group")]);
    expect(attempt(rl, ep, carol)).toBe("ok");
  });
});
