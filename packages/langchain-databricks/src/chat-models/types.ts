import type {
  BaseChatModelCallOptions,
  BaseChatModelParams,
  BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import type { DatabricksAuthOptions } from "../auth/options.js";
import type { InjectedHttpClient } from "../model-support/plumbing.js";
import type { WireTool } from "./wire.js";

/** Which serving route chat calls use. */
export type ChatRoute = "auto" | "chat-completions" | "invocations";

/**
 * Databricks-specific request rewrites (Python `DatabricksOpenAI` parity). Each defaults to "auto": on when
 * the endpoint name says the model needs it.
 */
export interface ChatDatabricksQuirks {
  /** Remove `strict` from tool functions. Auto: on unless the endpoint name contains "gpt". */
  stripToolStrict?: boolean;
  /** Send `" "` instead of empty assistant content next to tool calls. Auto: on when the name contains "claude". */
  spaceForEmptyToolCallContent?: boolean;
  /** Shorten Responses API item ids over 64 characters (FMAPI limit). Default on. */
  shortenResponsesIds?: boolean;
}

/** Constructor fields of {@link ChatDatabricks}. Auth options are forwarded to the shared HTTP client. */
export interface ChatDatabricksInput extends BaseChatModelParams, DatabricksAuthOptions, InjectedHttpClient {
  /**
   * Serving endpoint name (sent as `model` on the OpenAI-compatible route).
   * @example "databricks-meta-llama-3-3-70b-instruct"
   */
  model?: string;
  /** Alias of `model` (Python's original field name). */
  endpoint?: string;
  /** Alias of `token` (LangChain's usual name for the credential). */
  apiKey?: string;
  /** Sampling temperature. Unset by default: reasoning models reject it. */
  temperature?: number;
  /** Maximum tokens to generate. `-1` means unset. */
  maxTokens?: number;
  /** Stop sequences. Call-time `stop` wins. */
  stop?: string[];
  /** Alias of `stop`. */
  stopSequences?: string[];
  /** Number of choices; only sent when not 1. */
  n?: number;
  /**
   * Overrides for the LangChain model profile (`chat.profile`), merged over the one known for the endpoint's
   * model family (see `profiles.ts`), e.g. `{ structuredOutput: true }` for a custom endpoint that supports
   * `response_format: json_schema`. (`profile` itself names a Databricks config profile.)
   */
  modelProfile?: import("@langchain/core/language_models/profile").ModelProfile;
  /** Extra body fields sent with every request (e.g. `{ top_p: 0.9 }`). */
  extraParams?: Record<string, unknown>;
  /**
   * Ask for usage while streaming (`stream_options.include_usage`); dropped automatically, and remembered,
   * for endpoints that reject it.
   * @default true
   */
  streamUsage?: boolean;
  /** `invoke` streams internally and aggregates. */
  streaming?: boolean;
  /** Use the OpenAI Responses API (`/serving-endpoints/responses`), e.g. for ResponsesAgent endpoints. */
  useResponsesApi?: boolean;
  /**
   * Route for chat calls. "auto" tries `/serving-endpoints/chat/completions` and falls back to
   * `/serving-endpoints/{name}/invocations` (remembered) when the endpoint rejects the OpenAI route.
   * @default "auto"
   */
  route?: ChatRoute;
  /** Databricks request rewrites; see {@link ChatDatabricksQuirks}. */
  quirks?: ChatDatabricksQuirks;
}

/** Runtime options of {@link ChatDatabricks} (call options > bound options > instance fields). */
export interface ChatDatabricksCallOptions extends BaseChatModelCallOptions {
  tools?: (BindToolsInput | WireTool)[];
  stop?: string[];
  temperature?: number;
  maxTokens?: number;
  n?: number;
  /** Merged over the instance's `extraParams`. */
  extraParams?: Record<string, unknown>;
  response_format?: Record<string, unknown>;
  parallel_tool_calls?: boolean;
  /** Overrides the instance's `streamUsage` for this call. */
  streamUsage?: boolean;
  stream_options?: { include_usage?: boolean };
  /** Agent endpoints: sent as `custom_inputs`; the agent's `custom_outputs` land in `response_metadata`. */
  customInputs?: Record<string, unknown>;
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
  /** Force `strict` on bound tools (kept only for GPT models unless `quirks.stripToolStrict` is false). */
  strict?: boolean;
}
