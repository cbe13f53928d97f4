import {
  AIMessage,
  ChatMessage,
  FunctionMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { DatabricksConfigError } from "../../errors.js";
import { toWireMessages } from "./chat-completions.js";

const claude = { spaceForEmptyToolCallContent: true };
const other = { spaceForEmptyToolCallContent: false };

describe("toWireMessages", () => {
  it("maps system, human and tool messages to their roles; never sends `name`", () => {
    expect(
      toWireMessages(
        [
          new SystemMessage({ content: "be brief", name: "sys" }),
          new HumanMessage({ content: [{ type: "text", text: "hi" }], name: "alice" }),
          new ToolMessage({ content: [{ type: "text", text: "42" }], tool_call_id: "call_1" }),
        ],
        other,
      ),
    ).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "tool", tool_call_id: "call_1", content: "42" },
    ]);
  });

  it("sends tool calls (valid and invalid ones) with empty content as null, or a space for Claude", () => {
    const ai = new AIMessage({
      content: "",
      tool_calls: [{ id: "c1", name: "add", args: { a: 1 }, type: "tool_call" }],
      invalid_tool_calls: [{ id: "c2", name: "add", args: "{bad", type: "invalid_tool_call", error: "x" }],
    });
    const calls = [
      { id: "c1", type: "function", function: { name: "add", arguments: '{"a":1}' } },
      { id: "c2", type: "function", function: { name: "add", arguments: "{bad" } },
    ];
    expect(toWireMessages([ai], other)).toEqual([{ role: "assistant", content: null, tool_calls: calls }]);
    expect(toWireMessages([ai], claude)).toEqual([{ role: "assistant", content: " ", tool_calls: calls }]);
  });

  it("keeps non-empty assistant content next to tool calls, and reasoning in assistant turns only", () => {
    const reasoning = { type: "reasoning", summary: [{ type: "summary_text", text: "think" }] };
    const ai = new AIMessage({
      content: [reasoning, { type: "text", text: "calling" }],
      tool_calls: [{ id: "c1", name: "f", args: {}, type: "tool_call" }],
    });
    expect(toWireMessages([ai], claude)[0]).toEqual({
      role: "assistant",
      content: [reasoning, { type: "text", text: "calling" }],
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
    });
    expect(
      toWireMessages([new HumanMessage({ content: [reasoning, { type: "text", text: "q" }] })], other),
    ).toEqual([{ role: "user", content: "q" }]);
  });

  it("falls back to additional_kwargs.tool_calls (OpenAI format) when the message has no parsed calls", () => {
    const ai = new AIMessage({
      content: "",
      additional_kwargs: {
        tool_calls: [{ id: "k1", type: "function", function: { name: "g", arguments: "{}" } }],
      },
    });
    // LangChain parses additional_kwargs into tool_calls itself; a message whose parsed calls were cleared
    // (as some serialisers leave them) still sends the raw calls.
    ai.tool_calls = [];
    ai.invalid_tool_calls = [];
    expect(toWireMessages([ai], other)[0]?.tool_calls).toEqual([
      { id: "k1", type: "function", function: { name: "g", arguments: "{}" } },
    ]);
  });

  it("generic ChatMessages keep their role; assistant ones keep reasoning", () => {
    const reasoning = { type: "reasoning", summary: [{ type: "summary_text", text: "r" }] };
    expect(
      toWireMessages(
        [
          new ChatMessage({ role: "assistant", content: [reasoning, { type: "text", text: "a" }] }),
          new ChatMessage({ role: "developer", content: [reasoning, { type: "text", text: "d" }] }),
        ],
        other,
      ),
    ).toEqual([
      { role: "assistant", content: [reasoning, { type: "text", text: "a" }] },
      { role: "developer", content: "d" },
    ]);
  });

  it("refuses legacy function messages and function_call turns, naming the message", () => {
    const fn = () =>
      toWireMessages([new HumanMessage("x"), new FunctionMessage({ content: "1", name: "f" })], other);
    expect(fn).toThrow(DatabricksConfigError);
    expect(fn).toThrow(/^Message 1 is a function message \(legacy OpenAI function calling\)/);
    const legacy = () =>
      toWireMessages(
        [
          new AIMessage({
            content: "",
            additional_kwargs: { function_call: { name: "f", arguments: "{}" } },
          }),
        ],
        other,
      );
    expect(legacy).toThrow(/^Message 0 is a function message/);
  });

  it("refuses a message type it cannot send, naming it", () => {
    const odd = new HumanMessage("x");
    (odd as unknown as { getType: () => string }).getType = () => "remove";
    const send = () => toWireMessages([odd], other);
    expect(send).toThrow(DatabricksConfigError);
    expect(send).toThrow('Message 0 has type "remove", which ChatDatabricks cannot send.');
  });
});
