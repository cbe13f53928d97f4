import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { ChatGeneration } from "@langchain/core/outputs";
import { describe, expect, test } from "vitest";
import { AdderTool, weatherTool } from "../../test-support/chat-fixtures.js";
import {
  errorResponse,
  jsonResponse,
  mockFetch,
  sseResponse,
  testAuth,
} from "../../test-support/mock-fetch.js";
import { DatabricksConfigError } from "../errors.js";
import { ChatDatabricks } from "./chat-databricks.js";

let endpointCounter = 0;
/** Each test uses its own endpoint name, so what one test teaches the route policy never leaks into another. */
const uniqueEndpoint = (base = "databricks-meta-llama-3-3-70b-instruct") => `${base}-${++endpointCounter}`;

const completion = (content: unknown, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl_1",
  object: "chat.completion",
  created: 1,
  model: "meta-llama-3.3-70b-instruct-072424",
  choices: [
    { index: 0, message: { role: "assistant", content, ...extra }, finish_reason: "stop", logprobs: null },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

/** A completion with two choices (`n = 2`): the second one's text and finish reason as given. */
const twoChoices = (first: string, second: string, secondFinish = "stop") => {
  const body = completion(first);
  body.choices.push({
    index: 1,
    message: { role: "assistant", content: second },
    finish_reason: secondFinish,
    logprobs: null,
  });
  return body;
};

describe("ChatDatabricks invoke", () => {
  test("sends an OpenAI-compatible body with only the set fields and parses the reply", async () => {
    const m = mockFetch(() => jsonResponse(completion("Hi there")));
    const model = new ChatDatabricks({ model: "my-llama", ...testAuth(m), maxTokens: 50 });
    const res = await model.invoke([new SystemMessage("be brief"), new HumanMessage("hello")]);

    expect(m.calls).toHaveLength(1);
    const call = m.calls[0]!;
    expect(call.path).toBe("/serving-endpoints/chat/completions");
    expect(call.headers.authorization).toBe("Bearer dapi-unit-test-token");
    expect(call.body).toEqual({
      model: "my-llama",
      max_tokens: 50,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello" },
      ],
    });
    expect(res).toBeInstanceOf(AIMessage);
    expect(res.text).toBe("Hi there");
    expect(res.id).toBe("chatcmpl_1");
    expect(res.usage_metadata).toEqual({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    expect(res.response_metadata.model).toBe("meta-llama-3.3-70b-instruct-072424");
    expect(res.response_metadata.model_name).toBe("meta-llama-3.3-70b-instruct-072424");
    expect(res.response_metadata.model_provider).toBe("databricks");
    expect(res.response_metadata.finish_reason).toBe("stop");
  });

  test("metadata reaches callers complete: response_metadata, generationInfo and llmOutput (one choice and n > 1)", async () => {
    const withLogprobs = completion("Hi");
    withLogprobs.choices[0]!.logprobs = { content: [] } as never;
    const m = mockFetch(() => jsonResponse(withLogprobs));
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    const tokenUsage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
    const model_name = "meta-llama-3.3-70b-instruct-072424";
    const res = await model.invoke("hello");
    expect(res.response_metadata).toEqual({
      model_provider: "databricks",
      model: model_name,
      model_name,
      finish_reason: "stop",
      logprobs: { content: [] },
      usage,
      tokenUsage,
    });
    const ended: Array<Record<string, unknown> | undefined> = [];
    const callbacks = [
      { handleLLMEnd: (r: { llmOutput?: Record<string, unknown> }) => void ended.push(r.llmOutput) },
    ];
    const prompts = [[new HumanMessage("hello")], [new HumanMessage("again")]];
    const out = await model.generate(prompts, { callbacks });
    expect(out.generations[0]?.[0]?.generationInfo).toEqual({
      finish_reason: "stop",
      logprobs: { content: [] },
    });
    expect(ended[0]).toMatchObject({ tokenUsage, model: model_name });
    // Over several prompts generate() sums the usage (core leaves llmOutput undefined without _combineLLMOutput).
    expect(out.llmOutput).toEqual({
      tokenUsage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
    });

    const m2 = mockFetch(() => jsonResponse(twoChoices("one", "two", "length")));
    ended.length = 0;
    const both = await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m2), n: 2 }).generate(
      [[new HumanMessage("hello")]],
      { callbacks },
    );
    const metas = (both.generations[0] ?? []).map(
      (g) => (g as ChatGeneration).message.response_metadata as Record<string, unknown>,
    );
    expect(metas.map((r) => [r.model_name, r.model_provider, r.finish_reason, r.usage])).toEqual([
      [model_name, "databricks", "stop", usage],
      [model_name, "databricks", "length", usage],
    ]);
    expect(ended).toEqual([{ tokenUsage, model: model_name }]);
  });

  test("call options beat bound options, which beat instance fields", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m), temperature: 0.1, stop: ["inst"], n: 1 });
    await model.invoke("x");
    await model.withConfig({ stop: ["bound"], temperature: 0.5 }).invoke("x");
    await model.withConfig({ stop: ["bound"] }).invoke("x", { stop: ["call"] });
    expect(m.calls.map((c) => [c.body.stop, c.body.temperature, c.body.n])).toEqual([
      [["inst"], 0.1, undefined],
      [["bound"], 0.5, undefined],
      [["call"], 0.1, undefined],
    ]);
  });

  test("each field: call option > call-time extraParams > instance field > instance extraParams; model fixed", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({
      model: "m",
      ...testAuth(m),
      temperature: 0.1,
      maxTokens: 10,
      extraParams: { temperature: 0.3, max_tokens: 30, top_p: 0.5, stop: ["ie"] },
    });
    await model.invoke("x", { extraParams: { temperature: 0.9, max_tokens: 90 } });
    await model.invoke("x", { temperature: 0.5, extraParams: { temperature: 0.9 } });
    await model.invoke("x");
    await new ChatDatabricks({ model: "m", ...testAuth(m), extraParams: { temperature: 0.3 } }).invoke("x");
    await model.invoke("x", {
      extraParams: { model: "someone-elses-endpoint", stop: ["ce"] },
      stop: ["call"],
    });
    expect(m.calls.map((c) => [c.body.temperature, c.body.max_tokens, c.body.top_p, c.body.stop])).toEqual([
      [0.9, 90, 0.5, ["ie"]],
      [0.5, 10, 0.5, ["ie"]],
      [0.1, 10, 0.5, ["ie"]],
      [0.3, undefined, undefined, undefined],
      [0.1, 10, 0.5, ["call"]],
    ]);
    expect(m.calls.every((c) => c.body.model === "m")).toBe(true);
  });

  test("n = 2 invoke: the request asks for 2 choices and generate() returns both", async () => {
    const m = mockFetch(() => jsonResponse(twoChoices("first", "second")));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m), n: 2 });
    const result = await model.generate([["x"]]);
    expect(result.generations[0]!.map((g) => g.text)).toEqual(["first", "second"]);
    expect((await model.invoke("x")).text).toBe("first");
    expect(m.calls.map((c) => c.body.n)).toEqual([2, 2]);
  });

  test("maps Claude cache and reasoning token details into usage_metadata", async () => {
    const body = completion("x");
    body.usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cache_read_input_tokens: 4,
      cache_creation_input_tokens: 2,
      completion_tokens_details: { reasoning_tokens: 3 },
    } as typeof body.usage;
    const m = mockFetch(() => jsonResponse(body));
    const res = await new ChatDatabricks({ model: "m", ...testAuth(m) }).invoke("x");
    expect(res.usage_metadata).toEqual({
      input_tokens: 16,
      output_tokens: 5,
      total_tokens: 21,
      input_token_details: { cache_read: 4, cache_creation: 2 },
      output_token_details: { reasoning: 3 },
    });
  });

  test("keeps reasoning content structured instead of stringifying it", async () => {
    const content = [
      { type: "reasoning", summary: [{ type: "summary_text", text: "think", signature: "sig123" }] },
      { type: "text", text: "The answer" },
    ];
    const m = mockFetch(() => jsonResponse(completion(content)));
    const res = await new ChatDatabricks({ model: "m", ...testAuth(m) }).invoke("x");
    expect(res.content).toEqual(content);
    expect(res.text).toBe("The answer");
  });

  test("parses tool calls, keeping malformed arguments as invalid tool calls", async () => {
    const m = mockFetch(() =>
      jsonResponse(
        completion(null, {
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "AdderTool", arguments: '{"a":1,"b":2}' } },
            { id: "call_2", type: "function", function: { name: "AdderTool", arguments: "{not json" } },
          ],
        }),
      ),
    );
    const res = await new ChatDatabricks({ model: "m", ...testAuth(m) }).invoke("x");
    expect(res.content).toBe("");
    expect(res.tool_calls).toEqual([
      { id: "call_1", name: "AdderTool", args: { a: 1, b: 2 }, type: "tool_call" },
    ]);
    expect(res.invalid_tool_calls?.[0]).toMatchObject({ id: "call_2", name: "AdderTool", args: "{not json" });
  });

  test("checks the abort signal before any I/O", async () => {
    const m = mockFetch(() => jsonResponse(completion("x")));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    await expect(model.invoke("x", { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
      message: "This operation was aborted",
    });
    expect(m.calls).toHaveLength(0);
  });

  test("falls back to /invocations when the OpenAI route is rejected, and remembers it", async () => {
    const endpoint = uniqueEndpoint("custom-chat");
    const m = mockFetch((call) =>
      call.path === "/serving-endpoints/chat/completions"
        ? errorResponse(400, "BAD_REQUEST", "Endpoint does not support the chat completions route")
        : jsonResponse(completion("from invocations")),
    );
    const model = new ChatDatabricks({ model: endpoint, ...testAuth(m) });
    expect((await model.invoke("x")).text).toBe("from invocations");
    expect((await model.invoke("y")).text).toBe("from invocations");
    expect(m.calls.map((c) => c.path)).toEqual([
      "/serving-endpoints/chat/completions",
      `/serving-endpoints/${endpoint}/invocations`,
      `/serving-endpoints/${endpoint}/invocations`,
    ]);
    expect(m.calls[1]!.body.model).toBeUndefined();
  });

  test("a 400 that rejects a parameter is not a route rejection: no /invocations retry, nothing remembered", async () => {
    const endpoint = uniqueEndpoint("no-logprobs");
    const m = mockFetch((_call, n) =>
      n === 0
        ? errorResponse(400, "BAD_REQUEST", "Parameter 'logprobs' is not supported")
        : jsonResponse(completion("ok")),
    );
    const model = new ChatDatabricks({ model: endpoint, ...testAuth(m) });
    await expect(model.invoke("x", { extraParams: { logprobs: true } })).rejects.toMatchObject({
      status: 400,
    });
    expect((await model.invoke("y")).text).toBe("ok");
    // A fresh instance for the same endpoint still uses the OpenAI route.
    expect((await new ChatDatabricks({ model: endpoint, ...testAuth(m) }).invoke("z")).text).toBe("ok");
    expect(m.calls.map((c) => c.path)).toEqual([
      "/serving-endpoints/chat/completions",
      "/serving-endpoints/chat/completions",
      "/serving-endpoints/chat/completions",
    ]);
  });

  test("an unknown-route 404 falls back; a switch whose /invocations call fails is not remembered", async () => {
    const endpoint = uniqueEndpoint("flaky-route");
    let invocationsUp = false;
    const m = mockFetch((call) => {
      if (call.path === "/serving-endpoints/chat/completions") {
        return errorResponse(
          404,
          "ENDPOINT_NOT_FOUND",
          "No API found for 'POST /serving-endpoints/chat/completions'",
        );
      }
      return invocationsUp
        ? jsonResponse(completion("via invocations"))
        : errorResponse(400, "BAD_REQUEST", "bad body");
    });
    const model = new ChatDatabricks({ model: endpoint, ...testAuth(m) });
    await expect(model.invoke("x")).rejects.toMatchObject({ status: 400 });
    invocationsUp = true;
    expect((await model.invoke("y")).text).toBe("via invocations");
    expect((await model.invoke("z")).text).toBe("via invocations");
    expect(m.calls.map((c) => c.path)).toEqual([
      "/serving-endpoints/chat/completions",
      `/serving-endpoints/${endpoint}/invocations`,
      // not remembered after the failed switch: the OpenAI route is tried again
      "/serving-endpoints/chat/completions",
      `/serving-endpoints/${endpoint}/invocations`,
      // remembered once /invocations answered
      `/serving-endpoints/${endpoint}/invocations`,
    ]);
  });

  test("the emulator's task-mismatch 400 falls back (stream too)", async () => {
    const endpoint = uniqueEndpoint("agent-task");
    const m = mockFetch((call) =>
      call.path === "/serving-endpoints/chat/completions"
        ? errorResponse(
            400,
            "BAD_REQUEST",
            `Bad request: endpoint '${endpoint}' serves task agent/v1/responses, which /serving-endpoints/chat/completions does not support.`,
          )
        : sseResponse([{ choices: [{ index: 0, delta: { content: "streamed" } }] }]),
    );
    const model = new ChatDatabricks({ model: endpoint, ...testAuth(m) });
    let text = "";
    for await (const c of await model.stream("x")) text += c.text;
    expect(text).toBe("streamed");
    expect(m.calls.map((c) => c.path)).toEqual([
      "/serving-endpoints/chat/completions",
      `/serving-endpoints/${endpoint}/invocations`,
    ]);
  });

  test("does not fall back for a missing endpoint", async () => {
    const m = mockFetch(() =>
      errorResponse(404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist."),
    );
    await expect(new ChatDatabricks({ model: "nope", ...testAuth(m) }).invoke("x")).rejects.toMatchObject({
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
    });
    expect(m.calls).toHaveLength(1);
  });

  test("ChatAgent endpoints: customInputs sent, custom_outputs surfaced", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        messages: [
          { role: "assistant", content: "step", id: "m1" },
          { role: "assistant", content: "final answer", id: "m2" },
        ],
        custom_outputs: { trace: 42 },
      }),
    );
    const model = new ChatDatabricks({ model: "agent", ...testAuth(m), route: "invocations" });
    const res = await model.invoke("x", { customInputs: { user: "u1" } });
    expect(m.calls[0]!.path).toBe("/serving-endpoints/agent/invocations");
    expect(m.calls[0]!.body.custom_inputs).toEqual({ user: "u1" });
    expect(res.text).toBe("final answer");
    expect(res.response_metadata.custom_outputs).toEqual({ trace: 42 });
    expect(res.response_metadata.agent_messages).toHaveLength(2);
  });
});

describe("message conversion", () => {
  test("tool-call turns, tool messages, images and foreign blocks", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", ...testAuth(m) });
    await model.invoke([
      new HumanMessage({
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image", source_type: "base64", mime_type: "image/png", data: "AAAA" },
          { type: "image_url", image_url: "https://x.test/cat.png" },
        ],
      }),
      new AIMessage({
        content: [
          { type: "text", text: "Let me add." },
          { type: "tool_use", id: "call_1", name: "AdderTool", input: { a: 1, b: 2 } },
        ],
        tool_calls: [{ id: "call_1", name: "AdderTool", args: { a: 1, b: 2 }, type: "tool_call" }],
      }),
      new ToolMessage({ content: '{"result":3}', tool_call_id: "call_1", name: "AdderTool" }),
      new AIMessage({ content: "", tool_calls: [{ id: "call_2", name: "AdderTool", args: { a: 3, b: 4 } }] }),
    ]);
    expect(m.calls[0]!.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "image_url", image_url: { url: "https://x.test/cat.png" } },
        ],
      },
      {
        role: "assistant",
        content: "Let me add.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "AdderTool", arguments: '{"a":1,"b":2}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"result":3}' },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_2", type: "function", function: { name: "AdderTool", arguments: '{"a":3,"b":4}' } },
        ],
      },
    ]);
  });

  test("Claude gets a single space next to tool calls and its reasoning replayed with signatures", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "databricks-claude-sonnet-4-5", ...testAuth(m) });
    await model.invoke([
      new HumanMessage("hi"),
      new AIMessage({
        content: [
          {
            type: "reasoning",
            summary: [{ type: "summary_text", text: "hmm", signature: "sig", index: 0 }],
            index: 0,
          },
        ],
        tool_calls: [{ id: "c1", name: "f", args: {} }],
      }),
      new ToolMessage({ content: "done", tool_call_id: "c1" }),
    ]);
    const sent = m.calls[0]!.body.messages as Array<Record<string, unknown>>;
    expect(sent[1]).toEqual({
      role: "assistant",
      content: [{ type: "reasoning", summary: [{ type: "summary_text", text: "hmm", signature: "sig" }] }],
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
    });

    await model.invoke([new AIMessage({ content: "", tool_calls: [{ id: "c2", name: "f", args: {} }] })]);
    expect((m.calls[1]!.body.messages as Array<Record<string, unknown>>)[0]!.content).toBe(" ");
  });

  test("function messages are refused with a clear error", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    const legacy = new AIMessage({
      content: "",
      additional_kwargs: { function_call: { name: "f", arguments: "{}" } },
    });
    await expect(model.invoke([legacy])).rejects.toThrow(/function message.*tool calls/i);
    expect(m.calls).toHaveLength(0);
  });
});

describe("bindTools", () => {
  test("converts tools, maps tool_choice and strips strict for non-GPT models", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", ...testAuth(m) });
    await model.bindTools([AdderTool()], { tool_choice: "any", strict: true }).invoke("x");
    await model.bindTools([AdderTool(), weatherTool()], { tool_choice: "get_current_weather" }).invoke("x");
    const [first, second] = m.calls;
    expect(first!.body.tool_choice).toBe("required");
    const tool = (first!.body.tools as Array<{ function: Record<string, unknown> }>)[0]!;
    expect(tool.function.name).toBe("AdderTool");
    expect(tool.function.parameters).toMatchObject({ type: "object", properties: { a: {}, b: {} } });
    expect("strict" in tool.function).toBe(false);
    expect(second!.body.tool_choice).toEqual({ type: "function", function: { name: "get_current_weather" } });
  });

  test("tool_choice in object form sends the tool it names, not another bound tool", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    const both = [AdderTool(), weatherTool()];
    await model
      .bindTools(both, { tool_choice: { type: "function", function: { name: "get_current_weather" } } })
      .invoke("x");
    await model
      .bindTools(both, { tool_choice: { type: "function", function: { name: "AdderTool" } } })
      .invoke("x");
    expect(m.calls.map((c) => c.body.tool_choice)).toEqual([
      { type: "function", function: { name: "get_current_weather" } },
      { type: "function", function: { name: "AdderTool" } },
    ]);
    const typo = () =>
      model.bindTools(both, { tool_choice: { type: "function", function: { name: "Adder" } } });
    expect(typo).toThrow(DatabricksConfigError);
    expect(typo).toThrow(
      'tool_choice names the tool "Adder", but the bound tools are: AdderTool, get_current_weather.',
    );
  });

  test("keeps strict for GPT models", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const model = new ChatDatabricks({ model: "databricks-gpt-5", ...testAuth(m) });
    await model.bindTools([AdderTool()], { strict: true }).invoke("x");
    expect((m.calls[0]!.body.tools as Array<{ function: { strict?: boolean } }>)[0]!.function.strict).toBe(
      true,
    );
  });

  test("rejects a tool_choice naming an unbound tool, at bind time", () => {
    const model = new ChatDatabricks({ model: "m", token: "t" });
    expect(() => model.bindTools([AdderTool()], { tool_choice: "Adder" })).toThrow(
      /bound tools are: AdderTool/,
    );
  });

  test("keeps the model's callbacks and other config", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const tokens: string[] = [];
    const model = new ChatDatabricks({
      model: "m",
      ...testAuth(m),
      callbacks: [{ handleLLMEnd: () => void tokens.push("end") }],
    });
    await model.bindTools([AdderTool()]).invoke("x");
    expect(tokens).toEqual(["end"]);
  });
});

describe("serialisation and identity", () => {
  test("toJSON never contains the token or client secret", () => {
    const model = new ChatDatabricks({
      model: "m",
      host: "https://h.test",
      token: "dapi-secret-value",
      clientSecret: "client-secret-value",
      temperature: 0.2,
    });
    const json = JSON.stringify(model.toJSON());
    expect(json).not.toContain("dapi-secret-value");
    expect(json).not.toContain("client-secret-value");
    expect(json).toContain('"DATABRICKS_TOKEN"');
    expect(json).toContain('"temperature":0.2');
  });

  test("identifying params are deterministic and hold no secrets", () => {
    const a = new ChatDatabricks({ model: "m", token: "dapi-secret-value", temperature: 0 });
    const b = new ChatDatabricks({ model: "m", token: "other", temperature: 0 });
    expect(a._identifyingParams()).toEqual(b._identifyingParams());
    expect(JSON.stringify(a._identifyingParams())).not.toContain("dapi");
    expect(new ChatDatabricks({ model: "other" })._identifyingParams()).not.toEqual(a._identifyingParams());
  });

  test("getLsParams reports databricks and the endpoint", () => {
    const model = new ChatDatabricks({ model: "ep", temperature: 0.3, maxTokens: 9, stop: ["x"] });
    expect(model.getLsParams({})).toEqual({
      ls_provider: "databricks",
      ls_model_name: "ep",
      ls_model_type: "chat",
      ls_temperature: 0.3,
      ls_max_tokens: 9,
      ls_stop: ["x"],
    });
  });

  test("missing endpoint name is a clear config error", () => {
    expect(() => new ChatDatabricks({})).toThrow(/serving endpoint name/);
  });

  test("cache round trip returns the cached message without a second request", async () => {
    const m = mockFetch(() => jsonResponse(completion("cached!")));
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), cache: true });
    const first = await model.invoke([
      new HumanMessage({ content: [{ type: "text", text: "Hello there!" }] }),
    ]);
    const second = await model.invoke([
      new HumanMessage({ content: [{ type: "text", text: "Hello there!" }] }),
    ]);
    expect(m.calls).toHaveLength(1);
    expect(second.content).toEqual(first.content);
  });
});

describe("concurrency, tracing and Responses guards", () => {
  test("maxConcurrency bounds requests in flight for batch()", async () => {
    let inFlight = 0;
    let peak = 0;
    const m = mockFetch(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return jsonResponse(completion("ok"));
    });
    const model = new ChatDatabricks({ model: "m", ...testAuth(m), maxConcurrency: 2 });
    await model.batch(["a", "b", "c", "d", "e"]);
    expect(m.calls).toHaveLength(5);
    expect(peak).toBeLessThanOrEqual(2);
  });

  test("per-call headers are sent but redacted in tracing", async () => {
    const m = mockFetch(() => jsonResponse(completion("ok")));
    const seen: unknown[] = [];
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    await model.invoke("x", {
      headers: { "x-forwarded-access-token": "obo-secret" },
      callbacks: [
        {
          handleChatModelStart: (_llm, _msgs, _run, _parent, extra) => void seen.push(extra),
        },
      ],
    });
    expect(m.calls[0]!.headers["x-forwarded-access-token"]).toBe("obo-secret");
    expect(JSON.stringify(seen)).not.toContain("obo-secret");
    expect(JSON.stringify(seen)).toContain("[REDACTED]");
  });

  test("Responses API refuses stop sequences instead of silently dropping them", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m), useResponsesApi: true });
    await expect(model.invoke("x", { stop: ["."] })).rejects.toThrow(/does not support stop sequences/);
    expect(m.calls).toHaveLength(0);
  });
});
