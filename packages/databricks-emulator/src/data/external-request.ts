/**
 * Strict request checking for external-model endpoints. Databricks validates a query against the endpoint's
 * task before it calls the provider (spec/serving.md 3.3B: unknown fields are a 400 `BAD_REQUEST` for FMAPI and
 * external models alike), so the proxy runs the built-in engines' validators first: a bad body is answered
 * here, exactly as a foundation endpoint would answer it, and never reaches the provider.
 */
import {
  type EngineModel,
  parseChatRequest,
  parseCompletionsRequest,
  parseEmbeddingsRequest,
} from "../engines/index.js";
import type { JsonObject } from "../util/json.js";
import type { ProxyPath } from "./external.js";

// OpenAI-style models: the chat validator only varies by family for Claude's `thinking` switch.
const OPENAI_STYLE: EngineModel = { modelName: "external", task: "llm/v1/chat", family: "gpt" };

/**
 * Throws the engine's 400 when `body` is not a valid request for `path`. Responses requests are left to the
 * provider: the built-in Responses engine rejects features (such as `previous_response_id`) that providers serve.
 */
export const validateExternalRequest = (path: ProxyPath, body: JsonObject): void => {
  switch (path) {
    case "chat/completions":
      parseChatRequest(body, OPENAI_STYLE);
      return;
    case "completions":
      parseCompletionsRequest(body);
      return;
    case "embeddings":
      parseEmbeddingsRequest(body);
      return;
    case "responses":
      return;
  }
};
