import type { RetryPolicy } from "./http/retry.js";

/**
 * Connection and authentication options taken by every client and model class of this package.
 *
 * Nothing is resolved in constructors: settings are looked up on the first request (explicit options ->
 * environment -> `~/.databrickscfg` profile -> `databricks auth token`), then cached and shared.
 *
 * @example
 * // Explicit PAT
 * new ServingEndpointsClient({ host: "https://my-ws.cloud.databricks.com", token: "dapi..." });
 * // OAuth M2M with a service principal
 * new ServingEndpointsClient({ host, clientId: "sp-id", clientSecret: "secret" });
 * // Everything from DATABRICKS_HOST / DATABRICKS_TOKEN or ~/.databrickscfg
 * new ServingEndpointsClient();
 */
export interface DatabricksAuthOptions {
  /**
   * Workspace URL, with or without `https://` and trailing slash.
   * @default process.env.DATABRICKS_HOST, then `host` of the selected profile
   * @example "https://adb-1234567890123456.7.azuredatabricks.net"
   */
  host?: string;
  /**
   * Personal access token (or any bearer token). Never logged or serialised.
   * @default process.env.DATABRICKS_TOKEN, then `token` of the selected profile
   * @example "dapi0123456789abcdef0123456789abcdef"
   */
  token?: string;
  /**
   * OAuth M2M client id of a service principal (needs `clientSecret`).
   * @default process.env.DATABRICKS_CLIENT_ID, then `client_id` of the selected profile
   * @example "6d7f1f3c-1111-2222-3333-444455556666"
   */
  clientId?: string;
  /**
   * OAuth M2M client secret. Never logged or serialised.
   * @default process.env.DATABRICKS_CLIENT_SECRET, then `client_secret` of the selected profile
   * @example "dose0123..."
   */
  clientSecret?: string;
  /**
   * Profile (section) of the config file to read.
   * @default process.env.DATABRICKS_CONFIG_PROFILE, then "DEFAULT"
   * @example "staging"
   */
  profile?: string;
  /**
   * Path of the Databricks config file (Node only).
   * @default process.env.DATABRICKS_CONFIG_FILE, then "~/.databrickscfg"
   * @example "/etc/databricks/cfg"
   */
  configFile?: string;
  /**
   * Forces one credential type instead of inferring it: "pat", "oauth-m2m", "databricks-cli" or "token-provider".
   * @default process.env.DATABRICKS_AUTH_TYPE, then `auth_type` of the profile, else inferred
   * @example "oauth-m2m"
   */
  authType?: string;
  /**
   * Returns a bearer token; called before every request (cache inside it if minting is expensive) and once
   * more after a 401/"Invalid access token" 403. Use it for on-behalf-of-user tokens or any custom scheme.
   * @example tokenProvider: async () => (await myVault.read("databricks")).token
   */
  tokenProvider?: () => string | Promise<string>;
  /**
   * Allows plain `http://` to a non-loopback host. Off by default: the token would travel in clear text.
   * @default false
   * @example true
   */
  allowInsecureHttp?: boolean;
  /**
   * A WHATWG `fetch` used instead of the built-in `node:http` keep-alive pool (other runtimes, proxies, tests).
   * @default the `node:http`/`node:https` keep-alive pool on Node
   * @example fetch: globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Per-attempt timeout in milliseconds. For non-streaming calls it bounds the whole attempt; for streams it
   * bounds connecting and the wait for the response headers (however slowly they trickle in); the gaps between
   * events are bounded by `streamIdleTimeoutMs`.
   * @default 120_000
   * @example 30_000
   */
  timeout?: number;
  /**
   * Streams: longest silence allowed between two received chunks (events or keep-alive comments) once the
   * headers arrived; past it the stream fails with `StreamIdleTimeoutError` (a `TimeoutError`).
   * @default the value of `timeout` (120_000)
   * @example 30_000
   */
  streamIdleTimeoutMs?: number;
  /**
   * Largest non-streaming response body read, in bytes. A larger one fails with `ResponseTooLargeError` before
   * it is buffered: refused from its `Content-Length`, or as soon as the running count passes the bound (the
   * connection is closed). Never retried. Error bodies (4xx/5xx) are read up to 64 KiB only, whatever this says.
   * @default 67_108_864 (64 MiB)
   * @example 256 * 1024 * 1024
   */
  maxResponseBytes?: number;
  /**
   * Retries after the first attempt for retryable failures (network errors, 408/429/500/502/503/504).
   * This transport is the only retry layer.
   * @default 3
   * @example 0
   */
  maxRetries?: number;
  /**
   * Fine-tuning of the retry policy (statuses, backoff, Retry-After cap). `maxRetries` wins over
   * `retry.maxRetries`.
   * @default DEFAULT_RETRY_POLICY
   * @example retry: { baseDelayMs: 100, maxDelayMs: 2_000 }
   */
  retry?: Partial<RetryPolicy>;
  /**
   * Extra CA certificate(s) (PEM) to trust, e.g. for a self-signed test server. TLS is always verified.
   * Only used by the built-in Node transport (a custom `fetch` brings its own TLS settings).
   * @example ca: readFileSync("test-ca.pem", "utf8")
   */
  ca?: string | string[];
}
