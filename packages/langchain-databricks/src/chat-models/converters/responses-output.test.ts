import { describe, expect, it } from "vitest";
import { StreamError } from "../../errors.js";
import {
  isResponsesFinalEvent,
  parseResponsesObject,
  ResponsesStreamAssembler,
  toResponsesTextFormat,
} from "./responses.js";

/** The finish_reason a converter put in response_metadata. */
const finishReason = (m: { response_metadata: unknown }): unknown =>
  (m.response_metadata as Record<string, unknown>).finish_reason;

const catchErr = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
};

describe("parseResponsesObject", () => {
  it("a response with an error raises StreamError with the code", () => {
    const e = catchErr(() =>
      parseResponsesObject({ error: { message: "quota exceeded", code: "rate_limit" } }, "ep", true),
    );
    expect(e).toBeInstanceOf(StreamError);
    expect((e as StreamError).message).toBe("Responses API returned an error: quota exceeded");
    expect((e as StreamError).errorCode).toBe("rate_limit");
    expect((catchErr(() => parseResponsesObject({ error: {} }, "ep", true)) as Error).message).toBe(
      "Responses API returned an error: unknown error",
    );
  });

  it("converts message parts, drops junk items and tool outputs, keeps other items without status", () => {
    const r = parseResponsesObject(
      {
        id: "resp_1",
        model: "m",
        status: "incomplete",
        custom_outputs: { trace: 1 },
        output: [
          "junk" as never,
          [1] as never,
          {
            type: "message",
            id: "msg_1",
            content: [
              { type: "output_text", text: null },
              { type: "output_text", text: { k: 1 } },
              { type: "refusal", refusal: "no" },
              { type: "unknown_part" },
              null,
            ],
          },
          { type: "function_call_output", call_id: "c0", output: "x" },
          { type: "reasoning", id: "rs_1", status: "completed", summary: [] },
        ],
      },
      "ep",
      true,
    );
    const msg = r.generations[0]!.message;
    expect(msg.content).toEqual([
      { type: "text", text: "", annotations: [], id: "msg_1" },
      { type: "text", text: '{"k":1}', annotations: [], id: "msg_1" },
      { type: "refusal", refusal: "no", id: "msg_1" },
      { type: "reasoning", id: "rs_1", summary: [] },
    ]);
    expect(finishReason(msg)).toBe("incomplete");
    expect(msg.additional_kwargs).toEqual({ custom_outputs: { trace: 1 } });
    expect(msg.id).toBe("resp_1");
  });

  it("a function call uses call_id, else the item id; finish_reason becomes tool_calls", () => {
    const r = parseResponsesObject(
      {
        output: [
          { type: "function_call", id: "fc_9", name: "add", arguments: '{"a":1}' },
          { type: "function_call", name: "noop", arguments: "{}" },
        ],
      },
      "ep",
      true,
    );
    const msg = r.generations[0]!.message as { tool_calls?: { id?: string; name: string; args: unknown }[] };
    expect(msg.tool_calls?.map((t) => [t.id, t.name, t.args])).toEqual([
      ["fc_9", "add", { a: 1 }],
      ["", "noop", {}],
    ]);
    expect(finishReason(r.generations[0]!.message)).toBe("tool_calls");
    expect(finishReason(parseResponsesObject({}, "ep", true).generations[0]!.message)).toBe("stop");
  });
});

describe("request parameters and final events", () => {
  it("maps response_format to the flat text.format", () => {
    expect(toResponsesTextFormat({ type: "json_object" })).toEqual({ type: "json_object" });
    expect(toResponsesTextFormat({ type: "json_schema" })).toEqual({
      type: "json_schema",
      name: "extract",
      schema: undefined,
    });
    expect(
      toResponsesTextFormat({
        type: "json_schema",
        json_schema: { name: "p", schema: { type: "object" }, description: "d", strict: true },
      }),
    ).toEqual({ type: "json_schema", name: "p", schema: { type: "object" }, description: "d", strict: true });
  });

  it("recognises completed, incomplete and whole-object payloads as final", () => {
    expect(isResponsesFinalEvent({ type: "response.completed" })).toBe(true);
    expect(isResponsesFinalEvent({ type: "response.incomplete" })).toBe(true);
    expect(isResponsesFinalEvent({ output: [] })).toBe(true);
    expect(isResponsesFinalEvent({ type: "response.output_text.delta" })).toBe(false);
    expect(isResponsesFinalEvent(null)).toBe(false);
    expect(isResponsesFinalEvent("done")).toBe(false);
  });
});

describe("ResponsesStreamAssembler", () => {
  it("raises stream errors with the message from the event, the response or the nested error", () => {
    const a = new ResponsesStreamAssembler("ep", true, true);
    const e1 = catchErr(() =>
      a.push({ type: "error", message: "boom", code: "server_error" }),
    ) as StreamError;
    expect([e1.message, e1.errorCode]).toEqual(["Responses stream reported an error: boom", "server_error"]);
    const e2 = catchErr(() =>
      a.push({ type: "response.failed", response: { error: { message: "model crashed" } } }),
    ) as StreamError;
    expect([e2.message, e2.errorCode]).toEqual([
      "Responses stream reported an error: model crashed",
      undefined,
    ]);
    const e3 = catchErr(() => a.push({ type: "response.error", error: { message: "nested" } })) as Error;
    expect(e3.message).toBe("Responses stream reported an error: nested");
    const e4 = catchErr(() => a.push({ type: "error" })) as Error;
    expect(e4.message).toBe("Responses stream reported an error: unknown error");
  });

  it("streams deltas, skips the duplicate done message, emits whole function calls and a final chunk", () => {
    const a = new ResponsesStreamAssembler("ep", true, true);
    expect(
      a.push({ type: "response.created", response: { id: "resp_1", model: "m", custom_outputs: { x: 1 } } }),
    ).toBeUndefined();
    const d1 = a.push({ type: "response.output_text.delta", item_id: "msg_1", delta: "Hel" })!;
    const d2 = a.push({ type: "response.output_text.delta", item_id: "msg_1", delta: "lo" })!;
    expect([d1.text, d2.text]).toEqual(["Hel", "lo"]);
    expect((d1.message.content as { index: number }[])[0]!.index).toBe(0);
    expect((d2.message.content as { index: number }[])[0]!.index).toBe(0);
    expect(
      a.push({
        type: "response.output_item.done",
        item: { type: "message", id: "msg_1", content: [{ type: "output_text", text: "Hello" }] },
      }),
    ).toBeUndefined();
    const call = a.push({
      type: "response.output_item.done",
      item: { type: "function_call", call_id: "call_1", name: "add", arguments: '{"a":1}' },
    })!;
    expect(call.message).toMatchObject({
      tool_call_chunks: [{ type: "tool_call_chunk", index: 0, id: "call_1", name: "add", args: '{"a":1}' }],
    });
    expect(
      a.push({ type: "response.output_item.done", item: { type: "function_call_output", call_id: "c" } }),
    ).toBeUndefined();
    expect(a.push({ type: "response.in_progress" })).toBeUndefined();
    a.push({
      type: "response.completed",
      response: { usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } },
      custom_outputs: { y: 2 },
    });
    const fin = a.finish(false);
    expect(fin.message.response_metadata).toMatchObject({
      finish_reason: "tool_calls",
      custom_outputs: { y: 2 },
    });
    expect(fin.message.id).toBe("resp_1");
    expect(fin.generationInfo).toEqual({ finish_reason: "tool_calls" });
  });

  it("an unstreamed done item adds its text; finish without tools says stop and drops usage when not asked", () => {
    const a = new ResponsesStreamAssembler("ep", false, true);
    const c = a.push({
      type: "response.output_item.done",
      item: { type: "message", id: "msg_2", content: [{ type: "output_text", text: "late" }] },
    })!;
    expect(c.text).toBe("late");
    a.push({ type: "response.completed", response: { usage: { input_tokens: 1, output_tokens: 1 } } });
    const fin = a.finish(false);
    expect(finishReason(fin.message)).toBe("stop");
    expect((fin.message as { usage_metadata?: unknown }).usage_metadata).toBeUndefined();
  });

  it("a whole Responses object sent to a stream request becomes one chunk, or an error", () => {
    const a = new ResponsesStreamAssembler("ep", true, true);
    const c = a.push({
      id: "resp_w",
      model: "m",
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      custom_outputs: { z: 1 },
      output: [
        { type: "message", id: "msg", content: [{ type: "output_text", text: "hi" }] },
        { type: "function_call", call_id: "call_w", name: "f" },
      ],
    })!;
    expect(c.text).toBe("hi");
    expect(c.message).toMatchObject({
      id: "resp_w",
      tool_call_chunks: [{ id: "call_w", name: "f", index: 0 }],
    });
    expect(a.finish(true).message.response_metadata).toMatchObject({ custom_outputs: { z: 1 } });
    expect(new ResponsesStreamAssembler("ep", true, true).push({ output: [] })).toBeUndefined();
    expect(() =>
      new ResponsesStreamAssembler("ep", true, true).push({ output: [], error: { message: "bad" } }),
    ).toThrow("Responses API returned an error: bad");
  });
});
