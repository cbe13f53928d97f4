import type { BaseLLMCallOptions, BaseLLMParams } from "@langchain/core/language_models/llms";
import type { DatabricksAuthOptions } from "../auth/options.js";
import type { ModelHttpClient } from "../model-support/plumbing.js";

/** The request the LLM builds before `transformInputFn` (`prompt`, optional `stop`, LLM params, extras). */
export type DatabricksLLMRequest = Record<string, unknown> & { prompt: string; stop?: string[] };

/** Constructor fields of the {@link Databricks} LLM. Exactly one mode: `endpointName`, or cluster + port. */
export interface DatabricksLLMInput extends BaseLLMParams, DatabricksAuthOptions {
  /** Serving endpoint to query (serving-endpoint mode). Cannot be combined with `clusterId`/`clusterDriverPort`. */
  endpointName?: string;
  /**
   * Cluster running the driver proxy app (driver-proxy mode).
   * @default process.env.DATABRICKS_CLUSTER_ID, then process.env.DB_CLUSTER_ID, then the profile's cluster_id
   */
  clusterId?: string;
  /** Port of the app on the cluster driver (driver-proxy mode; recommended 3000-8000). */
  clusterDriverPort?: string | number;
  /** Alias of `token` (Python's `api_token`). Never serialised. */
  apiToken?: string;
  /** @deprecated Use `extraParams`. Must not contain `prompt` or `stop`. */
  modelKwargs?: Record<string, unknown>;
  /** Extra fields merged into every request body. Must not contain `prompt` or `stop`. */
  extraParams?: Record<string, unknown>;
  /** @default 0 (sent only to `llm/v1/*` and `llama2/chat` endpoints) */
  temperature?: number;
  /** @default 1 (sent only to `llm/v1/*` and `llama2/chat` endpoints) */
  n?: number;
  /** Sent only to `llm/v1/*` and `llama2/chat` endpoints. */
  maxTokens?: number;
  /** Stop sequences; call-time `stop` wins. Empty lists are never sent. */
  stop?: string[];
  /**
   * Endpoint task (`llm/v1/chat`, `llm/v1/completions`, `llama2/chat`, ...). Read from the endpoint on first use
   * when unset.
   */
  task?: string;
  /** Rewrites the request body before sending (e.g. to match a custom model signature). May be async. */
  transformInputFn?: (request: DatabricksLLMRequest) => unknown | Promise<unknown>;
  /** Turns the response (or custom model prediction) into the output string. May be async. */
  transformOutputFn?: (response: unknown) => string | Promise<string>;
  /** Stream tokens for `invoke` too (chat and completions endpoints only). */
  streaming?: boolean;
  /** A shared HTTP client (e.g. one `DatabricksHttpClient` for several models); auth options are then ignored. */
  httpClient?: ModelHttpClient & { resolveConfig?: () => Promise<{ clusterId?: string }> };
  /** @deprecated Use `httpClient` (the name API clients take too). */
  client?: ModelHttpClient & { resolveConfig?: () => Promise<{ clusterId?: string }> };
}

export interface DatabricksLLMCallOptions extends BaseLLMCallOptions {
  /** Extra body fields for this call (merged over `extraParams`). */
  extraParams?: Record<string, unknown>;
}
