/**
 * `llm/v1/embeddings` engine: a deterministic local stand-in, NOT a real embedding model. Each text becomes a
 * feature-hashed bag of word unigrams and character trigrams (signed hashing into `dimensions` buckets),
 * L2-normalised. Texts sharing words and sub-words get higher cosine similarity than unrelated texts.
 * Hot path (20,000 short texts per benchmark): one pass over the characters, one reused scratch buffer, no
 * tokenizer. `usage.prompt_tokens` is therefore an approximation (words plus punctuation marks), documented
 * as such.
 */

import { invalidParameter } from "../errors.js";
import type { EngineHandler, EngineModel } from "./contract.js";
import { fail, type Json, optString, rejectUnknown, requireObjectBody, typeError } from "./validate.js";

const EMBEDDING_KEYS = new Set([
  "input",
  "model",
  "encoding_format",
  "dimensions",
  "instruction",
  "user",
  "extra_params",
  "client_request_id",
  "usage_context",
]);
const MAX_INPUTS = 2048;
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;

let scratch = new Float64Array(1024);

/** Murmur3 finaliser: spreads a 32-bit hash so bucket and sign bits are independent. */
const mix = (h0: number): number => {
  let h = h0 ^ (h0 >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

const add = (acc: Float64Array, dims: number, hash: number, weight: number): void => {
  const h = mix(hash);
  const bucket = h % dims;
  acc[bucket] = (acc[bucket] as number) + ((h & 0x80000000) === 0 ? weight : -weight);
};

const isWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;

/**
 * Fills `acc` (zeroed, length >= dims) with the features of `text` and returns an approximate token count.
 * Text is lower-cased; runs of non-word characters act as a single space for the trigrams.
 */
export const featurize = (text: string, acc: Float64Array, dims: number): number => {
  const s = text.toLowerCase();
  let p1 = 32;
  let p2 = 32;
  let word = 0x811c9dc5;
  let inWord = false;
  let tokens = 0;
  const n = s.length;
  for (let i = 0; i <= n; i++) {
    const raw = i < n ? s.charCodeAt(i) : 32;
    const wordChar = isWordChar(raw);
    const c = wordChar ? raw : 32;
    if (wordChar) {
      word = Math.imul(word ^ c, 0x01000193);
      inWord = true;
    } else {
      if (inWord) {
        add(acc, dims, word, WORD_WEIGHT);
        tokens++;
        word = 0x811c9dc5;
        inWord = false;
      }
      if (raw !== 32 && raw !== 9 && raw !== 10 && raw !== 13) tokens++;
    }
    // Trigrams over the space-normalised stream (skipping "   " runs), so " pa" / "ari" / "is " are features.
    if (!(c === 32 && p1 === 32)) add(acc, dims, ((p2 * 31 + p1) * 31 + c) ^ 0x5bd1e995, TRIGRAM_WEIGHT);
    p2 = p1;
    p1 = c;
  }
  return Math.max(1, tokens);
};

/** L2-normalised embedding of `text` with `dims` dimensions, plus its approximate token count. */
export const embedText = (text: string, dims: number): { vector: number[]; tokens: number } => {
  if (scratch.length < dims) scratch = new Float64Array(dims);
  scratch.fill(0, 0, dims);
  const tokens = featurize(text, scratch, dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const v = scratch[i] as number;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const vector: number[] = new Array(dims);
  for (let i = 0; i < dims; i++) {
    // 7 decimals: plenty for cosine similarity, and a third of the JSON size of full doubles.
    vector[i] = Math.round((scratch[i] as number) * inv * 1e7) / 1e7;
  }
  return { vector, tokens };
};

/** Base64 of the vector as little-endian float32, what OpenAI clients decode for `encoding_format: "base64"`. */
export const toBase64 = (vector: readonly number[]): string => {
  const f32 = new Float32Array(vector);
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString("base64");
};

const parseInput = (body: Json): string[] => {
  const input = body.input;
  if (input === undefined || input === null) {
    throw invalidParameter("Missing required embeddings parameter: 'input'");
  }
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) throw typeError("input", "string or []string", input);
  if (input.length === 0) throw fail(`"input" must contain at least one string`);
  if (input.length > MAX_INPUTS)
    throw fail(`"input" accepts at most ${MAX_INPUTS} strings per request, got ${input.length}`);
  for (let i = 0; i < input.length; i++) {
    if (typeof input[i] !== "string") throw typeError(`input[${i}]`, "string", input[i]);
  }
  return input as string[];
};

export const runEmbeddings: EngineHandler = (raw, model: EngineModel) => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, EMBEDDING_KEYS);
  const texts = parseInput(body);
  const dims = model.dimensions ?? 1024;
  const format = optString(body, "encoding_format") ?? "float";
  if (format !== "float" && format !== "base64") {
    throw fail(`"encoding_format" must be "float" or "base64", got "${format}"`);
  }
  const requested = body.dimensions;
  if (requested !== undefined && requested !== null && requested !== dims) {
    throw fail(`this model produces ${dims}-dimensional embeddings; "dimensions" must be omitted or ${dims}`);
  }
  optString(body, "instruction");
  const data: Json[] = new Array(texts.length);
  let tokens = 0;
  for (let i = 0; i < texts.length; i++) {
    const e = embedText(texts[i] as string, dims);
    tokens += e.tokens;
    data[i] = {
      object: "embedding",
      index: i,
      embedding: format === "base64" ? toBase64(e.vector) : e.vector,
    };
  }
  return {
    kind: "json",
    body: {
      object: "list",
      model: model.modelName,
      data,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
};
