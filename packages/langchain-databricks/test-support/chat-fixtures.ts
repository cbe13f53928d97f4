import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { z } from "zod";

/** Fixtures equivalent to LangChain's standard-test fixtures (re-created, see spec/langchain-standard-tests.md §2.0). */
export const personSchema = z
  .object({ name: z.string(), age: z.number().int().positive() })
  .describe("A person");

export const PersonTool = () =>
  tool(async (input: z.infer<typeof personSchema>) => JSON.stringify(input), {
    name: "PersonTool",
    description: "A person",
    schema: personSchema,
  });

export const adderSchema = z
  .object({ a: z.number().int(), b: z.number().int() })
  .describe("Add two integers");

export const AdderTool = () =>
  tool(async ({ a, b }: z.infer<typeof adderSchema>) => JSON.stringify({ result: a + b }), {
    name: "AdderTool",
    description: "Add two integers",
    schema: adderSchema,
  });

export const mathAdditionPrompt = (toolName: string) => [
  new SystemMessage(`You are bad at math and must ALWAYS call the ${toolName} function.`),
  new HumanMessage("What is the sum of 1836281973 and 19973286?"),
];

export const weatherTool = () =>
  tool(async ({ location }: { location: string }) => `It is sunny in ${location}.`, {
    name: "get_current_weather",
    description: "Get the current weather in a given location",
    schema: z.object({ location: z.string().describe("City name") }),
  });

export const timeTool = () =>
  tool(async ({ location }: { location: string }) => `It is 12:00 in ${location}.`, {
    name: "get_current_time",
    description: "Get the current time in a given location",
    schema: z.object({ location: z.string().describe("City name") }),
  });

/** Collects the `extraParams` passed to handleChatModelStart, as LangChain's TestCallbackHandler does. */
export class ExtraParamsHandler extends BaseCallbackHandler {
  name = "extra-params";
  extraParams: Record<string, unknown>[] = [];
  override handleChatModelStart(
    _llm: Serialized,
    _messages: BaseMessage[][],
    _runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
  ) {
    this.extraParams.push(extraParams ?? {});
  }
}
