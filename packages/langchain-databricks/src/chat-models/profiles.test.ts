import { describe, expect, it } from "vitest";
import { ChatDatabricks } from "./chat-databricks.js";
import { DEFAULT_PROFILE, profileForEndpoint } from "./profiles.js";

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  new ChatDatabricks({ model, host: "https://example.cloud.databricks.com", token: "dapi-x", ...extra });

describe("ChatDatabricks.profile", () => {
  it.each([
    ["databricks-meta-llama-3-3-70b-instruct", 128_000, 8_192, false, false],
    ["databricks-meta-llama-3-1-8b-instruct", 128_000, 8_192, false, false],
    ["databricks-llama-4-maverick", 128_000, 8_000, false, false],
    ["databricks-claude-sonnet-4-5", 200_000, 64_000, true, true],
    ["databricks-gpt-oss-120b", 131_072, 32_768, false, true],
    ["databricks-gpt-5-mini", 400_000, 128_000, true, true],
    ["databricks-gemini-2-5-flash", 1_048_576, 65_536, true, true],
    ["databricks-gemma-3-12b", 128_000, 8_192, true, false],
    ["databricks-qwen3-next-80b-a3b-instruct", 262_144, 10_000, false, false],
  ])(
    "%s: limits, tools, native structured output, images, reasoning",
    (model, input, output, images, reasoning) => {
      const p = chat(model).profile;
      expect(p).toMatchObject({
        maxInputTokens: input,
        maxOutputTokens: output,
        toolCalling: true,
        structuredOutput: true,
        imageInputs: images,
        reasoningOutput: reasoning,
      });
    },
  );

  it("embedding endpoints report no tool calling or structured output", () => {
    expect(profileForEndpoint("databricks-gte-large-en")).toMatchObject({
      toolCalling: false,
      structuredOutput: false,
    });
    expect(profileForEndpoint("databricks-bge-large-en").toolCalling).toBe(false);
  });

  it("other endpoints get the conservative default, and modelProfile overrides any field", () => {
    expect(chat("my-custom-agent").profile).toEqual(DEFAULT_PROFILE);
    expect(chat("my-custom-agent").profile.structuredOutput).toBe(false);
    expect(
      chat("my-custom-agent", { modelProfile: { structuredOutput: true, maxInputTokens: 32_000 } }).profile,
    ).toEqual({
      ...DEFAULT_PROFILE,
      structuredOutput: true,
      maxInputTokens: 32_000,
    });
  });

  it("serialises the Databricks config profile name, not the model profile", () => {
    const json = chat("databricks-gpt-oss-120b", { profile: "staging" }).toJSON() as {
      kwargs: Record<string, unknown>;
    };
    expect(json.kwargs.profile).toBe("staging");
    const plain = chat("databricks-gpt-oss-120b").toJSON() as { kwargs: Record<string, unknown> };
    expect("profile" in plain.kwargs).toBe(false);
  });
});
