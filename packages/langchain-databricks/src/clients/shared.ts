import type { DatabricksAuthOptions } from "../auth/options.js";
import { ConfigError } from "../errors.js";
import { DatabricksHttpClient } from "../http/client.js";

/** Options of the API clients: auth options, or an existing HTTP client to share (one pool, one token cache). */
export interface ClientOptions extends DatabricksAuthOptions {
  /**
   * Reuse this HTTP client instead of building one from the auth options (which are then ignored).
   * Model classes take the same client as `httpClient`, so one pool and one token cache serve everything.
   * @example
   * const http = new DatabricksHttpClient({ profile: "staging" });
   * const chat = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", httpClient: http });
   * const secrets = new SecretsClient({ httpClient: http });
   */
  httpClient?: DatabricksHttpClient;
}

/** Per-call options shared by client methods. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Per-attempt timeout, ms. @default the client's `timeout` (120_000) */
  timeout?: number;
  /** Retry budget for this call. @default the client's `maxRetries` (3) */
  maxRetries?: number;
}

export function httpClientFrom(
  options: ClientOptions | undefined,
  extraHeaders?: Record<string, string>,
): DatabricksHttpClient {
  if (options?.httpClient) return options.httpClient;
  const { httpClient: _h, ...auth } = options ?? {};
  return new DatabricksHttpClient(auth, extraHeaders ? { defaultHeaders: extraHeaders } : {});
}

/** Validates a resource name before it goes into a URL (names are also URL-encoded). */
export function requireName(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`${what} must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** One URL path segment, encoded (a name may contain `/`, `?` or `#`). */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}

/** @deprecated Use {@link pathSegment}. */
export const seg = pathSegment;
