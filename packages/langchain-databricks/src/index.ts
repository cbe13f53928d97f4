export type { DatabricksAuthOptions } from "./auth/options.js";
export type { ResolvedConfig } from "./auth/resolve.js";
export {
  ChatDatabricks,
  type ChatDatabricksCallOptions,
  type ChatDatabricksInput,
  type ChatDatabricksQuirks,
  type ChatRoute,
} from "./chat-models/index.js";
export * from "./clients/index.js";
export {
  type DriverProxyHandler,
  type DriverProxyOutput,
  type DriverProxyRequest,
  type DriverProxyServer,
  type ServeDriverProxyOptions,
  serveDriverProxyApp,
} from "./driver-proxy/index.js";
export {
  DatabricksEmbeddings,
  type DatabricksEmbeddingsInput,
  DEFAULT_EMBEDDINGS_BATCH_SIZE,
  type EmbeddingsRoute,
} from "./embeddings.js";
/** Errors. `DatabricksAbortError`, `DatabricksConfigError`, `DatabricksConnectionError`, `DatabricksStreamError` and `DatabricksTimeoutError` are the deprecated earlier names of `AbortError`, `ConfigError`, `ConnectionError`, `StreamError` and `TimeoutError`. */
export {
  AbortError,
  BadRequestError,
  CancelledError,
  ConfigError,
  ConnectionError,
  DatabricksAbortError,
  DatabricksConfigError,
  DatabricksConnectionError,
  DatabricksError,
  type DatabricksErrorInit,
  DatabricksStreamError,
  DatabricksTimeoutError,
  DeadlineExceededError,
  InternalError,
  isDatabricksError,
  NotFoundError,
  NotImplementedError,
  OperationFailedError,
  PermissionDeniedError,
  RequestLimitExceededError,
  ResourceAlreadyExistsError,
  ResourceConflictError,
  ResourceLimitExceededError,
  ResponseTooLargeError,
  StreamError,
  StreamIdleTimeoutError,
  TemporarilyUnavailableError,
  TimeoutError,
  UnauthenticatedError,
} from "./errors.js";
export {
  DatabricksHttpClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type HttpClientExtras,
} from "./http/client.js";
export type { HttpMethod, HttpRequest, HttpResponseMeta, QueryParams } from "./http/request.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./http/retry.js";
export type { Transport, TransportRequest, TransportResponse } from "./http/transport.js";
export {
  Databricks,
  type DatabricksLLMCallOptions,
  type DatabricksLLMInput,
  type DatabricksLLMRequest,
} from "./llms.js";
export { REDACTED, redactSecrets } from "./redact.js";
export * from "./sql/index.js";
export * from "./vector-search/index.js";
export { PACKAGE_NAME, PACKAGE_VERSION } from "./version.js";
