/**
 * The official `openai` npm client streaming from the emulator without `stream_options`, per family
 * (spec/foundation-models.md): databricks-langchain's `test_chat_databricks_token_count` expects a usage chunk
 * when streaming `databricks-gpt-oss-120b` this way; FMAPI families carry running usage on every chunk.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../index.js";

let emu: Awaited<ReturnType<typeof startEmulator>>;
let client: OpenAI;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = new OpenAI({ baseURL: `${emu.url}/serving-endpoints`, apiKey: emu.token, maxRetries: 0 });
});
afterAll(async () => {
  await emu?.close();
});

const chunks = async (model: string) => {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "What is the 100th fibonacci number?" }],
    stream: true,
  });
  const out = [];
  for await (const c of stream) out.push(c);
  return out;
};

describe("streaming usage without stream_options (openai client)", () => {
  it("databricks-gpt-oss-120b ends with a usage chunk (choices [])", async () => {
    const all = await chunks("databricks-gpt-oss-120b");
    const withUsage = all.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    const last = all.at(-1);
    expect(last?.choices).toEqual([]);
    const u = last?.usage;
    expect(u?.prompt_tokens).toBeGreaterThan(0);
    expect(u?.completion_tokens).toBeGreaterThan(0);
    expect(u?.total_tokens).toBe((u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0));
  });

  it("Llama and Claude carry running usage on every chunk, the last one final", async () => {
    for (const model of ["databricks-meta-llama-3-3-70b-instruct", "databricks-claude-sonnet-4-5"]) {
      const all = await chunks(model);
      expect(all.every((c) => c.usage !== undefined && c.usage !== null)).toBe(true);
      const counts = all.map((c) => c.usage?.completion_tokens ?? 0);
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
      expect(all.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    }
  });
});
