import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { apiError, jsonBody, streamEvents } from "../../test-support/engines.js";
import type { EngineModel } from "./contract.js";
import { runResponses } from "./responses.js";

const agent: EngineModel = { modelName: "responses-agent", task: "agent/v1/responses", family: "agent" };
const gpt: EngineModel = { modelName: "gpt-oss-120b", task: "llm/v1/chat", family: "gpt", reasoning: true };
type Item = Record<string, unknown> & { type: string };

const respond = (body: Record<string, unknown>, model = agent) =>
  jsonBody(runResponses(body, model, "openai"));

describe("Responses engine", () => {
  it("returns a Responses object with an output_text message and echoes custom_inputs", () => {
    const body = respond({
      model: "agent",
      input: [{ role: "user", content: "hi" }],
      custom_inputs: { a: 1 },
    });
    expect(body.object).toBe("response");
    expect(body.id).toMatch(/^resp_/);
    expect(body.status).toBe("completed");
    const out = body.output as Item[];
    expect(out[0]?.type).toBe("message");
    expect((out[0]!.content as Item[])[0]).toEqual({
      type: "output_text",
      text: "Hello! How can I help you today?",
      annotations: [],
    });
    expect(body.custom_outputs).toEqual({ a: 1 });
    const usage = body.usage as Record<string, number>;
    expect(usage.total_tokens).toBe((usage.input_tokens as number) + (usage.output_tokens as number));
  });

  it("emits function_call items valid against the tool schema, then answers from function_call_output", () => {
    const parameters = {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    };
    const tools = [{ type: "function", name: "get_weather", description: "weather for a city", parameters }];
    const first = respond({ input: "weather in Oslo?", tools });
    const call = (first.output as Item[])[0] as Item;
    expect(call.type).toBe("function_call");
    expect(String(call.call_id)).toMatch(/^call_/);
    const args = JSON.parse(call.arguments as string);
    expect(new Ajv().validate(parameters, args)).toBe(true);
    expect(args.city).toBe("Oslo");
    const second = respond({
      tools,
      input: [
        { role: "user", content: "weather in Oslo?" },
        { type: "function_call", call_id: call.call_id, name: "get_weather", arguments: call.arguments },
        { type: "function_call_output", call_id: call.call_id, output: "sunny" },
      ],
    });
    const msg = (second.output as Item[])[0] as Item;
    expect((msg.content as Item[])[0]?.text).toBe("Based on the tool results: get_weather returned sunny.");
  });

  it("rejects input item ids longer than 64 characters like FMAPI", () => {
    const e = apiError(() =>
      respond({ input: [{ type: "message", id: `msg_${"x".repeat(70)}`, role: "user", content: "hi" }] }),
    );
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/Invalid 'input\[0\]\.id': string too long.*maximum length 64.*length 74/);
    expect(() =>
      respond({ input: [{ type: "message", id: `msg_${"x".repeat(60)}`, role: "user", content: "hi" }] }),
    ).not.toThrow();
  });

  it("rejects unknown fields, orphan tool outputs and missing input", () => {
    expect(apiError(() => respond({ input: "hi", messages: [] })).message).toBe(
      'Bad request: json: unknown field "messages"',
    );
    expect(
      apiError(() => respond({ input: [{ type: "function_call_output", call_id: "c1", output: "x" }] }))
        .message,
    ).toMatch(/No tool call found .* c1/);
    expect(apiError(() => respond({})).message).toMatch(/"input" is a required property/);
  });

  it("puts a reasoning item first for reasoning models", () => {
    const out = respond({ input: "why is the sky blue" }, gpt).output as Item[];
    expect(out.map((i) => i.type)).toEqual(["reasoning", "message"]);
  });

  it("honours text.format json_schema", () => {
    const schema = {
      type: "object",
      properties: { n: { type: "integer" } },
      required: ["n"],
      additionalProperties: false,
    };
    const body = respond({
      input: "pick 7",
      text: { format: { type: "json_schema", name: "pick", schema, strict: true } },
    });
    const text = ((body.output as Item[])[0]!.content as Item[])[0]?.text as string;
    expect(JSON.parse(text)).toEqual({ n: 7 });
  });

  it("streams the OpenAI event sequence with increasing sequence numbers", () => {
    const events = streamEvents(
      runResponses({ input: "count to 3", stream: true, custom_inputs: { z: 1 } }, agent, "openai"),
    );
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.added");
    expect(types).toContain("response.output_item.done");
    expect(types.at(-1)).toBe("response.completed");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const text = events
      .filter((e) => e.type === "response.output_text.delta")
      .map((e) => e.delta)
      .join("");
    expect(text).toBe("1, 2, 3");
    expect(events.at(-1)?.custom_outputs).toEqual({ z: 1 });
  });
});
