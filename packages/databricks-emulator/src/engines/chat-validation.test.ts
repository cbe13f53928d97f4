import { describe, expect, it } from "vitest";
import { apiError } from "../../test-support/engines.js";
import { runChat } from "./chat.js";
import type { EngineModel } from "./contract.js";

const llama: EngineModel = { modelName: "llama-test", task: "llm/v1/chat", family: "llama" };
const user = [{ role: "user", content: "hi" }];
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
};

const err = (body: Record<string, unknown>, model = llama) =>
  apiError(() => runChat(body, model, "invocations"));

describe("chat request validation (spec/serving.md 3.3B)", () => {
  it("rejects unknown top-level fields with the FMAPI message", () => {
    const e = err({ messages: user, inputs: { a: 1 } });
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("BAD_REQUEST");
    expect(e.message).toBe('Bad request: json: unknown field "inputs"');
  });

  it("requires a non-empty messages list", () => {
    expect(err({}).message).toBe('Bad request: "messages" is a required property');
    expect(err({ messages: [] }).message).toMatch(/at least one message/);
    expect(err({ messages: "hi" }).message).toMatch(/cannot unmarshal string into field "messages"/);
  });

  it("rejects bad roles and missing content", () => {
    expect(err({ messages: [{ role: "robot", content: "x" }] }).message).toMatch(
      /invalid role "robot" in messages\[0\]/,
    );
    expect(err({ messages: [{ role: "user" }] }).message).toMatch(
      /"content" is a required property for messages\[0\]/,
    );
    expect(err({ messages: [{ role: "user", content: 5 }] }).message).toMatch(/messages\[0\]\.content/);
  });

  it("rejects tool messages that answer no tool call", () => {
    const e = err({ messages: [...user, { role: "tool", tool_call_id: "call_x", content: "42" }] });
    expect(e.message).toMatch(/tool_call_id "call_x"/);
  });

  it("checks numeric ranges and types", () => {
    expect(err({ messages: user, temperature: 3 }).message).toMatch(
      /"temperature" must be in the range \[0, 2\], got 3/,
    );
    expect(err({ messages: user, temperature: "hot" }).message).toMatch(
      /cannot unmarshal string into field "temperature"/,
    );
    expect(err({ messages: user, n: 6 }).message).toMatch(/"n" must be an integer between 1 and 5, got 6/);
    expect(err({ messages: user, n: 0 }).status).toBe(400);
    expect(err({ messages: user, max_tokens: 1.5 }).message).toMatch(/"max_tokens" of type int/);
    expect(err({ messages: user, top_p: 0 }).status).toBe(400);
    expect(err({ messages: user, stream: "yes" }).message).toMatch(/"stream" of type bool/);
    expect(err({ messages: user, stop: [1] }).message).toMatch(/stop\[0\]/);
    expect(err({ messages: user, stop: ["a", "b", "c", "d", "e"] }).message).toMatch(/at most 4/);
  });

  it("requires parameters on tools, with the FMAPI message", () => {
    const e = err({ messages: user, tools: [{ type: "function", function: { name: "f" } }] });
    expect(e.message).toBe(
      'Bad request: "parameters" is a required property for "function" object in parameter "tools"',
    );
  });

  it("rejects tool_choice naming an unknown tool, and tool_choice without tools", () => {
    const named = { type: "function", function: { name: "nope" } };
    expect(err({ messages: user, tools: [weatherTool], tool_choice: named }).message).toMatch(
      /tool_choice names function "nope".*available: get_weather/,
    );
    expect(err({ messages: user, tool_choice: "required" }).message).toMatch(/no "tools" were given/);
    expect(err({ messages: user, tools: [weatherTool], tool_choice: "sometimes" }).status).toBe(400);
  });

  it("rejects bad tool definitions", () => {
    expect(err({ messages: user, tools: [{ type: "retrieval" }] }).message).toMatch(
      /tools\[0\]\.type must be "function"/,
    );
    const badName = { type: "function", function: { name: "has space", parameters: { type: "object" } } };
    expect(err({ messages: user, tools: [badName] }).message).toMatch(/invalid function name/);
    expect(err({ messages: user, tools: [weatherTool, weatherTool] }).message).toMatch(
      /duplicate function name/,
    );
  });

  it("rejects bad response_format", () => {
    expect(err({ messages: user, response_format: { type: "yaml" } }).message).toMatch(
      /response_format\.type/,
    );
    expect(err({ messages: user, response_format: { type: "json_schema" } }).message).toMatch(
      /"json_schema" is a required/,
    );
    const noName = { type: "json_schema", json_schema: { schema: { type: "object" } } };
    expect(err({ messages: user, response_format: noName }).message).toMatch(/json_schema\.name is required/);
  });

  it("accepts the Claude thinking switch only on Claude endpoints", () => {
    const thinking = { type: "enabled", budget_tokens: 2048 };
    expect(err({ messages: user, thinking }).message).toBe('Bad request: json: unknown field "thinking"');
    const claude: EngineModel = {
      modelName: "claude",
      task: "llm/v1/chat",
      family: "claude",
      reasoning: true,
    };
    expect(runChat({ messages: user, thinking }, claude, "invocations").kind).toBe("json");
    expect(err({ messages: user, thinking: { type: "enabled" } }, claude).message).toMatch(/budget_tokens/);
  });

  it("accepts the OpenAI route's model field and stream_options only when streaming", () => {
    expect(runChat({ model: "ep", messages: user }, llama, "openai").kind).toBe("json");
    expect(err({ messages: user, stream_options: { include_usage: true } }).message).toMatch(
      /only allowed when "stream"/,
    );
  });
});
