export { DatabricksHttpClient, DEFAULT_TIMEOUT_MS, type HttpClientExtras } from "./client.js";
export {
  type ApiErrorContext,
  apiErrorFromResponse,
  type ParsedErrorBody,
  parseErrorBody,
} from "./error-body.js";
export { FetchTransport } from "./fetch-transport.js";
export { NodeTransport, type NodeTransportOptions } from "./node-transport.js";
export {
  buildPath,
  type HttpMethod,
  type HttpRequest,
  type HttpResponseMeta,
  type QueryParams,
} from "./request.js";
export {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  makeRetryPolicy,
  parseRetryAfterMs,
  type RetryPolicy,
  retryDelayMs,
} from "./retry.js";
export type { Sleep } from "./sleep.js";
export type { ResponseHeaders, Transport, TransportRequest, TransportResponse } from "./transport.js";
