import {
  AIMessage,
  type AIMessageChunk,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { describe, expect, test } from "vitest";
import { AdderTool } from "../../test-support/chat-fixtures.js";
import { jsonResponse, mockFetch, sseResponse, testAuth } from "../../test-support/mock-fetch.js";
import { DatabricksStreamError } from "../errors.js";
import { ChatDatabricks } from "./chat-databricks.js";
import { MAX_RESPONSES_ID_LENGTH, shortenId } from "./converters/responses.js";

const responseObject = {
  id: "resp_1",
  model: "gpt-5",
  status: "completed",
  output: [
    {
      type: "reasoning",
      id: "rs_1",
      summary: [{ type: "summary_text", text: "thinking" }],
      status: "completed",
    },
    {
      type: "message",
      id: "msg_1",
      role: "assistant",
      content: [{ type: "output_text", text: "Hi!", annotations: [] }],
    },
    { type: "function_call", id: "fc_1", call_id: "call_1", name: "AdderTool", arguments: '{"a":1,"b":2}' },
  ],
  usage: {
    input_tokens: 7,
    output_tokens: 3,
    total_tokens: 10,
    output_tokens_details: { reasoning_tokens: 2 },
  },
  custom_outputs: { source: "agent" },
};

describe("Responses API", () => {
  test("request: input items, flattened tools, max_output_tokens; response: blocks, tool calls, usage", async () => {
    const m = mockFetch(() => jsonResponse(responseObject));
    const model = new ChatDatabricks({
      model: "databricks-gpt-5",
      ...testAuth(m),
      useResponsesApi: true,
      maxTokens: 20,
    });
    const res = await model.bindTools([AdderTool()], { tool_choice: "AdderTool" }).invoke(
      [
        new SystemMessage("sys"),
        new HumanMessage("add"),
        new AIMessage({
          content: "",
          tool_calls: [{ id: "call_0", name: "AdderTool", args: { a: 0, b: 0 } }],
        }),
        new ToolMessage({ content: "0", tool_call_id: "call_0" }),
      ],
      { customInputs: { k: "v" } },
    );
    const call = m.calls[0]!;
    expect(call.path).toBe("/serving-endpoints/responses");
    expect(call.body.model).toBe("databricks-gpt-5");
    expect(call.body.max_output_tokens).toBe(20);
    expect(call.body.custom_inputs).toEqual({ k: "v" });
    expect(call.body.tool_choice).toEqual({ type: "function", name: "AdderTool" });
    expect((call.body.tools as Array<Record<string, unknown>>)[0]).toMatchObject({
      type: "function",
      name: "AdderTool",
    });
    expect(call.body.input).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "add" },
      {
        type: "function_call",
        id: "fc_call_0",
        call_id: "call_0",
        name: "AdderTool",
        arguments: '{"a":0,"b":0}',
      },
      { type: "function_call_output", call_id: "call_0", output: "0" },
    ]);

    expect(res.text).toBe("Hi!");
    expect(res.content).toEqual([
      { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "thinking" }] },
      { type: "text", text: "Hi!", annotations: [], id: "msg_1" },
    ]);
    expect(res.tool_calls).toEqual([
      { id: "call_1", name: "AdderTool", args: { a: 1, b: 2 }, type: "tool_call" },
    ]);
    expect(res.usage_metadata).toEqual({
      input_tokens: 7,
      output_tokens: 3,
      total_tokens: 10,
      output_token_details: { reasoning: 2 },
    });
    expect(res.response_metadata.custom_outputs).toEqual({ source: "agent" });
  });

  test("replays its own output (reasoning + text) as input items, ids over 64 chars shortened", async () => {
    const m = mockFetch(() => jsonResponse(responseObject));
    const model = new ChatDatabricks({ model: "databricks-gpt-5", ...testAuth(m), useResponsesApi: true });
    const longId = `call_${"x".repeat(80)}`;
    await model.invoke([
      new HumanMessage("q"),
      new AIMessage({
        content: [
          { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "t" }] },
          { type: "text", text: "A", annotations: [] },
        ],
        tool_calls: [{ id: longId, name: "f", args: {} }],
      }),
      new ToolMessage({ content: "r", tool_call_id: longId }),
    ]);
    const input = m.calls[0]!.body.input as Array<Record<string, unknown>>;
    expect(input[1]).toEqual({
      type: "reasoning",
      id: "rs_1",
      summary: [{ type: "summary_text", text: "t" }],
    });
    expect(input[2]).toEqual({
      type: "message",
      role: "assistant",
      content: [{ type: "output_text", text: "A", annotations: [] }],
    });
    const fc = input[3]!;
    expect(String(fc.call_id).length).toBeLessThanOrEqual(MAX_RESPONSES_ID_LENGTH);
    expect(String(fc.id).length).toBeLessThanOrEqual(MAX_RESPONSES_ID_LENGTH);
    expect(input[4]!.call_id).toBe(fc.call_id);
  });

  test("shortenId keeps distinct long ids distinct and short ids unchanged", () => {
    const a = shortenId(`msg_${"a".repeat(70)}1`);
    const b = shortenId(`msg_${"a".repeat(70)}2`);
    expect(a).not.toBe(b);
    expect(a.length).toBe(MAX_RESPONSES_ID_LENGTH);
    expect(shortenId("msg_short")).toBe("msg_short");
  });

  test("stream: deltas, no duplicate text from output_item.done, whole function calls, usage once", async () => {
    const m = mockFetch(() =>
      sseResponse([
        { type: "response.created", response: { id: "resp_9", model: "gpt-5" } },
        { type: "response.output_text.delta", item_id: "msg_1", delta: "Hel" },
        { type: "response.output_text.delta", item_id: "msg_1", delta: "lo" },
        {
          type: "response.output_item.done",
          item: { type: "message", id: "msg_1", content: [{ type: "output_text", text: "Hello" }] },
        },
        {
          type: "response.output_item.done",
          item: {
            type: "function_call",
            id: "fc_1",
            call_id: "call_1",
            name: "AdderTool",
            arguments: '{"a":1,"b":1}',
          },
        },
        { type: "trace_id", value: "ignored" },
        {
          type: "response.completed",
          response: { id: "resp_9", usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } },
        },
      ]),
    );
    const model = new ChatDatabricks({ model: "databricks-gpt-5", ...testAuth(m), useResponsesApi: true });
    let merged: AIMessageChunk | undefined;
    let usageChunks = 0;
    for await (const c of await model.stream("x")) {
      if (c.usage_metadata) usageChunks++;
      merged = merged ? merged.concat(c) : c;
    }
    expect(merged!.text).toBe("Hello");
    expect(merged!.tool_calls).toEqual([
      { id: "call_1", name: "AdderTool", args: { a: 1, b: 1 }, type: "tool_call" },
    ]);
    expect(usageChunks).toBe(1);
    expect(merged!.usage_metadata).toMatchObject({ input_tokens: 5, output_tokens: 2, total_tokens: 7 });
    expect(merged!.response_metadata.finish_reason).toBe("tool_calls");
    expect(m.calls[0]!.body.stream).toBe(true);
  });

  test("stream: an agent that answers a stream request with one Responses object still works", async () => {
    const m = mockFetch(() => jsonResponse(responseObject));
    const model = new ChatDatabricks({ model: "agent-no-stream", ...testAuth(m), useResponsesApi: true });
    let merged: AIMessageChunk | undefined;
    for await (const c of await model.stream("x")) merged = merged ? merged.concat(c) : c;
    expect(merged!.text).toBe("Hi!");
    expect(merged!.tool_calls?.[0]).toMatchObject({ id: "call_1", name: "AdderTool", args: { a: 1, b: 2 } });
    expect(merged!.usage_metadata).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
    expect(merged!.response_metadata.custom_outputs).toEqual({ source: "agent" });
  });

  test("stream: text that only arrives in output_item.done is kept; error events throw", async () => {
    const m = mockFetch((_c, n) =>
      n === 0
        ? sseResponse([
            {
              type: "response.output_item.done",
              item: { type: "message", id: "m2", content: [{ type: "output_text", text: "late text" }] },
            },
          ])
        : sseResponse([{ type: "error", message: "agent crashed" }]),
    );
    const model = new ChatDatabricks({ model: "agent", ...testAuth(m), useResponsesApi: true });
    let text = "";
    for await (const c of await model.stream("x")) text += c.text;
    expect(text).toBe("late text");
    await expect(
      (async () => {
        for await (const _ of await model.stream("x"));
      })(),
    ).rejects.toThrow(/agent crashed/);
  });

  test("stream: ends on response.completed without [DONE]; a stream with neither is truncated", async () => {
    const delta = { type: "response.output_text.delta", item_id: "msg_1", delta: "Partial" };
    const completed = { type: "response.completed", response: { id: "r", usage: null } };
    const m = mockFetch((_c, n) =>
      n === 0 ? sseResponse([delta, completed], false) : sseResponse([delta], false),
    );
    const model = new ChatDatabricks({ model: "databricks-gpt-5", ...testAuth(m), useResponsesApi: true });
    let text = "";
    for await (const c of await model.stream("x")) text += c.text;
    expect(text).toBe("Partial");
    const e = await (async () => {
      for await (const _ of await model.stream("x"));
    })().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksStreamError);
    expect((e as Error).message).toMatch(/ended before completion/);
  });

  test("stream: an agent stream that ends with [DONE] (no response.completed) is complete", async () => {
    const m = mockFetch(() =>
      sseResponse([
        {
          type: "response.output_item.done",
          item: { type: "message", id: "m1", content: [{ type: "output_text", text: "done" }] },
        },
      ]),
    );
    const model = new ChatDatabricks({ model: "agent-done", ...testAuth(m), useResponsesApi: true });
    let text = "";
    for await (const c of await model.stream("x")) text += c.text;
    expect(text).toBe("done");
  });

  test("maxConcurrency bounds Responses API calls too (invoke and stream)", async () => {
    let inFlight = 0;
    let peak = 0;
    const m = mockFetch(async (call) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return call.body.stream
        ? sseResponse([{ type: "response.completed", response: { id: "r", usage: null } }])
        : jsonResponse(responseObject);
    });
    const model = new ChatDatabricks({
      model: "databricks-gpt-5",
      ...testAuth(m),
      useResponsesApi: true,
      maxConcurrency: 1,
    });
    await Promise.all([model.invoke("a"), model.invoke("b"), model.invoke("c")]);
    expect(m.calls).toHaveLength(3);
    expect(peak).toBe(1);
    peak = 0;
    const drain = async () => {
      for await (const _ of await model.stream("s"));
    };
    await Promise.all([drain(), drain()]);
    expect(peak).toBe(1);
  });
});
