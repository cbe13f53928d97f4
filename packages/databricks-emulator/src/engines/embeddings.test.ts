import { describe, expect, it } from "vitest";
import type { EngineModel } from "./contract.js";
import { runEmbeddings } from "./embeddings.js";
import { apiError, jsonBody } from "./test_helpers.js";

const gte: EngineModel = {
  modelName: "gte-large-en-v1.5",
  task: "llm/v1/embeddings",
  family: "embedding",
  dimensions: 1024,
};
type Item = { object: string; index: number; embedding: number[] | string };

const embed = (input: unknown, extra: Record<string, unknown> = {}) => {
  const body = jsonBody(runEmbeddings({ input, ...extra }, gte, "invocations"));
  return { body, data: body.data as Item[] };
};
const vec = (text: string): number[] => embed(text).data[0]?.embedding as number[];
const cosine = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe("embeddings engine", () => {
  it("returns an OpenAI-style list with one 1024-dim unit vector per input", () => {
    const { body, data } = embed(["a", "b"]);
    expect(body.object).toBe("list");
    expect(body.model).toBe("gte-large-en-v1.5");
    expect(data.map((d) => [d.object, d.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
    ]);
    for (const d of data) {
      const v = d.embedding as number[];
      expect(v).toHaveLength(1024);
      expect(Math.abs(cosine(v, v) - 1)).toBeLessThan(1e-5);
    }
    const usage = body.usage as Record<string, number>;
    expect(usage.prompt_tokens).toBe(2);
    expect(usage.total_tokens).toBe(2);
    expect(usage).not.toHaveProperty("completion_tokens");
  });

  it("accepts a single string and is deterministic", () => {
    expect(vec("Databricks Model Serving")).toEqual(vec("Databricks Model Serving"));
  });

  it("scores similar texts higher than unrelated ones", () => {
    const q = vec("How do I deploy a model to a serving endpoint?");
    const near = vec("Deploying models to serving endpoints");
    const far = vec("The recipe needs two eggs and a cup of flour");
    expect(cosine(q, near)).toBeGreaterThan(cosine(q, far) + 0.2);
    expect(cosine(vec("cat"), vec("cats"))).toBeGreaterThan(cosine(vec("cat"), vec("submarine")));
  });

  it("returns little-endian float32 base64 when asked (OpenAI client default)", () => {
    const floats = vec("hello world");
    const b64 = embed("hello world", { encoding_format: "base64" }).data[0]?.embedding as string;
    const buf = Buffer.from(b64, "base64");
    expect(buf.byteLength).toBe(1024 * 4);
    for (let i = 0; i < 1024; i += 97) expect(buf.readFloatLE(i * 4)).toBeCloseTo(floats[i] as number, 6);
  });

  it("reports a missing input the FMAPI way", () => {
    const e = apiError(() => runEmbeddings({}, gte, "invocations"));
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect(e.message).toBe("Missing required embeddings parameter: 'input'");
  });

  it("rejects unknown fields, wrong types and bad options", () => {
    expect(apiError(() => runEmbeddings({ input: "x", inputs: 1 }, gte, "invocations")).message).toBe(
      'Bad request: json: unknown field "inputs"',
    );
    expect(apiError(() => embed([1])).message).toMatch(/input\[0\]/);
    expect(apiError(() => embed([])).message).toMatch(/at least one/);
    expect(apiError(() => embed("x", { encoding_format: "hex" })).message).toMatch(/encoding_format/);
    expect(apiError(() => embed("x", { dimensions: 256 })).message).toMatch(/1024/);
  });

  it("embeds a benchmark-sized batch quickly (20,000 short texts)", () => {
    const texts = Array.from({ length: 20_000 }, (_, i) => `document number ${i} about lakehouse data`);
    let n = 0;
    for (let i = 0; i < texts.length; i += 1000) n += embed(texts.slice(i, i + 1000)).data.length;
    expect(n).toBe(20_000);
  });
});
