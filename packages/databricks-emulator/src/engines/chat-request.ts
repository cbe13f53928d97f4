/** Strict parsing of an `llm/v1/chat` request body (spec/serving.md 3.3B) into a normalised request. */
import type { EngineModel } from "./contract.js";
import { type ChatMessage, parseMessages } from "./messages.js";
import { parseChatTools, parseToolChoice, type ToolChoice, type ToolDef } from "./tool-defs.js";
import {
  checkExtraParams,
  fail,
  isObject,
  type Json,
  optBool,
  optIncludeUsage,
  optInt,
  optNumber,
  optObject,
  optStop,
  rejectUnknown,
  requireObjectBody,
  typeError,
} from "./validate.js";

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Json };

export interface ChatRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  n: number;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  tools: ToolDef[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  responseFormat: ResponseFormat;
  /** The caller asked for reasoning (Claude `thinking` enabled or `reasoning_effort` set). */
  reasoningRequested: boolean;
  /** Raw pieces that count as prompt tokens besides message text (tool definitions). */
  promptExtras: string;
}

const COMMON_KEYS = [
  "messages",
  "model",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "n",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "logprobs",
  "top_logprobs",
  "reasoning_effort",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "user",
  "extra_params",
  "client_request_id",
  "usage_context",
];
const CHAT_KEYS = new Set(COMMON_KEYS);
// Claude endpoints also take Anthropic's `thinking` switch; other families reject it as an unknown field.
const CLAUDE_CHAT_KEYS = new Set([...COMMON_KEYS, "thinking"]);
const REASONING_EFFORTS = new Set(["minimal", "low", "medium", "high"]);
const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

// Value ranges, built once: every request checks its numbers against them (spec/serving.md 3.3B).
const TOKENS = { min: 1, max: 1_000_000 };
const TEMPERATURE = { min: 0, max: 2 };
const TOP_P = { min: 0, max: 1, exclusiveMin: true };
const PENALTY = { min: -2, max: 2 };
const SEED = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
const TOP_LOGPROBS = { min: 0, max: 20 };
const CHOICES = { min: 1, max: 5 };

export const parseChatRequest = (raw: unknown, model: EngineModel): ChatRequest => {
  const body = requireObjectBody(raw);
  rejectUnknown(body, model.family === "claude" ? CLAUDE_CHAT_KEYS : CHAT_KEYS);
  const messages = parseMessages(body.messages);
  const maxTokens = optInt(body, "max_tokens", TOKENS) ?? optInt(body, "max_completion_tokens", TOKENS);
  optNumber(body, "temperature", TEMPERATURE);
  optNumber(body, "top_p", TOP_P);
  optInt(body, "top_k", TOKENS);
  optNumber(body, "presence_penalty", PENALTY);
  optNumber(body, "frequency_penalty", PENALTY);
  optInt(body, "seed", SEED);
  const logprobs = optBool(body, "logprobs") ?? false;
  const topLogprobs = optInt(body, "top_logprobs", TOP_LOGPROBS);
  if (topLogprobs !== undefined && !logprobs) throw fail(`"top_logprobs" requires "logprobs": true`);
  if (body.user !== undefined && typeof body.user !== "string") throw typeError("user", "string", body.user);
  if (body.model !== undefined && typeof body.model !== "string")
    throw typeError("model", "string", body.model);
  checkExtraParams(body);
  const stream = optBool(body, "stream") ?? false;
  const includeUsage = optIncludeUsage(body);
  if (body.stream_options !== undefined && !stream)
    throw fail(`"stream_options" is only allowed when "stream" is true`);
  const tools = parseChatTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  const parallelToolCalls = optBool(body, "parallel_tool_calls") ?? true;
  return {
    messages,
    maxTokens,
    n: optInt(body, "n", CHOICES) ?? 1,
    stop: optStop(body),
    stream,
    includeUsage,
    tools,
    toolChoice,
    parallelToolCalls,
    responseFormat: parseResponseFormat(body.response_format),
    reasoningRequested: parseReasoning(body),
    promptExtras: tools.length > 0 ? JSON.stringify(body.tools) : "",
  };
};

const parseReasoning = (body: Json): boolean => {
  const effort = body.reasoning_effort;
  if (
    effort !== undefined &&
    effort !== null &&
    (typeof effort !== "string" || !REASONING_EFFORTS.has(effort))
  ) {
    throw fail(`"reasoning_effort" must be one of minimal, low, medium, high, got ${JSON.stringify(effort)}`);
  }
  const thinking = optObject(body, "thinking");
  if (thinking) {
    rejectUnknown(thinking, new Set(["type", "budget_tokens"]));
    if (thinking.type !== "enabled" && thinking.type !== "disabled") {
      throw fail(
        `thinking.type must be "enabled" or "disabled", got ${JSON.stringify(thinking.type ?? null)}`,
      );
    }
    if (thinking.type === "enabled") {
      const budget = optInt(thinking, "budget_tokens", { min: 1024, max: 1_000_000 });
      if (budget === undefined)
        throw fail(`"budget_tokens" is required when thinking.type is "enabled" (at least 1024)`);
    }
    return thinking.type === "enabled";
  }
  return typeof effort === "string";
};

export const parseResponseFormat = (value: unknown): ResponseFormat => {
  if (value === undefined || value === null) return { type: "text" };
  if (!isObject(value)) throw typeError("response_format", "object", value);
  rejectUnknown(value, new Set(["type", "json_schema"]));
  switch (value.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json_object" };
    case "json_schema": {
      const js = value.json_schema;
      if (js === undefined || js === null) {
        throw fail(`"json_schema" is a required property for "response_format" of type "json_schema"`);
      }
      if (!isObject(js)) throw typeError("response_format.json_schema", "object", js);
      rejectUnknown(js, new Set(["name", "schema", "strict", "description"]));
      if (typeof js.name !== "string" || !SCHEMA_NAME.test(js.name)) {
        throw fail(`response_format.json_schema.name is required: 1-64 letters, digits, "_" or "-"`);
      }
      if (js.schema !== undefined && !isObject(js.schema))
        throw typeError("response_format.json_schema.schema", "object", js.schema);
      return {
        type: "json_schema",
        name: js.name,
        schema: (js.schema as Json | undefined) ?? { type: "object" },
      };
    }
    default:
      throw fail(
        `response_format.type must be "text", "json_object" or "json_schema", got ${JSON.stringify(value.type ?? null)}`,
      );
  }
};
