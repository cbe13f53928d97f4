/**
 * Interop: the official `openai` npm client (v6), unchanged, against the emulator's OpenAI-compatible base
 * `<url>/serving-endpoints` with the workspace PAT as the API key (`spec/conformance-cases.md` cases 71-74).
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { createReady, ensureSecret, externalEndpoint, useEmulator } from "../../test-support/conformance.js";

const LLAMA = "databricks-meta-llama-3-3-70b-instruct";
const GTE = "databricks-gte-large-en";

describe("openai npm client", () => {
  const h = useEmulator();
  // No retries: a retried 404/400 would hide what the emulator actually answered.
  const client = () =>
    new OpenAI({
      baseURL: `${h.emu.url}/serving-endpoints`,
      apiKey: h.emu.token,
      maxRetries: 0,
      timeout: 20_000,
    });

  it("case 71: chat.completions.create on a foundation endpoint", async () => {
    const res = await client().chat.completions.create({
      model: LLAMA,
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 30,
    });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.role).toBe("assistant");
    expect(typeof res.choices[0]?.message.content).toBe("string");
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    );
  });

  it("case 71b: chat.completions.create on an external-model endpoint served offline", async () => {
    await ensureSecret(h);
    await createReady(h, externalEndpoint(h.emu, "gpt"));
    const res = await client().chat.completions.create({
      model: "gpt",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices[0]?.message.role).toBe("assistant");
    expect(res.choices[0]?.finish_reason).toBe("stop");
  });

  it("case 71c: tool calling round-trips through the client types", async () => {
    const res = await client().chat.completions.create({
      model: LLAMA,
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
      tool_choice: "required",
    });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function tool call");
    expect(call.function.name).toBe("get_weather");
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    expect(typeof args.city).toBe("string");
  });

  it("case 72: embeddings.create with the client's default base64 encoding decodes to floats", async () => {
    const res = await client().embeddings.create({ model: GTE, input: "x" });
    expect(res.data).toHaveLength(1);
    const vec = res.data[0]!.embedding;
    expect(Array.isArray(vec)).toBe(true);
    expect(vec.length).toBeGreaterThan(0);
    const norm = Math.sqrt(vec.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 3);
  });

  it("case 72b: embeddings.create with encoding_format float and a batch keeps order", async () => {
    const res = await client().embeddings.create({
      model: GTE,
      input: ["alpha", "beta", "gamma"],
      encoding_format: "float",
    });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const single = await client().embeddings.create({ model: GTE, input: "beta", encoding_format: "float" });
    expect(res.data[1]!.embedding).toEqual(single.data[0]!.embedding);
  });

  it("case 73: model nope -> openai.NotFoundError (404)", async () => {
    const err = await client()
      .chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const nf = err as InstanceType<typeof OpenAI.NotFoundError>;
    expect(nf.status).toBe(404);
    // The client only reads `body.error`; Databricks' envelope is {error_code, message}, so like a real workspace
    // the text is not surfaced here (openai-routes.int.test.ts checks the body itself).
    expect(nf.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("case 73b: invalid parameters -> openai.BadRequestError (400)", async () => {
    const err = await client()
      .chat.completions.create({ model: LLAMA, messages: [{ role: "user", content: "hi" }], temperature: 3 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("case 73c: a bad API key -> openai.PermissionDeniedError (403)", async () => {
    const bad = new OpenAI({ baseURL: `${h.emu.url}/serving-endpoints`, apiKey: "bogus", maxRetries: 0 });
    const err = await bad.chat.completions
      .create({ model: LLAMA, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it("case 74: stream:true iterates ChatCompletionChunks and stops cleanly", async () => {
    const stream = await client().chat.completions.create({
      model: LLAMA,
      messages: [{ role: "user", content: "Tell me something" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      chunks++;
      ids.add(chunk.id);
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(ids.size).toBe(1);
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe("stop");
  });

  it("case 74b: a stream can be aborted early without hurting the server", async () => {
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      {
        model: LLAMA,
        messages: [{ role: "user", content: "Write a long essay" }],
        stream: true,
        max_tokens: 200,
      },
      { signal: controller.signal },
    );
    for await (const _chunk of stream) {
      controller.abort();
      break;
    }
    const res = await client().chat.completions.create({
      model: LLAMA,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices).toHaveLength(1);
  });
});
