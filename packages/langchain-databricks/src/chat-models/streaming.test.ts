import type { AIMessageChunk } from "@langchain/core/messages";
import { describe, expect, test } from "vitest";
import {
  errorResponse,
  jsonResponse,
  mockFetch,
  sseResponse,
  testAuth,
} from "../../test-support/mock-fetch.js";
import { DatabricksStreamError } from "../errors.js";
import { ChatDatabricks } from "./chat-databricks.js";

let counter = 0;
const uniqueEndpoint = (base = "databricks-meta-llama-3-3-70b-instruct") => `${base}-stream-${++counter}`;

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl_s",
  object: "chat.completion.chunk",
  created: 1,
  model: "llama-3.3",
  choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
  ...extra,
});

async function collect(stream: AsyncIterable<AIMessageChunk>) {
  const chunks: AIMessageChunk[] = [];
  let merged: AIMessageChunk | undefined;
  for await (const c of stream) {
    chunks.push(c);
    merged = merged ? merged.concat(c) : c;
  }
  return { chunks, merged: merged as AIMessageChunk };
}

describe("streaming", () => {
  test("an endless SSE line through chat.stream() is a StreamError at the line bound, never a RangeError", async () => {
    let sent = 0;
    const m = mockFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode('data: {"choices":[{"delta":{"content":"'));
            },
            pull(c) {
              sent += 65_536;
              c.enqueue(new Uint8Array(65_536).fill(97));
            },
          }),
          { status: 200, headers: { "content-type": "text/event-stream" } },
        ),
    );
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    const err = await (async () => collect(await model.stream("hi")))().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksStreamError);
    expect((err as Error).message).toContain("exceeds 8388608 characters");
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  test("cumulative FMAPI usage on every chunk is counted once; finish reason and model once", async () => {
    const usage = (c: number) => ({ prompt_tokens: 10, completion_tokens: c, total_tokens: 10 + c });
    const m = mockFetch(() =>
      sseResponse([
        chunk({ role: "assistant", content: "" }, { usage: null }),
        chunk({ content: "Hel" }, { usage: usage(1) }),
        chunk({ content: "lo" }, { usage: usage(2) }),
        {
          ...chunk({ content: "!" }, { usage: usage(3) }),
          choices: [{ index: 0, delta: { content: "!" }, finish_reason: "stop" }],
        },
      ]),
    );
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    const { chunks, merged } = await collect(await model.stream("hi"));
    expect(merged.content).toBe("Hello!");
    expect(merged.usage_metadata).toMatchObject({ input_tokens: 10, output_tokens: 3, total_tokens: 13 });
    expect(chunks.filter((c) => c.usage_metadata !== undefined)).toHaveLength(1);
    expect(merged.response_metadata.finish_reason).toBe("stop");
    expect(merged.response_metadata.model).toBe("llama-3.3");
    expect(merged.response_metadata.model_name).toBe("llama-3.3");
    expect(m.calls[0]!.body.stream).toBe(true);
    expect(m.calls[0]!.body.stream_options).toEqual({ include_usage: true });
  });

  test("OpenAI-style usage-only final chunk (empty choices) is used", async () => {
    const m = mockFetch(() =>
      sseResponse([
        chunk({ content: "ok" }),
        { ...chunk({}), choices: [], usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } },
      ]),
    );
    const { merged } = await collect(
      await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) }).stream("x"),
    );
    expect(merged.usage_metadata).toMatchObject({ input_tokens: 4, output_tokens: 1, total_tokens: 5 });
  });

  test("streamUsage: false sends no stream_options and emits no usage", async () => {
    const m = mockFetch(() =>
      sseResponse([
        chunk({ content: "ok" }, { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      ]),
    );
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), streamUsage: false });
    const { merged } = await collect(await model.stream("x"));
    expect(m.calls[0]!.body.stream_options).toBeUndefined();
    expect(merged.usage_metadata).toBeUndefined();
  });

  test("stream_options rejected: retried without it, and remembered for the endpoint", async () => {
    const endpoint = uniqueEndpoint("databricks-gemini");
    const m = mockFetch((call) =>
      call.body.stream_options
        ? errorResponse(400, "INVALID_ARGUMENT", "Unknown field stream_options")
        : sseResponse([chunk({ content: "fine" })]),
    );
    const model = new ChatDatabricks({ model: endpoint, ...testAuth(m) });
    expect((await collect(await model.stream("x"))).merged.content).toBe("fine");
    expect((await collect(await model.stream("y"))).merged.content).toBe("fine");
    expect(m.calls.map((c) => c.body.stream_options !== undefined)).toEqual([true, false, false]);
  });

  test("tool call deltas assemble into tool_calls (parallel calls, missing index tolerated)", async () => {
    const m = mockFetch(() =>
      sseResponse([
        chunk({
          tool_calls: [
            {
              index: 0,
              id: "c1",
              type: "function",
              function: { name: "get_current_weather", arguments: "" },
            },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({
          tool_calls: [
            { id: "c2", type: "function", function: { name: "get_current_time", arguments: "{}" } },
          ],
        }),
        {
          ...chunk({}),
          choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
          usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 },
        },
      ]),
    );
    const { merged } = await collect(
      await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) }).stream("x"),
    );
    expect(merged.tool_calls).toEqual([
      { id: "c1", name: "get_current_weather", args: { location: "Paris" }, type: "tool_call" },
      { id: "c2", name: "get_current_time", args: {}, type: "tool_call" },
    ]);
    expect(merged.response_metadata.finish_reason).toBe("tool_calls");
    expect(merged.usage_metadata?.output_tokens).toBe(7);
  });

  test("streamed reasoning merges into one reasoning block with its signature, then text", async () => {
    const m = mockFetch(() =>
      sseResponse([
        chunk({ content: [{ type: "reasoning", summary: [{ type: "summary_text", text: "Let me " }] }] }),
        chunk({
          content: [
            { type: "reasoning", summary: [{ type: "summary_text", text: "think.", signature: "sig" }] },
          ],
        }),
        chunk({ content: "Answer" }),
        chunk({ content: " 42" }),
      ]),
    );
    const { merged } = await collect(
      await new ChatDatabricks({ model: uniqueEndpoint("databricks-claude"), ...testAuth(m) }).stream("x"),
    );
    expect(merged.content).toEqual([
      {
        type: "reasoning",
        summary: [{ type: "summary_text", text: "Let me think.", signature: "sig", index: 0 }],
        index: 0,
      },
      { type: "text", text: "Answer 42", index: 1 },
    ]);
    expect(merged.text).toBe("Answer 42");
  });

  test("handleLLMNewToken fires once per content chunk (plus the closing chunk)", async () => {
    const m = mockFetch(() => sseResponse([chunk({ content: "a" }), chunk({ content: "b" })]));
    const tokens: string[] = [];
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    await collect(
      await model.stream("x", { callbacks: [{ handleLLMNewToken: (t: string) => void tokens.push(t) }] }),
    );
    expect(tokens).toEqual(["a", "b", ""]);
  });

  test("streaming: true makes invoke aggregate a stream into an AIMessage", async () => {
    const m = mockFetch(() =>
      sseResponse([
        chunk({ content: "x" }, { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      ]),
    );
    const res = await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), streaming: true }).invoke(
      "x",
    );
    expect(res.constructor.name).toBe("AIMessage");
    expect(res.text).toBe("x");
    expect(res.usage_metadata?.total_tokens).toBe(2);
  });

  test("ChatAgent stream chunks (top-level delta) and custom_outputs", async () => {
    const m = mockFetch(() =>
      sseResponse([
        { delta: { role: "assistant", content: "agent ", id: "a1" } },
        { delta: { role: "assistant", content: "reply", id: "a1" }, custom_outputs: { k: 1 } },
      ]),
    );
    const model = new ChatDatabricks({ model: "agent", ...testAuth(m), route: "invocations" });
    const { merged } = await collect(await model.stream("x", { customInputs: { a: 1 } }));
    expect(merged.content).toBe("agent reply");
    expect(merged.response_metadata.custom_outputs).toEqual({ k: 1 });
    expect(m.calls[0]!.body.custom_inputs).toEqual({ a: 1 });
  });

  test("an in-band error event surfaces as a thrown error, not a chunk", async () => {
    const m = mockFetch(() =>
      sseResponse([chunk({ content: "a" }), { error: { message: "boom", code: "INTERNAL" } }]),
    );
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    await expect(collect(await model.stream("x"))).rejects.toThrow(/boom/);
  });

  test("an endpoint that cannot stream answers with plain JSON: stream() still yields it, usage once", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        id: "x1",
        model: "custom",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "whole answer",
              tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"k":1}' } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
      }),
    );
    const { merged } = await collect(
      await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) }).stream("x"),
    );
    expect(merged.content).toBe("whole answer");
    expect(merged.tool_calls).toEqual([{ id: "t1", name: "f", args: { k: 1 }, type: "tool_call" }]);
    expect(merged.usage_metadata).toMatchObject({ input_tokens: 2, output_tokens: 3, total_tokens: 5 });
    expect(merged.response_metadata.finish_reason).toBe("tool_calls");
  });

  test("a non-streaming ChatAgent answer to a stream request yields the last assistant message", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        messages: [{ role: "assistant", content: "final", id: "a" }],
        custom_outputs: { z: 1 },
      }),
    );
    const model = new ChatDatabricks({ model: "agent-json", ...testAuth(m), route: "invocations" });
    const { merged } = await collect(await model.stream("x"));
    expect(merged.content).toBe("final");
    expect(merged.response_metadata.custom_outputs).toEqual({ z: 1 });
  });

  test("non-stream JSON reply to a stream request is still an error-free path for invoke", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        choices: [{ index: 0, message: { role: "assistant", content: "plain" }, finish_reason: "stop" }],
      }),
    );
    const res = await new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) }).invoke("x");
    expect(res.text).toBe("plain");
    expect(res.response_metadata.model).toBe(res.response_metadata.model_name);
  });

  test("a chat stream cut off before [DONE] is a typed error, not a shorter answer", async () => {
    for (const route of ["chat-completions", "invocations"] as const) {
      const m = mockFetch(() => sseResponse([chunk({ content: "The answer is" })], false));
      const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), route });
      const seen: string[] = [];
      const e = await (async () => {
        for await (const c of await model.stream("x")) seen.push(c.text);
      })().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DatabricksStreamError);
      expect((e as Error).message).toMatch(/ended before completion/);
      expect(seen).toEqual(["The answer is"]);
      // invoke with streaming: true aggregates the same stream and must fail the same way.
      const streaming = new ChatDatabricks({
        model: uniqueEndpoint(),
        ...testAuth(m),
        route,
        streaming: true,
      });
      await expect(streaming.invoke("x")).rejects.toBeInstanceOf(DatabricksStreamError);
    }
  });

  test("a 200 stream reply that is neither SSE nor JSON is an error, not an empty answer", async () => {
    const m = mockFetch(
      () => new Response("<html>gateway</html>", { status: 200, headers: { "content-type": "text/html" } }),
    );
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m) });
    await expect((async () => collect(await model.stream("x")))()).rejects.toThrow(/ended before completion/);
  });

  test("n = 2: stream keeps both choices apart (response_metadata.index); streaming invoke gives 2 generations", async () => {
    const choice = (index: number, delta: Record<string, unknown>, finish: string | null = null) => ({
      id: "chatcmpl_n",
      model: "llama-3.3",
      choices: [{ index, delta, finish_reason: finish }],
    });
    const wire = () =>
      sseResponse([
        choice(0, { role: "assistant", content: "Red" }),
        choice(1, { role: "assistant", content: "Blue" }),
        choice(0, { content: " apple" }, "stop"),
        {
          ...choice(1, { content: " sky" }, "length"),
          usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
        },
      ]);
    const m = mockFetch(() => wire());
    const model = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), n: 2 });
    const byIndex = new Map<number, AIMessageChunk>();
    let usageChunks = 0;
    for await (const c of await model.stream("x")) {
      const i = c.response_metadata.index as number;
      if (c.usage_metadata) usageChunks++;
      byIndex.set(i, byIndex.get(i)?.concat(c) ?? c);
    }
    expect([...byIndex.keys()].sort()).toEqual([0, 1]);
    expect(byIndex.get(0)!.text).toBe("Red apple");
    expect(byIndex.get(1)!.text).toBe("Blue sky");
    expect(byIndex.get(0)!.response_metadata.finish_reason).toBe("stop");
    expect(byIndex.get(1)!.response_metadata.finish_reason).toBe("length");
    expect(usageChunks).toBe(1);
    expect(byIndex.get(0)!.usage_metadata).toMatchObject({ total_tokens: 7 });
    expect(m.calls[0]!.body.n).toBe(2);

    const streaming = new ChatDatabricks({ model: uniqueEndpoint(), ...testAuth(m), streaming: true });
    const result = await streaming.generate([["x"]], { n: 2 } as never);
    const gens = result.generations[0]!;
    expect(gens.map((g) => g.text)).toEqual(["Red apple", "Blue sky"]);
    expect(gens.map((g) => g.generationInfo?.finish_reason)).toEqual(["stop", "length"]);
    expect((await streaming.invoke("x", { n: 2 })).text).toBe("Red apple");
  });
});
