import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, test } from "vitest";
import type { ChatDatabricks } from "../src/chat-models/chat-databricks.js";
import type { ChatDatabricksInput } from "../src/chat-models/types.js";
import { PersonTool, personSchema } from "./chat-fixtures.js";

type Ctor = new (fields: ChatDatabricksInput) => ChatDatabricks;

const STANDARD_DEFAULTS = { temperature: 0, maxTokens: 100, timeout: 60, stopSequences: [], maxRetries: 2 };

const EXPECTED_LS_KEYS = [
  "ls_provider",
  "ls_model_name",
  "ls_model_type",
  "ls_temperature",
  "ls_max_tokens",
  "ls_stop",
];

/**
 * Our re-implementation of LangChain's `ChatModelUnitTests` (spec/langchain-standard-tests.md §2.1): the upstream suite is not
 * published, so the same assertions are written here. No network: the model is never invoked successfully.
 */
export function runChatModelUnitStandardTests(name: string, Cls: Ctor, args: ChatDatabricksInput) {
  const make = (extra: Partial<ChatDatabricksInput> = {}) =>
    new Cls({ ...STANDARD_DEFAULTS, ...args, ...extra });

  describe(name, () => {
    test("should initialize chat model successfully", () => {
      expect(make()).toBeDefined();
    });

    test("should initialize chat model with API key", () => {
      expect(make({ apiKey: "test" })).toBeDefined();
    });

    test("should initialize chat model with streaming enabled", () => {
      expect(make({ streaming: true })).toBeDefined();
    });

    test("should bind tools when tool calling is supported", () => {
      expect(make().bindTools([PersonTool()])).toBeDefined();
    });

    test("should work with structured output when supported", () => {
      expect(make().withStructuredOutput(personSchema)).toBeDefined();
    });

    test("should return standard LangSmith parameters", () => {
      const params = make().getLsParams({});
      expect(params).toBeDefined();
      expect(Object.keys(params).sort()).toEqual([...EXPECTED_LS_KEYS].sort());
    });

    test("invoke should throw when signal is already aborted", async () => {
      await expect(
        make().invoke([new HumanMessage("hello")], { signal: AbortSignal.abort() }),
      ).rejects.toThrow();
    });

    test("stream should handle aborted signal correctly", async () => {
      let chunks = 0;
      let threw = false;
      try {
        for await (const _ of await make().stream([new HumanMessage("hello")], {
          signal: AbortSignal.abort(),
        }))
          chunks++;
      } catch {
        threw = true;
      }
      expect(threw || chunks === 0).toBe(true);
    });
  });
}
