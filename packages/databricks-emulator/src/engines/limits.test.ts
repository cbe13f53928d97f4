import { describe, expect, it } from "vitest";
import { apiError, jsonBody, streamEvents } from "../../test-support/engines.js";
import { runChat } from "./chat.js";
import { FOUNDATION_MODELS } from "./foundation.js";
import { runResponses } from "./responses.js";

const modelOf = (endpoint: string) => {
  const m = FOUNDATION_MODELS.find((f) => f.endpointName === endpoint)?.model;
  if (!m) throw new Error(`no foundation model ${endpoint}`);
  return m;
};
const llama = modelOf("databricks-meta-llama-3-3-70b-instruct");
const user = (content: string) => ({ messages: [{ role: "user", content }] });

describe("per-model output limit and context window", () => {
  it.each([
    ["databricks-meta-llama-3-3-70b-instruct", 128_000, 8_192],
    ["databricks-meta-llama-3-1-8b-instruct", 128_000, 8_192],
    ["databricks-claude-sonnet-4-5", 200_000, 64_000],
    ["databricks-gpt-oss-120b", 131_072, 32_768],
    ["databricks-gemini-2-5-flash", 1_048_576, 65_536],
    ["databricks-llama-4-maverick", 128_000, 8_000],
    ["databricks-gemma-3-12b", 128_000, 8_192],
    ["databricks-qwen3-next-80b-a3b-instruct", 262_144, 10_000],
  ])("%s: window %i, output %i (spec/foundation-models.md)", (endpoint, window, output) => {
    expect(modelOf(endpoint)).toMatchObject({ contextWindow: window, maxOutputTokens: output });
    const ok = jsonBody(runChat({ ...user("hi"), max_tokens: output }, modelOf(endpoint), "openai"));
    expect(ok.object).toBe("chat.completion");
    const e = apiError(() => runChat({ ...user("hi"), max_tokens: output + 1 }, modelOf(endpoint), "openai"));
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("BAD_REQUEST");
    expect(e.message).toBe(
      `Bad request: rpc error: code = InvalidArgument desc = max_tokens (${output + 1}) cannot exceed ${output}. Please reduce the length of max output tokens generated.`,
    );
  });

  it("max_tokens 1,000,000 with n 5 is refused before any text is built", () => {
    const e = apiError(() => runChat({ ...user("long"), max_tokens: 1_000_000, n: 5 }, llama, "openai"));
    expect(e.message).toMatch(/max_tokens \(1000000\) cannot exceed 8192/);
  });

  it("a prompt above the context window is a 400 naming both counts", () => {
    const big = "word ".repeat(130_000);
    const e = apiError(() => runChat({ ...user(big), max_tokens: 100 }, llama, "openai"));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(
      /^Bad request: rpc error: code = InvalidArgument desc = This model's maximum context length is 128000 tokens\. However, you requested (\d+) tokens \((\d+) in the messages, 100 in the completion\)\. Please reduce the length of the messages or completion\.$/,
    );
    const [, total, prompt] = /requested (\d+) tokens \((\d+) in/.exec(e.message) ?? [];
    expect(Number(total)).toBe(Number(prompt) + 100);
    expect(Number(prompt)).toBeGreaterThan(128_000);
  });

  it("prompt + max_tokens above the window is refused even when each alone fits", () => {
    const prompt = "word ".repeat(125_000);
    expect(() => runChat({ ...user(prompt) }, llama, "openai")).not.toThrow();
    expect(apiError(() => runChat({ ...user(prompt), max_tokens: 8_000 }, llama, "openai")).message).toMatch(
      /maximum context length is 128000 tokens/,
    );
  });

  it("without max_tokens the output is cut at the model's limit (finish_reason length)", () => {
    const body = jsonBody(runChat(user("give me 20000 words"), llama, "openai"));
    const choice = (body.choices as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(choice.finish_reason).toBe("length");
    expect((body.usage as Record<string, number>).completion_tokens).toBe(8_192);
  });

  it("n is bounded to 1..5 like the real API", () => {
    expect((jsonBody(runChat({ ...user("hi"), n: 5 }, llama, "openai")).choices as unknown[]).length).toBe(5);
    expect(apiError(() => runChat({ ...user("hi"), n: 6 }, llama, "openai")).message).toBe(
      'Bad request: "n" must be an integer between 1 and 5, got 6',
    );
    expect(apiError(() => runChat({ ...user("hi"), n: 0 }, llama, "openai")).status).toBe(400);
  });

  it("Responses: max_output_tokens above the limit is refused the same way", () => {
    const gpt = modelOf("databricks-gpt-oss-120b");
    const e = apiError(() => runResponses({ input: "hi", max_output_tokens: 40_000 }, gpt, "openai"));
    expect(e.message).toMatch(/max_output_tokens \(40000\) cannot exceed 32768/);
  });
});

describe("streaming usage per family (spec/foundation-models.md)", () => {
  const stream = (endpoint: string, extra: Record<string, unknown> = {}) =>
    streamEvents(
      runChat({ ...user("say hello there"), stream: true, ...extra }, modelOf(endpoint), "openai"),
    );

  it("GPT OSS sends a final usage chunk even without stream_options (databricks-langchain test_chat_databricks_token_count)", () => {
    const events = stream("databricks-gpt-oss-120b");
    const last = events.at(-1) as Record<string, unknown>;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    expect(events.slice(0, -1).every((e) => e.usage === undefined)).toBe(true);
  });

  it("Llama and Claude put running usage on every chunk", () => {
    for (const endpoint of ["databricks-meta-llama-3-3-70b-instruct", "databricks-claude-sonnet-4-5"]) {
      const events = stream(endpoint);
      expect(events.every((e) => typeof (e.usage as Record<string, number>)?.total_tokens === "number")).toBe(
        true,
      );
    }
  });

  it("a generic gpt-family model only sends usage when asked", () => {
    const gpt = { modelName: "gpt-x", task: "llm/v1/chat" as const, family: "gpt" as const };
    const plain = streamEvents(runChat({ ...user("hi"), stream: true }, gpt, "openai"));
    expect(plain.some((e) => e.usage !== undefined)).toBe(false);
    const asked = streamEvents(
      runChat({ ...user("hi"), stream: true, stream_options: { include_usage: true } }, gpt, "openai"),
    );
    expect((asked.at(-1) as Record<string, unknown>).usage).toBeDefined();
  });
});
