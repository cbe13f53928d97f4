import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createAgent } from "langchain";
import { expect, test } from "vitest";
import { z } from "zod";
import { useEmulator } from "../../test-support/emulator.js";
import { ChatDatabricks } from "./chat-databricks.js";

const h = useEmulator();

test("createAgent with ChatDatabricks and two tools completes a multi-step task", async () => {
  const calls: string[] = [];
  const weather = tool(
    async ({ location }: { location: string }) => {
      calls.push(`weather:${location}`);
      return `sunny and 21C in ${location}`;
    },
    {
      name: "get_weather",
      description: "Get the current weather for a city",
      schema: z.object({ location: z.string().describe("city name") }),
    },
  );
  const add = tool(
    async ({ a, b }: { a: number; b: number }) => {
      calls.push(`add:${a}+${b}`);
      return String(a + b);
    },
    {
      name: "add_numbers",
      description: "Add two numbers and return the sum",
      schema: z.object({ a: z.number(), b: z.number() }),
    },
  );
  const model = new ChatDatabricks({
    model: "databricks-meta-llama-3-3-70b-instruct",
    host: h.emu.url,
    token: h.emu.token,
    maxRetries: 0,
  });
  const agent = createAgent({ model, tools: [weather, add] });
  const result = await agent.invoke({
    messages: [{ role: "user", content: "What is the weather in Paris, then compute the sum of 3 plus 4" }],
  });

  // Step 1: the model asked for both tools; step 2: the tools ran; step 3: the model answered from the results.
  expect(calls.sort()).toEqual(["add:3+4", "weather:Paris"]);
  const toolMessages = result.messages.filter((m) => ToolMessage.isInstance(m));
  expect(toolMessages).toHaveLength(2);
  const final = result.messages.at(-1);
  expect(AIMessage.isInstance(final)).toBe(true);
  expect(final?.text).toContain("sunny and 21C in Paris");
  expect(final?.text).toContain("7");
});
