/** `spec/conformance-cases.md`, legacy rate limits and AI gateway: cases 37-41. */
import { describe, expect, it } from "vitest";
import {
  asRecord,
  createReady,
  dig,
  ensureSecret,
  expectError,
  externalEndpoint,
  useEmulator,
} from "../../test-support/conformance.js";

const chat = { messages: [{ role: "user", content: "hi" }] };

describe("rate limits and AI gateway", () => {
  const h = useEmulator();

  it("case 37: PUT rate-limits on gpt -> 200 echoing rate_limits", async () => {
    await ensureSecret(h);
    await createReady(h, externalEndpoint(h.emu, "gpt"));
    const rateLimits = [{ calls: 10, key: "user", renewal_period: "minute" }];
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/rate-limits", {
      rate_limits: rateLimits,
    });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "rate_limits")).toEqual(rateLimits);
  });

  it("case 38: rate limit with renewal_period hour -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/rate-limits", {
      rate_limits: [{ calls: 10, key: "user", renewal_period: "hour" }],
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 38b: rate-limits on an unknown endpoint -> 404", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/nope/rate-limits", {
      rate_limits: [{ calls: 10, key: "user", renewal_period: "minute" }],
    });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 39: PUT ai-gateway -> 200 with inference_table_config.table_name_prefix defaulted to gpt", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/ai-gateway", {
      usage_tracking_config: { enabled: true },
      inference_table_config: { enabled: true, catalog_name: "c", schema_name: "s" },
    });
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(body.inference_table_config).toMatchObject({
      enabled: true,
      catalog_name: "c",
      schema_name: "s",
      table_name_prefix: "gpt",
    });
    expect(body.usage_tracking_config).toEqual({ enabled: true });
    const got = await h.call("GET", "/api/2.0/serving-endpoints/gpt");
    expect(dig(got.json, "ai_gateway", "inference_table_config", "table_name_prefix")).toBe("gpt");
  });

  it("case 40: inference table enabled without catalog_name -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/ai-gateway", {
      inference_table_config: { enabled: true, schema_name: "s" },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 40b: AI gateway rate limit with an unknown renewal_period -> 400", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/ai-gateway", {
      rate_limits: [{ calls: 1, renewal_period: "day", key: "endpoint" }],
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 41: gateway limit of 1 call/minute -> second invocation 429 REQUEST_LIMIT_EXCEEDED with Retry-After", async () => {
    const put = await h.call("PUT", "/api/2.0/serving-endpoints/gpt/ai-gateway", {
      rate_limits: [{ calls: 1, renewal_period: "minute", key: "endpoint" }],
    });
    expect(put.status, put.text).toBe(200);
    const first = await h.call("POST", "/serving-endpoints/gpt/invocations", chat);
    expect(first.status, first.text).toBe(200);
    const second = await h.call("POST", "/serving-endpoints/gpt/invocations", chat);
    // spec/serving.md 3.6 gives the platform's text: "Exceeded workspace QPS rate limit for <endpoint>...".
    expectError(second, 429, "REQUEST_LIMIT_EXCEEDED", /^Exceeded workspace QPS rate limit for gpt\./);
    const retryAfter = second.headers.get("retry-after");
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it("case 41b: the limit also applies on the OpenAI-compatible route for the same endpoint", async () => {
    const res = await h.call("POST", "/serving-endpoints/chat/completions", { model: "gpt", ...chat });
    expectError(res, 429, "REQUEST_LIMIT_EXCEEDED");
  });
});
