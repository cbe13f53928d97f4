/**
 * LangChain's `createAgent` driving ChatDatabricks against a started emulator: multi-step tool use in the
 * right order, structured responses with the tool strategy and the provider strategy (chosen from
 * `ChatDatabricks.profile`), streaming and `streamEvents`.
 */
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createAgent, providerStrategy, toolStrategy } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { useEmulator } from "../../test-support/emulator.js";
import { ChatDatabricks } from "./chat-databricks.js";

const h = useEmulator();

const model = (endpoint = "databricks-meta-llama-3-3-70b-instruct", extra: Record<string, unknown> = {}) =>
  new ChatDatabricks({ model: endpoint, host: h.emu.url, token: h.emu.token, maxRetries: 0, ...extra });

const arithmeticTools = (calls: string[]) => [
  tool(
    async ({ a, b }: { a: number; b: number }) => {
      calls.push(`add(${a},${b})`);
      return String(a + b);
    },
    { name: "add", description: "Add two numbers", schema: z.object({ a: z.number(), b: z.number() }) },
  ),
  tool(
    async ({ a, b }: { a: number; b: number }) => {
      calls.push(`multiply(${a},${b})`);
      return String(a * b);
    },
    {
      name: "multiply",
      description: "Multiply two numbers",
      schema: z.object({ a: z.number(), b: z.number() }),
    },
  ),
];

const QUESTION = { messages: [{ role: "user", content: "What is (3 + 4) * 5?" }] };
const Answer = z.object({ answer: z.number().describe("the numeric result"), explanation: z.string() });

describe("createAgent with ChatDatabricks on the emulator", () => {
  it("(3 + 4) * 5 calls add, then multiply with its result, and answers 35", async () => {
    const calls: string[] = [];
    const agent = createAgent({ model: model(), tools: arithmeticTools(calls) });
    const result = await agent.invoke(QUESTION);
    expect(calls).toEqual(["add(3,4)", "multiply(7,5)"]);
    const toolMessages = result.messages.filter((m) => ToolMessage.isInstance(m)).map((m) => m.text);
    expect(toolMessages).toEqual(["7", "35"]);
    const final = result.messages.at(-1);
    expect(AIMessage.isInstance(final)).toBe(true);
    expect(final?.text).toBe("The answer is 35 (add(3, 4) = 7, then multiply(7, 5) = 35).");
  });

  it("responseFormat with the tool strategy returns a valid structuredResponse carrying the result", async () => {
    const calls: string[] = [];
    // A custom endpoint's profile has no native structured output, so a bare schema means the tool strategy.
    const agent = createAgent({
      model: model("databricks-meta-llama-3-3-70b-instruct", { modelProfile: { structuredOutput: false } }),
      tools: arithmeticTools(calls),
      responseFormat: Answer,
    });
    const result = await agent.invoke(QUESTION);
    expect(calls).toEqual(["add(3,4)", "multiply(7,5)"]);
    expect(Answer.parse(result.structuredResponse)).toEqual(result.structuredResponse);
    expect(result.structuredResponse.answer).toBe(35);
    // The structured-output tool call is answered by a ToolMessage, as the tool strategy does.
    const called = result.messages.flatMap((m) => (AIMessage.isInstance(m) ? (m.tool_calls ?? []) : []));
    expect(called.map((c) => c.name).slice(0, 2)).toEqual(["add", "multiply"]);
    expect(called).toHaveLength(3);
    expect(called[2]?.args).toEqual(result.structuredResponse);
  });

  it("an explicit toolStrategy works without other tools", async () => {
    const Person = z.object({
      name: z.string(),
      age: z.number().int().min(0).max(150),
      mood: z.enum(["happy", "sad"]),
    });
    const agent = createAgent({ model: model(), tools: [], responseFormat: toolStrategy(Person) });
    const result = await agent.invoke({
      messages: [{ role: "user", content: 'The person "Ann" is 41 and sad' }],
    });
    expect(result.structuredResponse).toEqual({ name: "Ann", age: 41, mood: "sad" });
  });

  it("a bare schema uses the provider strategy on a family with native structured output (response_format json_schema)", async () => {
    const seen: unknown[] = [];
    const calls: string[] = [];
    const fetchSpy: typeof fetch = async (input, init) => {
      if (typeof init?.body === "string") seen.push(JSON.parse(init.body));
      return fetch(input, init);
    };
    const agent = createAgent({
      model: model("databricks-claude-sonnet-4-5", { fetch: fetchSpy }),
      tools: arithmeticTools(calls),
      responseFormat: Answer,
    });
    const result = await agent.invoke(QUESTION);
    expect(calls).toEqual(["add(3,4)", "multiply(7,5)"]);
    expect(result.structuredResponse).toMatchObject({ answer: 35 });
    expect(Answer.safeParse(result.structuredResponse).success).toBe(true);
    const formats = seen.map((b) => (b as { response_format?: { type: string } }).response_format?.type);
    expect(formats.length).toBeGreaterThan(0);
    expect(formats.every((f) => f === "json_schema")).toBe(true);
  });

  it("providerStrategy explicitly, without tools", async () => {
    const agent = createAgent({ model: model(), tools: [], responseFormat: providerStrategy(Answer) });
    const result = await agent.invoke({ messages: [{ role: "user", content: "Give me 12 as the answer" }] });
    expect(Answer.parse(result.structuredResponse).answer).toBe(12);
  });

  it("streams the agent's steps (updates) and its tokens (messages)", async () => {
    const calls: string[] = [];
    const agent = createAgent({ model: model(), tools: arithmeticTools(calls) });
    const steps: string[] = [];
    for await (const update of await agent.stream(QUESTION, { streamMode: "updates" })) {
      for (const [node, value] of Object.entries(update as Record<string, { messages?: unknown[] }>)) {
        const last = value?.messages?.at(-1);
        if (AIMessage.isInstance(last) && (last.tool_calls?.length ?? 0) > 0)
          steps.push(`${node}:${last.tool_calls?.map((c) => c.name).join(",")}`);
        else if (ToolMessage.isInstance(last)) steps.push(`${node}:${last.text}`);
        else if (AIMessage.isInstance(last)) steps.push(`${node}:answer`);
      }
    }
    expect(steps).toEqual([
      "model_request:add",
      "tools:7",
      "model_request:multiply",
      "tools:35",
      "model_request:answer",
    ]);
    let text = "";
    for await (const [chunk] of await agent.stream(QUESTION, { streamMode: "messages" })) {
      if (AIMessage.isInstance(chunk) || chunk.getType() === "ai") text += chunk.text;
    }
    expect(text).toContain("The answer is 35");
  });

  it("streamEvents reports the model stream and both tool runs", async () => {
    const calls: string[] = [];
    const agent = createAgent({ model: model(), tools: arithmeticTools(calls) });
    const toolEnds: string[] = [];
    let streamed = "";
    for await (const event of agent.streamEvents(QUESTION, { version: "v2" })) {
      if (event.event === "on_tool_end")
        toolEnds.push(`${event.name}=${(event.data.output as ToolMessage).text}`);
      if (event.event === "on_chat_model_stream") streamed += (event.data.chunk as AIMessage).text;
    }
    expect(toolEnds).toEqual(["add=7", "multiply=35"]);
    expect(streamed).toContain("The answer is 35");
  });
});

describe("createAgent over the Responses API", () => {
  it("(3 + 4) * 5 through function_call items answers 35", async () => {
    const calls: string[] = [];
    const agent = createAgent({
      model: model("databricks-gpt-oss-120b", { useResponsesApi: true }),
      tools: arithmeticTools(calls),
    });
    const result = await agent.invoke(QUESTION);
    expect(calls).toEqual(["add(3,4)", "multiply(7,5)"]);
    expect(result.messages.at(-1)?.text).toContain("The answer is 35");
  });
});
