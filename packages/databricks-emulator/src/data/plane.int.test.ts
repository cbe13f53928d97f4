/**
 * The data plane runs below Fastify (data/plane.ts); these prove it keeps the workspace's request pipeline:
 * routing, body limit, URL decoding, error envelope, headers, request log, and recovery from model failures.
 */
import { describe, expect, it } from "vitest";
import {
  createReady,
  customEndpoint,
  dig,
  expectError,
  useEmulator,
} from "../../test-support/conformance.js";
import { matchDataRoute } from "./plane.js";

const FM = "databricks-meta-llama-3-3-70b-instruct";
const INVOKE = `/serving-endpoints/${FM}/invocations`;
const hi = { messages: [{ role: "user", content: "Say hello." }] };

describe("matchDataRoute", () => {
  it("takes POSTs to invocations, served-model invocations and the OpenAI-compatible routes only", () => {
    expect(matchDataRoute("POST", "/serving-endpoints/a%20b/invocations")).toMatchObject({
      pattern: "/serving-endpoints/:name/invocations",
      name: "a%20b",
      entry: { route: "invocations" },
    });
    expect(matchDataRoute("POST", "/serving-endpoints/e/served-models/m/invocations")).toMatchObject({
      pattern: "/serving-endpoints/:name/served-models/:served/invocations",
      name: "e",
      served: "m",
    });
    expect(matchDataRoute("POST", "/serving-endpoints/chat/completions")).toEqual({
      pattern: "/serving-endpoints/chat/completions",
      entry: { route: "openai", path: "chat/completions" },
    });
    expect(matchDataRoute("GET", INVOKE)).toBeUndefined();
    // One trailing slash is accepted like on the REST routes (spec/url-forms.md); two are not.
    expect(matchDataRoute("POST", `${INVOKE}/`)).toMatchObject({
      pattern: "/serving-endpoints/:name/invocations",
    });
    expect(matchDataRoute("POST", `${INVOKE}//`)).toBeUndefined();
    expect(matchDataRoute("POST", "/serving-endpoints/e/logs")).toBeUndefined();
    expect(matchDataRoute("POST", "/api/2.0/serving-endpoints")).toBeUndefined();
  });
});

describe("data plane below Fastify", () => {
  const bomb = { predict: () => ({ big: 1n }) };
  const h = useEmulator({ bodyLimit: 4096, models: { "cat.sch.bomb": bomb } });

  it("answers with the request id, served-model-name and a JSON content type", async () => {
    const res = await h.call("POST", INVOKE, hi);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("served-model-name")).toBe(FM);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(res.text));
  });

  it("error envelopes carry the same request id in the header and in details", async () => {
    const res = await h.call("POST", "/serving-endpoints/nope/invocations", hi);
    const body = expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
    expect(dig(body, "details", 0, "request_id")).toBe(res.headers.get("x-request-id"));
  });

  it("bodies over bodyLimit are a 413 envelope, declared or streamed, and the server keeps serving", async () => {
    const big = JSON.stringify({ ...hi, pad: "x".repeat(8192) });
    expectError(await h.call("POST", INVOKE, undefined, { raw: big }), 413, "BAD_REQUEST");
    const chunks = [big.slice(0, 3000), big.slice(3000)];
    const streamed = await fetch(new URL(INVOKE, h.emu.url), {
      method: "POST",
      headers: { Authorization: `Bearer ${h.emu.token}`, "Content-Type": "application/json" },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get("transfer-encoding")).toBeNull();
    expect((await h.call("POST", INVOKE, hi)).status).toBe(200);
  });

  it("percent-encoded names decode; a broken escape is a 400 even before authentication", async () => {
    const encoded = `/serving-endpoints/${encodeURIComponent(FM).replace("d", "%64")}/invocations`;
    expect((await h.call("POST", encoded, hi)).status).toBe(200);
    const bad = await h.call("POST", "/serving-endpoints/a%zz/invocations", hi, { token: null });
    expectError(bad, 400, "BAD_REQUEST", /percent-encoding/);
  });

  it("authentication comes before the body: no token is a 401 even for invalid JSON", async () => {
    const res = await h.call("POST", INVOKE, undefined, { raw: "{nope", token: null });
    expect(res.status).toBe(401);
  });

  it("other methods on data-plane paths fall through to the workspace's 404", async () => {
    const res = await h.call("GET", INVOKE);
    expectError(res, 404, "ENDPOINT_NOT_FOUND", `No API found for 'GET ${INVOKE}'`);
  });

  it("a model answer that cannot be serialised is a 500 envelope without internals; the next query works", async () => {
    await createReady(h, customEndpoint("bomb", "cat.sch.bomb"));
    const res = await h.call("POST", "/serving-endpoints/bomb/invocations", { inputs: [1] });
    const body = expectError(res, 500, "INTERNAL_ERROR");
    expect(String(body.message)).not.toMatch(/BigInt/i);
    expect((await h.call("POST", INVOKE, hi)).status).toBe(200);
  });

  it("the request log records data-plane requests with route pattern, principal and status", async () => {
    h.emu.admin.resetStats();
    await h.call("POST", INVOKE, hi);
    await h.call("POST", "/serving-endpoints/chat/completions", { ...hi, model: "nope" });
    const { byRoute, log } = h.emu.admin.stats();
    expect(byRoute).toMatchObject({
      "POST /serving-endpoints/:name/invocations": 1,
      "POST /serving-endpoints/chat/completions": 1,
    });
    expect(log.map((e) => [e.route, e.status, e.principal])).toEqual([
      ["/serving-endpoints/:name/invocations", 200, h.emu.userName],
      ["/serving-endpoints/chat/completions", 404, h.emu.userName],
    ]);
    expect(log[0]?.bodySha256).toMatch(/^[0-9a-f]{16}$/);
  });
});
