/**
 * `llm/v1/embeddings` engine: a deterministic local stand-in, NOT a real embedding model. Each text becomes a
 * bag of hashed word unigrams and character trigrams; each feature contributes its weight times a dense
 * pseudo-random direction of the model, and the sum is L2-normalised (`embedding_space.ts`). Texts sharing words
 * and sub-words get clearly higher cosine similarity than unrelated texts, every dimension carries a value, and
 * each model (seeded by its name) has its own space. This file is the request/response side.
 * `usage.prompt_tokens` is an approximation (words plus punctuation marks, no tokenizer), documented as such.
 */

import { invalidParameter } from "../errors.js";
import type { EngineHandler, EngineModel } from "./contract.js";
import { embedText } from "./embedding-space.js";
import { modelSeed } from "./feature-vectors.js";
import {
  checkExtraParams,
  fail,
  type Json,
  optInt,
  optString,
  rejectUnknown,
  requireObjectBody,
  typeError,
} from "./validate.js";

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

export interface EmbeddingsRequest {
  texts: string[];
  format: "float" | "base64";
  /** Requested output size, when given (the built-in engine only produces its model's own size). */
  dimensions?: number;
}

/** Strict parsing of an `llm/v1/embeddings` body (also run on requests bound for external models). */
export const parseEmbeddingsRequest = (raw: unknown): EmbeddingsRequest => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, EMBEDDING_KEYS);
  const texts = parseInput(body);
  const format = optString(body, "encoding_format") ?? "float";
  if (format !== "float" && format !== "base64") {
    throw fail(`"encoding_format" must be "float" or "base64", got "${format}"`);
  }
  const dimensions = optInt(body, "dimensions", { min: 1, max: 65_536 });
  optString(body, "instruction");
  optString(body, "user");
  checkExtraParams(body);
  return { texts, format, ...(dimensions === undefined ? {} : { dimensions }) };
};

export const runEmbeddings: EngineHandler = (raw, model: EngineModel) => {
  const { texts, format, dimensions } = parseEmbeddingsRequest(raw);
  const dims = model.dimensions ?? 1024;
  if (dimensions !== undefined && dimensions !== dims) {
    throw fail(`this model produces ${dims}-dimensional embeddings; "dimensions" must be omitted or ${dims}`);
  }
  const data: Json[] = new Array(texts.length);
  const seed = modelSeed(model.modelName);
  let tokens = 0;
  for (let i = 0; i < texts.length; i++) {
    const e = embedText(texts[i] as string, dims, seed);
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
