/**
 * Wire shapes of the Databricks chat APIs (OpenAI-compatible chat completions, ChatAgent, Responses).
 * Only the fields this package reads or writes are typed; everything else passes through as `unknown`.
 */

export interface WireToolCall {
  id?: string | null;
  type?: "function" | string;
  function?: { name?: string | null; arguments?: string | null };
  index?: number;
}

/** A content part in a request or response: text, image_url, reasoning, or any provider block. */
export type WireContentPart = { type: string; [key: string]: unknown };

export interface WireMessage {
  role: string;
  content?: string | WireContentPart[] | null;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
  name?: string;
  id?: string;
  [key: string]: unknown;
}

export interface WireUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; audio_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null; audio_tokens?: number | null } | null;
  /** Claude-style cache accounting (counted on top of `prompt_tokens`). */
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  reasoning_tokens?: number | null;
  /** Responses API names. */
  input_tokens?: number | null;
  output_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface WireChoice {
  index?: number;
  message?: WireMessage;
  delta?: Partial<WireMessage>;
  finish_reason?: string | null;
  logprobs?: unknown;
}

/** Chat completion, chat completion chunk, or ChatAgent response/chunk (no `choices`). */
export interface WireChatResponse {
  id?: string | null;
  object?: string;
  created?: number;
  model?: string;
  choices?: WireChoice[] | null;
  usage?: WireUsage | null;
  system_fingerprint?: string | null;
  /** ChatAgent (non-streaming) */
  messages?: WireMessage[];
  /** ChatAgent (streaming) */
  delta?: Partial<WireMessage>;
  finish_reason?: string | null;
  custom_outputs?: unknown;
  [key: string]: unknown;
}

export interface WireTool {
  type: string;
  function?: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
  [key: string]: unknown;
}

export type WireToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };
