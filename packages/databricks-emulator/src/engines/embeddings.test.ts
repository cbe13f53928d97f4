import { describe, expect, it } from "vitest";
import { apiError, jsonBody } from "../../test-support/engines.js";
import type { EngineModel } from "./contract.js";
import { CHUNK_CACHE_LIMIT } from "./embedding-space.js";
import { runEmbeddings } from "./embeddings.js";
import { FEATURE_CACHE_LIMIT, featureCacheSize, featureVector, modelSeed } from "./feature-vectors.js";

const gte: EngineModel = {
  modelName: "gte-large-en-v1.5",
  task: "llm/v1/embeddings",
  family: "embedding",
  dimensions: 1024,
};
const bge: EngineModel = { ...gte, modelName: "bge-large-en-v1.5" };
type Item = { object: string; index: number; embedding: number[] | string };

const embed = (input: unknown, extra: Record<string, unknown> = {}, model = gte) => {
  const body = jsonBody(runEmbeddings({ input, ...extra }, model, "invocations"));
  return { body, data: body.data as Item[] };
};
const vec = (text: string, model = gte): number[] => embed(text, {}, model).data[0]?.embedding as number[];

/**
 * The engine's definition, written out independently of its word-chunk regrouping: words (weight 1) and the
 * trigrams of the lower-cased, space-normalised stream (weight 0.5), each adding weight x its dense direction.
 */
const reference = (text: string, model: EngineModel): number[] => {
  const dims = model.dimensions ?? 1024;
  const seed = modelSeed(model.modelName);
  const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;
  const lower = text.toLowerCase();
  const codes = Array.from({ length: lower.length }, (_, i) => lower.charCodeAt(i));
  const acc = new Float64Array(dims);
  const add = (hash: number, w: number) => {
    const r = featureVector(hash >>> 0, seed, dims);
    for (let i = 0; i < dims; i++) acc[i] = (acc[i] as number) + w * (r[i] as number);
  };
  let [p2, p1] = [32, 32];
  let word: number | undefined;
  for (const raw of [...codes, 32]) {
    const c = isWord(raw) ? raw : 32;
    if (c !== 32) word = Math.imul((word ?? 0x811c9dc5) ^ c, 0x01000193);
    else if (word !== undefined) {
      add(word, 1);
      word = undefined;
    }
    if (!(c === 32 && p1 === 32)) add(((p2 * 31 + p1) * 31 + c) ^ 0x5bd1e995, 0.5);
    [p2, p1] = [p1, c];
  }
  const norm = Math.sqrt(acc.reduce((s, x) => s + x * x, 0));
  return [...acc].map((x) => x / norm);
};
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

  it("accepts a single string and is deterministic whatever its caches hold", () => {
    // New words: first sighting (not cached), second (chunk built and kept), third (served from the cache).
    const text = `Databricks Model Serving zq${Date.now()} xk${process.pid}`;
    const first = vec(text);
    expect(vec(text)).toEqual(first);
    expect(vec(text)).toEqual(first);
    expect(embed([text, "other words", text]).data.map((d) => d.embedding)).toEqual([
      first,
      vec("other words"),
      first,
    ]);
  });

  it("scores similar texts higher than unrelated ones", () => {
    const q = vec("How do I deploy a model to a serving endpoint?");
    const near = vec("Deploying models to serving endpoints");
    const far = vec("The recipe needs two eggs and a cup of flour");
    expect(cosine(q, near)).toBeGreaterThan(cosine(q, far) + 0.2);
    expect(cosine(vec("cat"), vec("cats"))).toBeGreaterThan(cosine(vec("cat"), vec("submarine")));
  });

  it("is dense: every dimension carries a value, including the first three of 'hello'", () => {
    for (const text of ["hello", "a", "Databricks Model Serving", "42"]) {
      const v = vec(text);
      expect(v.filter((x) => x !== 0).length, text).toBeGreaterThanOrEqual(1014); // >= 99% of 1024
      expect(new Set(v).size, text).toBeGreaterThan(1000); // continuous values, not a few repeated levels
    }
    const head = vec("hello").slice(0, 3);
    for (const x of head) {
      expect(x).not.toBe(0);
      expect(Math.abs(x)).toBeLessThan(0.2);
    }
  });

  it("gives each model its own space: gte and bge vectors of the same text differ and are nearly uncorrelated", () => {
    for (const text of ["hello", "How do I deploy a model?"]) {
      const a = vec(text, gte);
      const b = vec(text, bge);
      expect(a).not.toEqual(b);
      expect(Math.abs(cosine(a, b))).toBeLessThan(0.2);
      expect(vec(text, bge)).toEqual(b);
    }
  });

  it("separates related from unrelated texts by a wide margin (the quickstart's figures)", () => {
    for (const model of [gte, bge]) {
      const hello = vec("hello", model);
      const near = cosine(hello, vec("hello there", model));
      const far = cosine(hello, vec("quarterly tax report", model));
      expect(near).toBeGreaterThan(far + 0.3);
      expect(Math.abs(far)).toBeLessThan(0.2);
    }
  });

  it("equals the feature-by-feature definition (word chunks only regroup the sum)", () => {
    const texts = [
      "hello",
      "Hello,   World!  hello again",
      "is paris in france? yes: paris.",
      "Ünïcode ß 東京 x",
      "a-b_c",
    ];
    for (const text of texts) {
      const got = vec(text);
      const want = reference(text, gte);
      for (let i = 0; i < 1024; i++) expect(got[i], `${text}[${i}]`).toBeCloseTo(want[i] as number, 6);
    }
    expect(vec("   ")).toEqual(new Array(1024).fill(0)); // no features at all: the zero vector, not NaN
  });

  it("stays deterministic after its caches evict (bounded: at most the documented number of entries)", () => {
    const before = vec("cache eviction check");
    const many = Array.from({ length: FEATURE_CACHE_LIMIT + CHUNK_CACHE_LIMIT }, (_, i) => `w${i} x${i * 7}`);
    for (let i = 0; i < many.length; i += 1000) embed(many.slice(i, i + 1000));
    expect(featureCacheSize()).toBeLessThanOrEqual(FEATURE_CACHE_LIMIT);
    expect(vec("cache eviction check")).toEqual(before);
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
