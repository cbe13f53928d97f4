import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, customEndpointBody, sseData } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const hi = { messages: [{ role: "user", content: "hi" }] };

describe("data plane", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({
      transitionMs: 0,
      models: {
        "cat.sch.m": { predict: (records, params) => ({ records, params: params ?? null }) },
        "cat.sch.agent": {
          kind: "chat-agent",
          predict: () => ({ messages: [{ role: "assistant", content: "A", id: "m1" }] }),
        },
      },
    });
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
    await call(emu, "POST", "/api/2.0/secrets/put", { scope: "s", key: "k", string_value: "sk-local" });
  });
  afterAll(() => emu.close());

  const external = (name: string, key: Record<string, string>, task = "llm/v1/chat") =>
    call(emu, "POST", "/api/2.0/serving-endpoints", {
      name,
      config: {
        served_entities: [
          {
            external_model: {
              name: "gpt-4o-mini",
              provider: "openai",
              task,
              openai_config: { ...key, openai_api_base: emu.openaiApiBase },
            },
          },
        ],
      },
    });

  it("converts dataframe_split to records and passes params to custom models", async () => {
    await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("c"));
    const res = await call(emu, "POST", "/serving-endpoints/c/invocations", {
      dataframe_split: { columns: ["a", "b"], data: [[1, 2]] },
      params: { k: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ predictions: { records: [{ a: 1, b: 2 }], params: { k: 1 } } });
    expect(res.headers.get("served-model-name")).toBe("m-1");
  });

  it("an unregistered entity fails the config update, so queries are refused with a 4xx, not a 500", async () => {
    await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("unreg", "cat.sch.unknown"));
    const ep = await call(emu, "GET", "/api/2.0/serving-endpoints/unreg");
    expect(ep.json.state).toMatchObject({ ready: "NOT_READY", config_update: "UPDATE_FAILED" });
    const res = await call(emu, "POST", "/serving-endpoints/unreg/invocations", { instances: [1] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("proxies external models through the local OpenAI route with the secret resolved at query time", async () => {
    expect((await external("ext", { openai_api_key: "{{secrets/s/k}}" })).status).toBe(200);
    const res = await call(emu, "POST", "/serving-endpoints/ext/invocations", hi);
    expect(res.status).toBe(200);
    expect(res.json.object).toBe("chat.completion");
    expect(res.json.model).toBe("gpt-4o-mini");
    const stream = await call(emu, "POST", "/serving-endpoints/chat/completions", {
      ...hi,
      model: "ext",
      stream: true,
    });
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const data = sseData(stream.text);
    expect(data.at(-1)).toBe("[DONE]");
    expect(JSON.parse(data[0]!).object).toBe("chat.completion.chunk");
  });

  it("fails clearly, without the value, once the referenced secret is gone", async () => {
    await external("ext2", { openai_api_key: "{{secrets/s/gone}}" });
    const res = await call(emu, "POST", "/serving-endpoints/ext2/invocations", hi);
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toContain("{{secrets/s/gone}}");
  });

  it("requires a non-empty Bearer key on the local OpenAI route", async () => {
    const res = await call(
      emu,
      "POST",
      "/local-openai/v1/chat/completions",
      { ...hi, model: "x" },
      { token: null },
    );
    expect(res.status).toBe(401);
    expect((res.json.error as { message: string }).message).toMatch(/API key/);
  });

  it("streams engine chat with data-only SSE lines and [DONE]", async () => {
    const res = await call(emu, "POST", "/serving-endpoints/databricks-claude-sonnet-4-5/invocations", {
      ...hi,
      stream: true,
    });
    expect(res.status).toBe(200);
    const lines = res.text.split("\n").filter((l) => l.trim() !== "");
    expect(lines.every((l) => l.startsWith("data: "))).toBe(true);
    expect(lines.at(-1)).toBe("data: [DONE]");
  });

  it("serves ChatAgent modules and streams them as delta chunks", async () => {
    await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("agent", "cat.sch.agent"));
    const got = await call(emu, "GET", "/api/2.0/serving-endpoints/agent");
    expect(got.json.task).toBe("agent/v1/chat");
    const res = await call(emu, "POST", "/serving-endpoints/agent/invocations", { ...hi, stream: true });
    const data = sseData(res.text);
    expect(JSON.parse(data[0]!)).toEqual({ delta: { role: "assistant", content: "A", id: "m1" } });
    expect(data.at(-1)).toBe("[DONE]");
  });

  it("applies AI gateway call limits (429 + Retry-After) and rate limit 0 (403)", async () => {
    await external("limited", { openai_api_key: "{{secrets/s/k}}" });
    await call(emu, "PUT", "/api/2.0/serving-endpoints/limited/ai-gateway", {
      rate_limits: [{ calls: 1, renewal_period: "minute", key: "endpoint" }],
    });
    expect((await call(emu, "POST", "/serving-endpoints/limited/invocations", hi)).status).toBe(200);
    const second = await call(emu, "POST", "/serving-endpoints/limited/invocations", hi);
    expect(second.status).toBe(429);
    expect(second.json.error_code).toBe("REQUEST_LIMIT_EXCEEDED");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    emu.admin.advanceClock(60_000);
    expect((await call(emu, "POST", "/serving-endpoints/limited/invocations", hi)).status).toBe(200);
    await call(emu, "PUT", "/api/2.0/serving-endpoints/limited/rate-limits", {
      rate_limits: [{ calls: 0, renewal_period: "minute", key: "endpoint" }],
    });
    const zero = await call(emu, "POST", "/serving-endpoints/limited/invocations", hi);
    expect(zero.status).toBe(403);
    expect(String(zero.json.message)).toContain("rate limit of 0");
  });

  it("rejects OpenAI routes whose path does not fit the endpoint task", async () => {
    const res = await call(emu, "POST", "/serving-endpoints/embeddings", { model: "ext", input: "x" });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("BAD_REQUEST");
  });
});
