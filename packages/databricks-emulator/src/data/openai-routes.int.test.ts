/**
 * `spec/conformance-cases.md`, the OpenAI-compatible routes under /serving-endpoints (cases 71-74) at the HTTP level.
 * The official `openai` client drives the same routes in openai-client.int.test.ts.
 */
import { describe, expect, it } from "vitest";
import { asArray, dig, expectError, parseStrictSse, useEmulator } from "../../test-support/conformance.js";

const LLAMA = "databricks-meta-llama-3-3-70b-instruct";
const GTE = "databricks-gte-large-en";
const hi = [{ role: "user", content: "hi" }];

describe("OpenAI-compatible routes", () => {
  const h = useEmulator();

  it("case 71: POST /serving-endpoints/chat/completions with model=<endpoint> -> chat.completion", async () => {
    const res = await h.call("POST", "/serving-endpoints/chat/completions", { model: LLAMA, messages: hi });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "object")).toBe("chat.completion");
    expect(dig(res.json, "choices", 0, "message", "role")).toBe("assistant");
    expect(typeof dig(res.json, "choices", 0, "message", "content")).toBe("string");
  });

  it("case 71b: chat/completions without model -> 400 envelope", async () => {
    const res = await h.call("POST", "/serving-endpoints/chat/completions", { messages: hi });
    expectError(res, 400);
  });

  it("case 72: POST /serving-endpoints/embeddings with model=<endpoint>, input x -> one embedding", async () => {
    const res = await h.call("POST", "/serving-endpoints/embeddings", { model: GTE, input: "x" });
    expect(res.status, res.text).toBe(200);
    const data = asArray(dig(res.json, "data"));
    expect(data).toHaveLength(1);
    expect(asArray(dig(data[0], "embedding")).length).toBeGreaterThan(0);
  });

  it("case 72b: encoding_format base64 returns a base64 string of little-endian float32s", async () => {
    const floats = await h.call("POST", "/serving-endpoints/embeddings", { model: GTE, input: "x" });
    const res = await h.call("POST", "/serving-endpoints/embeddings", {
      model: GTE,
      input: "x",
      encoding_format: "base64",
    });
    expect(res.status, res.text).toBe(200);
    const b64 = dig(res.json, "data", 0, "embedding");
    expect(typeof b64).toBe("string");
    const buf = Buffer.from(String(b64), "base64");
    const decoded = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
    const expected = asArray(dig(floats.json, "data", 0, "embedding")) as number[];
    expect(decoded).toHaveLength(expected.length);
    decoded.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
  });

  it("case 72c: POST /serving-endpoints/completions on an embeddings endpoint is refused with an envelope", async () => {
    const res = await h.call("POST", "/serving-endpoints/completions", { model: GTE, prompt: "x" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status);
  });

  it("case 73: chat/completions with model nope -> 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await h.call("POST", "/serving-endpoints/chat/completions", { model: "nope", messages: hi });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist.");
  });

  it("case 74: stream:true on chat/completions -> chunks that end with data: [DONE]", async () => {
    const res = await h.call("POST", "/serving-endpoints/chat/completions", {
      model: LLAMA,
      messages: hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type") ?? "").toMatch(/^text\/event-stream/);
    const { events, done } = parseStrictSse(res.text);
    expect(done).toBe(true);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(dig(e, "object")).toBe("chat.completion.chunk");
  });

  it("case 74b: the OpenAI route checks auth like every other route", async () => {
    const res = await h.call(
      "POST",
      "/serving-endpoints/chat/completions",
      { model: LLAMA, messages: hi },
      { token: null },
    );
    expectError(res, 401);
  });
});
