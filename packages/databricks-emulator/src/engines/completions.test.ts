import { describe, expect, it } from "vitest";
import { apiError, jsonBody, streamEvents } from "../../test-support/engines.js";
import { runCompletions } from "./completions.js";
import type { EngineModel } from "./contract.js";
import { countTokens } from "./tokenizer.js";

const llama: EngineModel = { modelName: "llama-completions", task: "llm/v1/completions", family: "llama" };
type Choice = { index: number; text: string; finish_reason: string | null };

describe("completions engine", () => {
  it("returns a text_completion with tokenizer usage", () => {
    const body = jsonBody(runCompletions({ prompt: "Hello", max_tokens: 5 }, llama, "invocations"));
    expect(body.object).toBe("text_completion");
    const choice = (body.choices as Choice[])[0] as Choice;
    expect(typeof choice.text).toBe("string");
    expect(countTokens(choice.text)).toBeLessThanOrEqual(5);
    const usage = body.usage as Record<string, number>;
    expect(usage.prompt_tokens).toBe(countTokens("Hello"));
    expect(usage.total_tokens).toBe((usage.prompt_tokens as number) + (usage.completion_tokens as number));
  });

  it("applies stop, max_tokens and lays out n choices per prompt", () => {
    const stopped = jsonBody(runCompletions({ prompt: "count to 9", stop: [", 4"] }, llama, "invocations"));
    expect((stopped.choices as Choice[])[0]?.text).toBe("1, 2, 3");
    const cut = jsonBody(runCompletions({ prompt: "count to 50", max_tokens: 3 }, llama, "invocations"));
    expect((cut.choices as Choice[])[0]?.finish_reason).toBe("length");
    const many = jsonBody(runCompletions({ prompt: ["hello", "say yes"], n: 2 }, llama, "invocations"));
    expect((many.choices as Choice[]).map((c) => [c.index, c.text])).toEqual([
      [0, "Hello! How can I help you today?"],
      [1, "Hello! How can I help you today?"],
      [2, "yes"],
      [3, "yes"],
    ]);
  });

  it("streams text_completion chunks with running usage", () => {
    const chunks = streamEvents(runCompletions({ prompt: "count to 5", stream: true }, llama, "invocations"));
    const text = chunks.map((c) => ((c.choices as Choice[])[0] as Choice).text).join("");
    expect(text).toBe("1, 2, 3, 4, 5");
    expect(chunks.every((c) => c.object === "text_completion" && c.usage !== undefined)).toBe(true);
    expect(((chunks.at(-1)!.choices as Choice[])[0] as Choice).finish_reason).toBe("stop");
  });

  it("validates the body strictly", () => {
    expect(apiError(() => runCompletions({}, llama, "invocations")).message).toBe(
      'Bad request: "prompt" is a required property',
    );
    expect(apiError(() => runCompletions({ prompt: "x", messages: [] }, llama, "invocations")).message).toBe(
      'Bad request: json: unknown field "messages"',
    );
    expect(apiError(() => runCompletions({ prompt: "x", n: 9 }, llama, "invocations")).status).toBe(400);
  });
});
