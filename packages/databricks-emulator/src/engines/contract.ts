/**
 * Contract between the emulator's HTTP layer (server, routing, auth, control plane) and its built-in model
 * engines (deterministic local stand-ins for foundation models). The HTTP layer resolves the endpoint, checks
 * auth/permissions/rate limits, then hands the parsed JSON body to an engine. Engines validate the body strictly
 * (spec/serving.md 3.2/3.3: unknown fields -> 400 BAD_REQUEST "Bad request: json: unknown field \"x\"") by throwing
 * `ApiError`, and return either a JSON body or a stream of JSON events that the HTTP layer writes as
 * `data: <json>\n\n` lines followed by `data: [DONE]\n\n`.
 */
export type EngineTask =
  | "llm/v1/chat"
  | "llm/v1/completions"
  | "llm/v1/embeddings"
  | "agent/v1/chat"
  | "agent/v1/responses";

/** How an engine should behave for one served model. */
export interface EngineModel {
  /** Value reported in responses' `model` field (the underlying model name, not the endpoint name). */
  modelName: string;
  task: EngineTask;
  /** Style of the stand-in: affects reasoning blocks (claude), tool `strict` acceptance (gpt), ids. */
  family: "llama" | "claude" | "gpt" | "gemini" | "embedding" | "agent";
  /** Embedding dimension for embedding models. */
  dimensions?: number;
  /**
   * Usage while streaming (spec/foundation-models.md): "chunks" (FMAPI style, running usage on every chunk;
   * the default except for family "gpt"), "final" (a final `{choices: [], usage}` chunk always, as
   * databricks-gpt-oss-* endpoints send it), "final-when-asked" (only with `stream_options.include_usage`;
   * the default for family "gpt").
   */
  streamUsage?: "chunks" | "final" | "final-when-asked";
  /** Context window (prompt + max_tokens) in tokens; requests above it are 400 (engines/limits.ts). */
  contextWindow?: number;
  /** Largest accepted `max_tokens` (and the default output cap); larger requests are 400. */
  maxOutputTokens?: number;
  /** Emit reasoning content blocks (Claude-style `{"type":"reasoning","summary":[...]}`) when asked. */
  reasoning?: boolean;
}

/** Which route the request came in on; shapes differ slightly (e.g. OpenAI routes carry `model`). */
export type EngineRoute = "invocations" | "openai";

export type EngineResult =
  | { kind: "json"; body: Record<string, unknown> }
  | { kind: "stream"; events: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>> };

export type EngineHandler = (
  body: Record<string, unknown>,
  model: EngineModel,
  route: EngineRoute,
) => EngineResult;
