import {
  AIMessage,
  AIMessageChunk,
  getBufferString,
  HumanMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import type { ChatDatabricks } from "../src/chat-models/chat-databricks.js";
import type { ChatDatabricksInput } from "../src/chat-models/types.js";
import {
  AdderTool,
  adderSchema,
  ExtraParamsHandler,
  mathAdditionPrompt,
  timeTool,
  weatherTool,
} from "./chat-fixtures.js";

async function streamConcat(
  stream: AsyncIterable<AIMessageChunk>,
): Promise<{ merged: AIMessageChunk; n: number }> {
  let merged: AIMessageChunk | undefined;
  let n = 0;
  for await (const chunk of stream) {
    expect(chunk).toBeInstanceOf(AIMessageChunk);
    merged = merged ? merged.concat(chunk) : chunk;
    n++;
  }
  expect(merged).toBeDefined();
  return { merged: merged as AIMessageChunk, n };
}

function expectTracingFormat(handler: ExtraParamsHandler, schema: unknown) {
  const options = handler.extraParams.at(-1)?.options as
    | { ls_structured_output_format?: { kwargs: { method: string }; schema: unknown } }
    | undefined;
  expect(options?.ls_structured_output_format?.kwargs.method).toBe("functionCalling");
  expect(options?.ls_structured_output_format?.schema).toEqual(toJsonSchema(schema as z.ZodType));
}

/**
 * Our re-implementation of LangChain's `ChatModelIntegrationTests` (spec/langchain-standard-tests.md §2.2), run against a real
 * endpoint (the emulator in CI). `make` builds a model connected to that endpoint.
 */
export function runChatModelIntegrationStandardTests(
  name: string,
  make: (extra?: Partial<ChatDatabricksInput>) => ChatDatabricks,
  opts: { supportsParallelToolCalls: boolean },
) {
  describe(name, () => {
    test("should invoke model and return valid response", async () => {
      const res = await make().invoke("Hello");
      expect(res).toBeInstanceOf(AIMessage);
      expect(res.text.length).toBeGreaterThan(0);
    });

    test("should stream response tokens successfully", async () => {
      let chars = 0;
      let chunks = 0;
      for await (const chunk of await make().stream("Hello")) {
        expect(chunk).toBeInstanceOf(AIMessageChunk);
        expect(chunk.content).toBeDefined();
        chars += typeof chunk.content === "string" ? chunk.content.length : chunk.content.length;
        chunks++;
      }
      expect(chunks).toBeGreaterThan(0);
      expect(chars).toBeGreaterThan(0);
    });

    test("should process multiple inputs in batch", async () => {
      const res = await make().batch(["Hello", "Hey"]);
      expect(res).toHaveLength(2);
      for (const r of res) {
        expect(r).toBeInstanceOf(AIMessage);
        expect(r.text.length).toBeGreaterThan(0);
      }
    });

    test("should handle multi-message conversation", async () => {
      const res = await make().invoke([
        new HumanMessage("hello"),
        new AIMessage("hello"),
        new HumanMessage("how are you"),
      ]);
      expect(res).toBeInstanceOf(AIMessage);
      expect(res.text.length).toBeGreaterThan(0);
    });

    test("should return usage metadata for invoke", async () => {
      const res = await make().invoke("Hello");
      expect(typeof res.usage_metadata?.input_tokens).toBe("number");
      expect(typeof res.usage_metadata?.output_tokens).toBe("number");
      expect(typeof res.usage_metadata?.total_tokens).toBe("number");
      expect(typeof res.response_metadata.model).toBe("string");
      expect(String(res.response_metadata.model).length).toBeGreaterThan(0);
    });

    test("should return usage metadata for streaming", async () => {
      const { merged } = await streamConcat(await make().stream("Hello"));
      const u = merged.usage_metadata;
      expect(typeof u?.input_tokens).toBe("number");
      expect(typeof u?.output_tokens).toBe("number");
      expect(u?.total_tokens).toBe((u?.input_tokens ?? 0) + (u?.output_tokens ?? 0));
      // Usage once: the streamed total equals a non-streamed call's total for the same prompt.
      const invoked = await make().invoke("Hello");
      expect(u?.output_tokens).toBe(invoked.usage_metadata?.output_tokens);
    });

    const adderHistory = (content: AIMessage["content"]) => [
      new HumanMessage("What is 1 + 2"),
      new AIMessage({
        content,
        tool_calls: [{ name: "AdderTool", args: { a: 1, b: 2 }, id: "abc123", type: "tool_call" }],
      }),
      new ToolMessage({ content: JSON.stringify({ result: 3 }), tool_call_id: "abc123", name: "AdderTool" }),
    ];

    test("should handle tool message histories with string content", async () => {
      const res = await make().bindTools([AdderTool()]).invoke(adderHistory(""));
      expect(res).toBeInstanceOf(AIMessage);
      expect(res.content).toBeDefined();
    });

    test("should handle tool message histories with list content", async () => {
      const res = await make()
        .bindTools([AdderTool()])
        .invoke(
          adderHistory([
            { type: "text", text: "Let me add those." },
            { type: "tool_use", id: "abc123", name: "AdderTool", input: { a: 1, b: 2 } },
          ]),
        );
      expect(res).toBeInstanceOf(AIMessage);
      expect(res.content).toBeDefined();
    });

    test("should handle structured few shot examples", async () => {
      const res = await make()
        .bindTools([AdderTool()])
        .invoke([...adderHistory(""), new AIMessage("3"), new HumanMessage("What is 3 + 4")]);
      expect(res).toBeInstanceOf(AIMessage);
    });

    test("should work with structured output", async () => {
      const handler = new ExtraParamsHandler();
      const res = await make()
        .withStructuredOutput(adderSchema, { name: "math_addition" })
        .invoke(mathAdditionPrompt("math_addition"), { callbacks: [handler] });
      expect(typeof res.a).toBe("number");
      expect(typeof res.b).toBe("number");
      expectTracingFormat(handler, adderSchema);
    });

    test("should work with structured output including raw", async () => {
      const handler = new ExtraParamsHandler();
      const res = await make()
        .withStructuredOutput(adderSchema, { name: "math_addition", includeRaw: true })
        .invoke(mathAdditionPrompt("math_addition"), { callbacks: [handler] });
      expect(res.raw).toBeInstanceOf(AIMessage);
      expect(typeof res.parsed.a).toBe("number");
      expect(typeof res.parsed.b).toBe("number");
      expectTracingFormat(handler, adderSchema);
    });

    test("structured output with jsonMode and jsonSchema", async () => {
      const viaSchema = await make()
        .withStructuredOutput(adderSchema, { method: "jsonSchema", name: "adder" })
        .invoke("Add 3 and 4");
      expect(typeof viaSchema.a).toBe("number");
      const viaJson = await make()
        .withStructuredOutput(z.object({ answer: z.string() }), { method: "jsonMode" })
        .invoke("Reply in JSON: say hello");
      expect(typeof viaJson.answer).toBe("string");
    });

    test("should bind tools with OpenAI formatted tools", async () => {
      const res = await make()
        .bindTools([
          {
            type: "function",
            function: {
              name: "math_addition",
              description: adderSchema.description,
              parameters: toJsonSchema(adderSchema),
            },
          },
        ])
        .invoke(mathAdditionPrompt("math_addition"));
      expect(res.tool_calls?.[0]?.name).toBe("math_addition");
    });

    test("should bind tools with runnable tool-like objects", async () => {
      const tool = RunnableLambda.from((_: z.infer<typeof adderSchema>) => "ok").asTool({
        name: "math_addition",
        description: adderSchema.description,
        schema: adderSchema,
      });
      const res = await make().bindTools([tool]).invoke(mathAdditionPrompt("math_addition"));
      expect(res.tool_calls).toHaveLength(1);
      const call = res.tool_calls![0]!;
      expect(call.name).toBe("math_addition");
      expect(call.args).toEqual({ a: expect.any(Number), b: expect.any(Number) });
      expect(call.id).toBeDefined();
      expect(call.type).toBe("tool_call");
    });

    test("should cache complex message types", async () => {
      const model = make({ cache: true });
      const cache = model.cache;
      if (!cache || typeof cache === "boolean") throw new Error("cache not set");
      const msg = new HumanMessage({ content: [{ type: "text", text: "Hello there!" }] });
      const first = await model.invoke([msg]);
      const key = model._getSerializedCacheKeyParametersForCall({});
      const entry = await cache.lookup(getBufferString([msg]), key);
      expect(entry).toHaveLength(1);
      expect((entry?.[0] as { message?: unknown } | undefined)?.message).toBeDefined();
      const second = await model.invoke([msg]);
      expect(second.content).toEqual(first.content);
      expect(await cache.lookup(getBufferString([msg]), key)).toEqual(entry);
    });

    test("should stream tokens with tool calls", async () => {
      const { merged } = await streamConcat(
        await make().bindTools([AdderTool()]).stream(mathAdditionPrompt("AdderTool")),
      );
      expect(merged.tool_calls?.[0]).toBeDefined();
      expect(merged.usage_metadata?.input_tokens).toBeGreaterThan(0);
      expect(merged.usage_metadata?.output_tokens).toBeGreaterThan(0);
    });

    const weatherQuestion = () => new HumanMessage("What is the weather in San Francisco?");

    test("should use tool use AI message in conversation", async () => {
      const model = make().bindTools([weatherTool()]);
      const first = await model.invoke([weatherQuestion()]);
      const call = first.tool_calls?.[0];
      expect(call?.name).toBe("get_current_weather");
      const final = await model.invoke([
        weatherQuestion(),
        first,
        new ToolMessage({ content: "Sunny, 20C", tool_call_id: call!.id!, name: call!.name }),
      ]);
      expect(final.content).not.toBe("");
    });

    test("should use tool use AI message with streaming", async () => {
      const model = make().bindTools([weatherTool()]);
      const { merged: first } = await streamConcat(await model.stream([weatherQuestion()]));
      const call = first.tool_calls?.[0];
      expect(call?.name).toBe("get_current_weather");
      const { merged: final } = await streamConcat(
        await model.stream([
          weatherQuestion(),
          first,
          new ToolMessage({ content: "Sunny, 20C", tool_call_id: call!.id!, name: call!.name }),
        ]),
      );
      expect(final.content).not.toBe("");
    });

    test("should invoke model with more complex tools", async () => {
      const schema = z.object({
        decision: z.enum(["UNSURE", "REJECT", "APPROVE"]),
        explanation: z.string(),
        apiDetails: z.object({ endpoint: z.string(), parameters: z.record(z.string(), z.unknown()) }),
      });
      const res = await make()
        .withStructuredOutput(schema, { name: "review" })
        .invoke("Review this API call and decide.");
      expect(res.decision).toBeDefined();
      expect(res.explanation).toBeDefined();
      expect(typeof res.apiDetails).toBe("object");
    });

    test.runIf(opts.supportsParallelToolCalls)("should handle parallel tool calling", async () => {
      const model = make().bindTools([weatherTool(), timeTool()]);
      const question = new HumanMessage("What is the weather in Paris and also the current time in Paris?");
      const first = await model.invoke([question]);
      const names = (first.tool_calls ?? []).map((c) => c.name);
      expect(names.length).toBeGreaterThanOrEqual(2);
      expect(names).toEqual(expect.arrayContaining(["get_current_weather", "get_current_time"]));
      const { merged } = await streamConcat(await model.stream([question]));
      expect((merged.tool_calls ?? []).map((c) => c.name)).toEqual(
        expect.arrayContaining(["get_current_weather", "get_current_time"]),
      );
      const history = [
        question,
        first,
        ...(first.tool_calls ?? []).map(
          (c) =>
            new ToolMessage({
              content: c.name === "get_current_time" ? "12:00" : "Sunny",
              tool_call_id: c.id!,
              name: c.name,
            }),
        ),
      ];
      const final = await model.invoke(history);
      expect(final.tool_calls ?? []).toHaveLength(0);
      expect(final.text.length).toBeGreaterThan(0);
    });

    const weatherParams = {
      name: "get_current_weather",
      description: "Get the current weather in a given location",
      schema: z.object({ location: z.string() }),
    };

    test("should accept structured tool params schema", async () => {
      const res = await make().bindTools([weatherParams]).invoke([weatherQuestion()]);
      expect(res.tool_calls?.[0]?.name).toBe("get_current_weather");
      expect(res.tool_calls?.[0]?.args).toHaveProperty("location");
    });

    test("should stream tools successfully", async () => {
      const { merged } = await streamConcat(
        await make().bindTools([weatherParams]).stream([weatherQuestion()]),
      );
      expect(merged.tool_calls?.[0]?.name).toBe("get_current_weather");
      expect(merged.tool_calls?.[0]?.args).toHaveProperty("location");
    });

    test("abort before I/O: invoke rejects, stream yields nothing", async () => {
      await expect(make().invoke("Hello", { signal: AbortSignal.abort() })).rejects.toThrow();
      let chunks = 0;
      await expect(
        (async () => {
          for await (const _ of await make().stream("Hello", { signal: AbortSignal.abort() })) chunks++;
        })(),
      ).rejects.toThrow();
      expect(chunks).toBe(0);
    });

    test("stop sequences (constructor and call option)", async () => {
      const a = await make().invoke("count to 5", { stop: [", 3"] });
      expect(a.text).toBe("1, 2");
      const b = await make({ stop: [", 4"] }).invoke("count to 5");
      expect(b.text).toBe("1, 2, 3");
    });
  });
}
