/**
 * Streaming usage per model family as real workspaces send it (packages/databricks-emulator/spec/
 * foundation-models.md), as ChatDatabricks reports it: once per stream, equal to invoke's, for the FMAPI
 * families (usage on every chunk) and GPT OSS (a final usage chunk). The wire form without `stream_options`
 * is tested with the openai client in packages/databricks-emulator/src/data/streaming-usage.int.test.ts.
 */
import type { AIMessageChunk } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../../test-support/emulator.js";
import { ChatDatabricks } from "./chat-databricks.js";

const h = useEmulator();

const streamUsage = async (model: string, streamUsageOption: boolean) => {
  const chat = new ChatDatabricks({
    model,
    host: h.emu.url,
    token: h.emu.token,
    streamUsage: streamUsageOption,
  });
  let total: AIMessageChunk | undefined;
  for await (const chunk of await chat.stream("say hello there")) total = total ? total.concat(chunk) : chunk;
  return total?.usage_metadata;
};

describe("usage while streaming, per family", () => {
  it.each([
    "databricks-meta-llama-3-3-70b-instruct",
    "databricks-claude-sonnet-4-5",
    "databricks-gpt-oss-120b",
  ])("%s: usage is counted once, equal to invoke's", async (model) => {
    const streamed = await streamUsage(model, true);
    const chat = new ChatDatabricks({ model, host: h.emu.url, token: h.emu.token });
    const invoked = (await chat.invoke("say hello there")).usage_metadata;
    expect(streamed?.input_tokens).toBe(invoked?.input_tokens);
    expect(streamed?.output_tokens).toBe(invoked?.output_tokens);
  });
});
