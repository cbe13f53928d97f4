import { AIMessage } from "@langchain/core/messages";
import { OutputParserException } from "@langchain/core/output_parsers";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { describe, expect, test } from "vitest";
import { adderSchema, ExtraParamsHandler, mathAdditionPrompt } from "../../test-support/chat-fixtures.js";
import { jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import { ChatDatabricks } from "./chat-databricks.js";
import { strictify } from "./structured-output.js";

const toolCallReply = (name: string, args: unknown) =>
  jsonResponse({
    id: "c",
    model: "llama",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_9", type: "function", function: { name, arguments: JSON.stringify(args) } },
          ],
        },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });

const contentReply = (content: string) =>
  jsonResponse({ id: "c", model: "gpt", choices: [{ index: 0, message: { role: "assistant", content } }] });

describe("withStructuredOutput", () => {
  test("functionCalling (default) forces the tool, parses args, and reports the tracing format", async () => {
    const m = mockFetch(() => toolCallReply("math_addition", { a: 1, b: 2 }));
    const handler = new ExtraParamsHandler();
    const model = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", ...testAuth(m) });
    const result = await model
      .withStructuredOutput(adderSchema, { name: "math_addition" })
      .invoke(mathAdditionPrompt("math_addition"), { callbacks: [handler] });

    expect(result).toEqual({ a: 1, b: 2 });
    const body = m.calls[0]!.body;
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "math_addition" } });
    expect((body.tools as Array<{ function: { name: string } }>)[0]!.function.name).toBe("math_addition");
    const options = handler.extraParams[0]!.options as Record<string, { kwargs: unknown; schema: unknown }>;
    expect(options.ls_structured_output_format!.kwargs).toEqual({ method: "functionCalling" });
    expect(options.ls_structured_output_format!.schema).toEqual(toJsonSchema(adderSchema));
  });

  test("includeRaw returns the raw AIMessage next to the parsed value", async () => {
    const m = mockFetch(() => toolCallReply("math_addition", { a: 3, b: 4 }));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    const out = await model
      .withStructuredOutput(adderSchema, { name: "math_addition", includeRaw: true })
      .invoke("x");
    expect(out.raw).toBeInstanceOf(AIMessage);
    expect(out.parsed).toEqual({ a: 3, b: 4 });
  });

  test("invalid output fails validation (zod) instead of returning junk", async () => {
    const m = mockFetch(() => toolCallReply("math_addition", { a: "one" }));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    const e = await model
      .withStructuredOutput(adderSchema, { name: "math_addition" })
      .invoke("x")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutputParserException);
    // zod's verdict on the model's arguments: `a` has the wrong type, `b` is missing.
    expect((e as Error).message).toMatch(/^Failed to parse\. Text: .*"a": "one"/s);
    expect((e as Error).message).toContain(
      '"path":["a"],"message":"Invalid input: expected number, received string"',
    );
    expect((e as Error).message).toContain(
      '"path":["b"],"message":"Invalid input: expected number, received undefined"',
    );
  });

  test("jsonMode sends response_format json_object and parses content", async () => {
    const m = mockFetch(() => contentReply('{"a": 5, "b": 6}'));
    const model = new ChatDatabricks({ model: "m", ...testAuth(m) });
    const out = await model.withStructuredOutput(adderSchema, { method: "jsonMode" }).invoke("x");
    expect(out).toEqual({ a: 5, b: 6 });
    expect(m.calls[0]!.body.response_format).toEqual({ type: "json_object" });
  });

  test("jsonSchema sends a named schema without $schema; strict (closed objects) only for GPT", async () => {
    const m = mockFetch(() => contentReply('{"a": 1, "b": 2}'));
    const schema = {
      title: "Adder",
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "integer" } },
    };
    await new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", ...testAuth(m) })
      .withStructuredOutput(schema, { method: "jsonSchema" })
      .invoke("x");
    await new ChatDatabricks({ model: "databricks-gpt-5", ...testAuth(m) })
      .withStructuredOutput(adderSchema, { method: "jsonSchema", name: "adder" })
      .invoke("x");
    const [llama, gpt] = m.calls.map(
      (c) => c.body.response_format as { json_schema: Record<string, unknown> },
    );
    expect(llama!.json_schema).toEqual({ name: "Adder", schema });
    expect(gpt!.json_schema.name).toBe("adder");
    expect(gpt!.json_schema.strict).toBe(true);
    expect(gpt!.json_schema.schema).toMatchObject({ additionalProperties: false, required: ["a", "b"] });
    expect(JSON.stringify(gpt!.json_schema)).not.toContain("$schema");
  });

  test("Responses API: jsonSchema / jsonMode become text.format, never response_format", async () => {
    const reply = {
      id: "resp_s",
      model: "gpt-5",
      status: "completed",
      output: [
        {
          type: "message",
          id: "msg_s",
          role: "assistant",
          content: [{ type: "output_text", text: '{"a": 1, "b": 2}', annotations: [] }],
        },
      ],
    };
    const m = mockFetch(() => jsonResponse(reply));
    const model = new ChatDatabricks({
      model: "databricks-gpt-5",
      ...testAuth(m),
      useResponsesApi: true,
      extraParams: { text: { verbosity: "low" } },
    });
    expect(
      await model.withStructuredOutput(adderSchema, { method: "jsonSchema", name: "adder" }).invoke("x"),
    ).toEqual({ a: 1, b: 2 });
    expect(await model.withStructuredOutput(adderSchema, { method: "jsonMode" }).invoke("x")).toEqual({
      a: 1,
      b: 2,
    });
    const [schemaCall, modeCall] = m.calls.map((c) => c.body);
    expect(schemaCall!.response_format).toBeUndefined();
    expect(schemaCall!.text).toMatchObject({
      verbosity: "low",
      format: { type: "json_schema", name: "adder", strict: true },
    });
    const format = (schemaCall!.text as { format: Record<string, unknown> }).format;
    expect(format.schema).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["a", "b"],
    });
    expect(format.json_schema).toBeUndefined();
    expect(modeCall!.response_format).toBeUndefined();
    expect(modeCall!.text).toEqual({ verbosity: "low", format: { type: "json_object" } });
  });

  test("unknown method is a clear error", () => {
    const model = new ChatDatabricks({ model: "m", token: "t" });
    expect(() => model.withStructuredOutput(adderSchema, { method: "xml" })).toThrow(
      /Unknown withStructuredOutput method/,
    );
  });
});

test("strictify closes nested objects and requires every property", () => {
  expect(
    strictify({
      $schema: "x",
      type: "object",
      properties: { inner: { type: "object", properties: { z: { type: "string" } } } },
    }),
  ).toEqual({
    type: "object",
    properties: {
      inner: {
        type: "object",
        properties: { z: { type: "string" } },
        additionalProperties: false,
        required: ["z"],
      },
    },
    additionalProperties: false,
    required: ["inner"],
  });
});
