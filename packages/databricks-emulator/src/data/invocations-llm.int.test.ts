/**
 * `spec/conformance-cases.md`, chat / completions / embeddings data plane (cases 60-70), agents (77-78),
 * and endpoints that cannot serve (79-80).
 */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  createReady,
  dig,
  ensureSecret,
  expectError,
  externalEndpoint,
  parseStrictSse,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

const LLAMA = "databricks-meta-llama-3-3-70b-instruct";
const GTE = "databricks-gte-large-en";
const hi = { messages: [{ role: "user", content: "hi" }] };

const expectChatCompletion = (json: unknown) => {
  const body = asRecord(json);
  expect(body.object).toBe("chat.completion");
  expect(typeof body.id).toBe("string");
  expect(typeof body.model).toBe("string");
  expect(String(body.created)).toMatch(/^\d{10}$/);
  expect(dig(body, "choices", 0, "message", "role")).toBe("assistant");
  expect(typeof dig(body, "choices", 0, "message", "content")).toBe("string");
  expect(dig(body, "choices", 0, "index")).toBe(0);
  const usage = asRecord(body.usage);
  expect(usage.prompt_tokens).toBeGreaterThan(0);
  expect(usage.completion_tokens).toBeGreaterThan(0);
  expect(usage.total_tokens).toBe(Number(usage.prompt_tokens) + Number(usage.completion_tokens));
  return body;
};

describe("chat endpoints", () => {
  const h = useEmulator();
  const chat = (body: unknown, endpoint = LLAMA) =>
    h.call("POST", `/serving-endpoints/${endpoint}/invocations`, body);

  it("case 60: chat on the external gpt endpoint -> chat.completion, assistant, usage sums, created in s", async () => {
    await ensureSecret(h);
    await createReady(h, externalEndpoint(h.emu, "gpt"));
    const res = await chat(hi, "gpt");
    expect(res.status, res.text).toBe(200);
    expectChatCompletion(res.json);
    expect(res.headers.get("served-model-name")).toBe("gpt-4o-mini");
  });

  it("case 60b: chat on the pre-provisioned foundation endpoint -> same shape, chatcmpl_ id", async () => {
    const res = await chat(hi);
    expect(res.status, res.text).toBe(200);
    const body = expectChatCompletion(res.json);
    expect(String(body.id)).toMatch(/^chatcmpl_/);
    expect(dig(body, "choices", 0, "finish_reason")).toBe("stop");
  });

  it("case 60c: foundation endpoints are listed READY with FOUNDATION_MODEL_API type and a task", async () => {
    const res = await h.call("GET", `/api/2.0/serving-endpoints/${LLAMA}`);
    expect(res.status, res.text).toBe(200);
    expect(asRecord(res.json)).toMatchObject({
      name: LLAMA,
      endpoint_type: "FOUNDATION_MODEL_API",
      task: "llm/v1/chat",
      state: { ready: "READY" },
    });
    expect(dig(res.json, "capabilities", "function_calling")).toBe(true);
  });

  it("case 60d: foundation endpoints are read-only (DELETE -> 403 PERMISSION_DENIED)", async () => {
    const res = await h.call("DELETE", `/api/2.0/serving-endpoints/${LLAMA}`);
    expectError(res, 403, "PERMISSION_DENIED");
    expect((await h.call("GET", `/api/2.0/serving-endpoints/${LLAMA}`)).status).toBe(200);
  });

  it("case 60e: every write to a foundation endpoint gets the same 403 as ai-gateway, and changes nothing", async () => {
    const base = `/api/2.0/serving-endpoints/${GTE}`;
    const gateway = await h.call("PUT", `${base}/ai-gateway`, { usage_tracking_config: { enabled: true } });
    const reference = expectError(gateway, 403, "PERMISSION_DENIED");
    expect(String(reference.message)).toMatch(/read-only/);
    const writes: [string, string, unknown][] = [
      ["PATCH", `${base}/tags`, { add_tags: [{ key: "team", value: "ml" }] }],
      ["PUT", `${base}/rate-limits`, { rate_limits: [{ calls: 10, key: "user", renewal_period: "minute" }] }],
      ["PATCH", `${base}/notifications`, { email_notifications: { on_update_failure: ["a@b.c"] } }],
      ["PUT", `${base}/config`, { served_entities: [{ entity_name: "x.y.z", entity_version: "1" }] }],
    ];
    for (const [method, path, body] of writes) {
      const res = await h.call(method, path, body);
      expectError(res, 403, "PERMISSION_DENIED", String(reference.message));
    }
    const got = asRecord((await h.call("GET", base)).json);
    expect(got.tags).toBeUndefined();
    expect(got.rate_limits).toBeUndefined();
    expect(got.ai_gateway).toBeUndefined();
    expect(got.email_notifications).toBeUndefined();
    const query = await h.call("POST", `/serving-endpoints/${GTE}/invocations`, { input: "still serves" });
    expect(query.status, query.text).toBe(200);
  });

  it("case 61: extra field inputs -> 400 BAD_REQUEST 'Bad request: json: unknown field \"inputs\"'", async () => {
    const res = await chat({ ...hi, inputs: { a: 1 } });
    expectError(res, 400, "BAD_REQUEST", 'Bad request: json: unknown field "inputs"');
  });

  it("case 62: messages [] -> 400", async () => {
    const res = await chat({ messages: [] });
    const body = expectError(res, 400);
    expect(["BAD_REQUEST", "INVALID_PARAMETER_VALUE"]).toContain(body.error_code);
  });

  it("case 62b: messages missing -> 400", async () => {
    const res = await chat({ max_tokens: 5 });
    const body = expectError(res, 400);
    expect(["BAD_REQUEST", "INVALID_PARAMETER_VALUE"]).toContain(body.error_code);
  });

  it("case 63: temperature 3 -> 400", async () => {
    const res = await chat({ ...hi, temperature: 3 });
    expectError(res, 400);
  });

  it("case 63b: wrong types (temperature as string, max_tokens negative) -> 400", async () => {
    expectError(await chat({ ...hi, temperature: "hot" }), 400);
    expectError(await chat({ ...hi, max_tokens: -1 }), 400);
    expectError(await chat({ messages: "hi" }), 400);
  });

  it("case 64: stream:true -> text/event-stream, only data: lines, [DONE] last, shared id, finish_reason", async () => {
    const res = await chat({ ...hi, stream: true });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type") ?? "").toMatch(/^text\/event-stream/);
    const lines = res.text.split("\n").filter((l) => l.trim() !== "");
    for (const line of lines) expect(line.startsWith("data: ")).toBe(true);
    expect(lines.at(-1)).toBe("data: [DONE]");
    const { events, done } = parseStrictSse(res.text);
    expect(done).toBe(true);
    expect(events.length).toBeGreaterThan(1);
    const ids = new Set(events.map((e) => dig(e, "id")));
    expect(ids.size).toBe(1);
    for (const e of events) expect(dig(e, "object")).toBe("chat.completion.chunk");
    const withFinish = events.filter((e) => dig(e, "choices", 0, "finish_reason"));
    expect(withFinish.length).toBeGreaterThanOrEqual(1);
    expect(dig(withFinish.at(-1), "choices", 0, "finish_reason")).toBe("stop");
    const text = events.map((e) => dig(e, "choices", 0, "delta", "content") ?? "").join("");
    expect(text.length).toBeGreaterThan(0);
  });

  it("case 64b: streamed chunks carry cumulative usage (non-decreasing completion_tokens)", async () => {
    const res = await chat({ ...hi, stream: true });
    const { events } = parseStrictSse(res.text);
    const completion = events
      .map((e) => dig(e, "usage", "completion_tokens"))
      .filter((n): n is number => typeof n === "number");
    expect(completion.length).toBeGreaterThan(0);
    for (let i = 1; i < completion.length; i++)
      expect(completion[i]).toBeGreaterThanOrEqual(completion[i - 1]!);
  });

  it("case 65: the mlflow-strict SSE parser reads every chunk as a dict and terminates", async () => {
    const res = await chat({
      messages: [{ role: "user", content: "Tell me a story" }],
      stream: true,
      max_tokens: 20,
    });
    const { events, done } = parseStrictSse(res.text);
    expect(done).toBe(true);
    for (const e of events) asRecord(e);
  });

  it("case 66: tools + tool_choice required -> finish_reason tool_calls, f called with JSON-string arguments", async () => {
    const res = await chat({
      ...hi,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      tool_choice: "required",
    });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "choices", 0, "finish_reason")).toBe("tool_calls");
    const call = dig(res.json, "choices", 0, "message", "tool_calls", 0);
    expect(dig(call, "type")).toBe("function");
    expect(typeof dig(call, "id")).toBe("string");
    expect(dig(call, "function", "name")).toBe("f");
    const args = dig(call, "function", "arguments");
    expect(typeof args).toBe("string");
    expect(typeof JSON.parse(String(args))).toBe("object");
  });

  it("case 67: tool without parameters -> 400 with the exact Databricks message", async () => {
    const res = await chat({ ...hi, tools: [{ type: "function", function: { name: "f" } }] });
    expectError(
      res,
      400,
      undefined,
      'Bad request: "parameters" is a required property for "function" object in parameter "tools"',
    );
  });

  it("case 68: completions endpoint {prompt, max_tokens:5} -> text_completion with a string text", async () => {
    await createReady(
      h,
      externalEndpoint(h.emu, "completions-ep", {
        model: "gpt-3.5-turbo-instruct",
        task: "llm/v1/completions",
      }),
    );
    const res = await chat({ prompt: "Hello", max_tokens: 5 }, "completions-ep");
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "object")).toBe("text_completion");
    expect(typeof dig(res.json, "choices", 0, "text")).toBe("string");
    expect(Number(dig(res.json, "usage", "completion_tokens"))).toBeLessThanOrEqual(5);
  });
});

describe("embeddings endpoints", () => {
  const h = useEmulator();
  const embed = (body: unknown) => h.call("POST", `/serving-endpoints/${GTE}/invocations`, body);

  it("case 69: input [a,b] -> list with 2 embeddings, index, floats, usage without completion_tokens", async () => {
    const res = await embed({ input: ["a", "b"] });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "object")).toBe("list");
    const data = asArray(dig(res.json, "data"));
    expect(data).toHaveLength(2);
    data.forEach((d, i) => {
      expect(dig(d, "object")).toBe("embedding");
      expect(dig(d, "index")).toBe(i);
      const vec = asArray(dig(d, "embedding"));
      expect(vec.length).toBeGreaterThan(0);
      for (const x of vec) expect(typeof x).toBe("number");
    });
    const usage = asRecord(dig(res.json, "usage"));
    expect(usage).not.toHaveProperty("completion_tokens");
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens);
  });

  it("case 69b: bge-large-en embeddings are 1024-dim, deterministic and L2-normalised", async () => {
    const a = await h.call("POST", "/serving-endpoints/databricks-bge-large-en/invocations", {
      input: "hello world",
    });
    const b = await h.call("POST", "/serving-endpoints/databricks-bge-large-en/invocations", {
      input: "hello world",
    });
    expect(a.status, a.text).toBe(200);
    const va = asArray(dig(a.json, "data", 0, "embedding")) as number[];
    expect(va).toHaveLength(1024);
    expect(asArray(dig(b.json, "data", 0, "embedding"))).toEqual(va);
    const norm = Math.sqrt(va.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it("case 69c: similar texts score higher than unrelated ones", async () => {
    const res = await embed({
      input: ["the cat sat on the mat", "a cat sat on a mat", "quarterly tax filing deadline"],
    });
    const [x, y, z] = asArray(dig(res.json, "data")).map((d) => asArray(dig(d, "embedding")) as number[]);
    const dot = (p: number[], q: number[]) => p.reduce((s, v, i) => s + v * q[i]!, 0);
    expect(dot(x!, y!)).toBeGreaterThan(dot(x!, z!));
  });

  it("case 70: {} -> 400 mentioning the missing input", async () => {
    const res = await embed({});
    const body = expectError(res, 400);
    expect(String(body.message)).toMatch(/input/);
  });
});

describe("agents", () => {
  const chatAgent = {
    kind: "chat-agent" as const,
    predict: (body: unknown) => ({
      messages: [
        { role: "assistant", content: `echo: ${String(dig(body, "messages", 0, "content"))}`, id: "msg-1" },
      ],
    }),
  };
  const responsesAgent = {
    kind: "responses-agent" as const,
    predict: (body: unknown) => ({
      id: "resp_1",
      object: "response",
      output: [
        {
          type: "message",
          id: "msg_1",
          role: "assistant",
          content: [
            {
              type: "output_text",
              text: `echo: ${String(dig(body, "input", 0, "content"))}`,
              annotations: [],
            },
          ],
        },
      ],
    }),
  };
  const h = useEmulator({
    models: { "cat.sch.chat_agent": chatAgent, "cat.sch.resp_agent": responsesAgent },
  });
  const agentEntity = (entity: string) => ({
    served_entities: [
      { entity_name: entity, entity_version: "1", workload_size: "Small", scale_to_zero_enabled: true },
    ],
  });

  it("case 77: ChatAgent endpoint -> {messages:[{role:assistant, content, id}]}", async () => {
    await createReady(h, { name: "chat-agent", config: agentEntity("cat.sch.chat_agent") });
    const res = await h.call("POST", "/serving-endpoints/chat-agent/invocations", hi);
    expect(res.status, res.text).toBe(200);
    const msg = dig(res.json, "messages", 0);
    expect(dig(msg, "role")).toBe("assistant");
    expect(dig(msg, "content")).toBe("echo: hi");
    expect(String(dig(msg, "id")).length).toBeGreaterThan(0);
  });

  it("case 78: ResponsesAgent via POST /serving-endpoints/responses -> output[0] message with output_text", async () => {
    await createReady(h, { name: "agent", config: agentEntity("cat.sch.resp_agent") });
    const res = await h.call("POST", "/serving-endpoints/responses", {
      model: "agent",
      input: [{ role: "user", content: "hi" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "output", 0, "type")).toBe("message");
    expect(dig(res.json, "output", 0, "content", 0, "type")).toBe("output_text");
    expect(dig(res.json, "output", 0, "content", 0, "text")).toBe("echo: hi");
  });
});

describe("endpoints that cannot serve", () => {
  const h = useEmulator({ models: { "cat.sch.m": { predict: () => [1] } }, transitionMs: 60_000 });

  it("case 79: external endpoint whose secret was deleted -> non-2xx error envelope, key not leaked", async () => {
    await ensureSecret(h, "gone", "k", "sk-deleted-secret-value");
    const res = await h.call(
      "POST",
      "/api/2.0/serving-endpoints",
      externalEndpoint(h.emu, "ext-gone", { secret: "{{secrets/gone/k}}" }),
    );
    expect(res.status, res.text).toBe(200);
    const ready = await waitForEndpoint(h, "ext-gone");
    expect(dig(ready, "state", "ready")).toBe("READY");
    const del = await h.call("POST", "/api/2.0/secrets/scopes/delete", { scope: "gone" });
    expect(del.status).toBe(200);
    const inv = await h.call("POST", "/serving-endpoints/ext-gone/invocations", hi);
    expect(inv.status).toBeGreaterThanOrEqual(400);
    expectError(inv, inv.status);
    expect(inv.text).not.toContain("sk-deleted-secret-value");
  });

  it("case 80: invoking a NOT_READY (creating) endpoint -> 503-style error envelope with Retry-After", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "creating",
      config: {
        served_entities: [
          {
            entity_name: "cat.sch.m",
            entity_version: "1",
            workload_size: "Small",
            scale_to_zero_enabled: true,
          },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    const inv = await h.call("POST", "/serving-endpoints/creating/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    // The issue asks for a retryable refusal: clients retry 429/503 after an integer Retry-After.
    expect([429, 503]).toContain(inv.status);
    expectError(inv, inv.status);
    expect(inv.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
