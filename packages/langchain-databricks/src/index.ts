export type { DatabricksAuthOptions } from "./auth/options.js";
export type { ResolvedConfig } from "./auth/resolve.js";
export {
  BadRequestError,
  CancelledError,
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
  TemporarilyUnavailableError,
  UnauthenticatedError,
} from "./errors.js";
export { DatabricksHttpClient, DEFAULT_TIMEOUT_MS, type HttpClientExtras } from "./http/client.js";
export type { HttpMethod, HttpRequest, HttpResponseMeta, QueryParams } from "./http/request.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./http/retry.js";
export type { Transport, TransportRequest, TransportResponse } from "./http/transport.js";
export { PACKAGE_NAME, PACKAGE_VERSION } from "./version.js";
