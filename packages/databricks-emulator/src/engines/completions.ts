/**
 * `llm/v1/completions` engine: deterministic local stand-in (same reply rules as chat, applied to the prompt).
 * Choices are laid out OpenAI-style: prompt p, sample j -> `index = p * n + j`.
 */
import type { EngineHandler, EngineModel } from "./contract.js";
import { type FinishReason, runTurn } from "./generate.js";
import { completionId, nowSeconds } from "./ids.js";
import { streamPieces } from "./reply.js";
import { countTokens } from "./tokenizer.js";
import {
  checkExtraParams,
  fail,
  type Json,
  optBool,
  optIncludeUsage,
  optInt,
  optNumber,
  optStop,
  rejectUnknown,
  requireObjectBody,
  typeError,
} from "./validate.js";

const COMPLETION_KEYS = new Set([
  "prompt",
  "model",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "n",
  "stream",
  "stream_options",
  "logprobs",
  "echo",
  "seed",
  "user",
  "presence_penalty",
  "frequency_penalty",
  "extra_params",
  "error_behavior",
  "use_raw_prompt",
  "client_request_id",
  "usage_context",
]);

const parsePrompts = (body: Json): string[] => {
  const p = body.prompt;
  if (p === undefined || p === null) throw fail(`"prompt" is a required property`);
  if (typeof p === "string") return [p];
  if (!Array.isArray(p)) throw typeError("prompt", "string or []string", p);
  if (p.length === 0) throw fail(`"prompt" must contain at least one string`);
  p.forEach((s, i) => {
    if (typeof s !== "string") throw typeError(`prompt[${i}]`, "string", s);
  });
  return p as string[];
};

interface Sample {
  text: string;
  finishReason: FinishReason;
}

export interface CompletionsRequest {
  prompts: string[];
  maxTokens?: number;
  n: number;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
}

/** Strict parsing of an `llm/v1/completions` body (also run on requests bound for external models). */
export const parseCompletionsRequest = (raw: unknown): CompletionsRequest => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, COMPLETION_KEYS);
  const prompts = parsePrompts(body);
  const maxTokens = optInt(body, "max_tokens", { min: 1, max: 1_000_000 });
  optNumber(body, "temperature", { min: 0, max: 2 });
  optNumber(body, "top_p", { min: 0, max: 1, exclusiveMin: true });
  optInt(body, "top_k", { min: 1, max: 1_000_000 });
  optInt(body, "logprobs", { min: 0, max: 5 });
  optBool(body, "echo");
  optBool(body, "use_raw_prompt");
  if (
    body.error_behavior !== undefined &&
    body.error_behavior !== "error" &&
    body.error_behavior !== "truncate"
  ) {
    throw fail(`"error_behavior" must be "error" or "truncate"`);
  }
  checkExtraParams(body);
  const n = optInt(body, "n", { min: 1, max: 5 }) ?? 1;
  const stop = optStop(body);
  const stream = optBool(body, "stream") ?? false;
  const includeUsage = optIncludeUsage(body);
  return { prompts, maxTokens, n, stop, stream, includeUsage };
};

export const runCompletions: EngineHandler = (raw, model) => {
  const { prompts, maxTokens, n, stop, stream, includeUsage } = parseCompletionsRequest(raw);
  const samples: Sample[] = [];
  let prompt = 0;
  for (const p of prompts) {
    prompt += countTokens(p);
    const turn = runTurn([{ role: "user", text: p, toolCalls: [] }], { maxTokens, stop });
    for (let j = 0; j < n; j++) samples.push({ text: turn.text, finishReason: turn.finishReason });
  }
  if (stream) return { kind: "stream", events: streamCompletions(samples, prompt, model, includeUsage) };
  let completion = 0;
  const choices = samples.map((s, index) => {
    completion += countTokens(s.text);
    return { index, text: s.text, finish_reason: s.finishReason, logprobs: null };
  });
  return {
    kind: "json",
    body: {
      id: completionId(),
      object: "text_completion",
      created: nowSeconds(),
      model: model.modelName,
      choices,
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    },
  };
};

function* streamCompletions(
  samples: Sample[],
  prompt: number,
  model: EngineModel,
  includeUsage: boolean,
): Generator<Json> {
  const id = completionId();
  const created = nowSeconds();
  const openAiUsage = model.family === "gpt";
  let running = 0;
  const usage = () => ({ prompt_tokens: prompt, completion_tokens: running, total_tokens: prompt + running });
  for (let index = 0; index < samples.length; index++) {
    const s = samples[index] as Sample;
    const pieces = streamPieces(s.text);
    if (pieces.length === 0) pieces.push("");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      running += countTokens(piece);
      const last = i === pieces.length - 1;
      const chunk: Json = {
        id,
        object: "text_completion",
        created,
        model: model.modelName,
        choices: [{ index, text: piece, finish_reason: last ? s.finishReason : null, logprobs: null }],
      };
      if (!openAiUsage) chunk.usage = usage();
      yield chunk;
    }
  }
  if (openAiUsage && includeUsage) {
    yield { id, object: "text_completion", created, model: model.modelName, choices: [], usage: usage() };
  }
}
