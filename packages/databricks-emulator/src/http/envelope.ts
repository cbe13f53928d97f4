import { ApiError } from "../errors.js";

const REQUEST_INFO = "type.googleapis.com/google.rpc.RequestInfo";

/** What the server writes for an error: status, headers and the JSON body (spec/errors.md 1.4). */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Turns any thrown value into the Databricks error envelope. Unknown errors become a generic 500 whose message
 * never includes the original text or stack (it could carry secrets or internals).
 */
export const toErrorResponse = (err: unknown, requestId: string): ErrorResponse => {
  const api = asApiError(err);
  const headers = { ...(api.extra.headers ?? {}) };
  if (api.extra.body) return { status: api.status, headers, body: api.extra.body };
  // Real auth failures carry a numeric error_code and no details; keep them byte-for-byte.
  const body: Record<string, unknown> =
    typeof api.errorCode === "number"
      ? { error_code: api.errorCode, message: api.message }
      : {
          error_code: api.errorCode,
          message: api.message,
          // `metadata` is not part of RequestInfo, but @databricks/sdk-experimental's error parser calls
          // Object.entries(detail.metadata) on every detail and would otherwise lose error_code; Python/Go ignore it.
          details: [{ "@type": REQUEST_INFO, request_id: requestId, serving_data: "", metadata: {} }],
        };
  return { status: api.status, headers, body };
};

/** 413 for bodies over `bodyLimit` (16 MiB by default). */
export const bodyTooLarge = (): ApiError =>
  new ApiError(413, "BAD_REQUEST", "Request body is too large. Send a smaller body.");

/** 400 for request URLs whose percent-encoding does not decode. */
export const malformedUrl = (): ApiError =>
  new ApiError(400, "BAD_REQUEST", "Malformed request URL: check its percent-encoding.");

/**
 * OpenAI clients only read `error.message`: the OpenAI-compatible routes keep the Databricks fields and add the
 * OpenAI shape alongside (bodies that replace the envelope, such as external-provider errors, stay as they are).
 */
export const withOpenAiError = (r: ErrorResponse): ErrorResponse => {
  if (typeof r.body.message !== "string" || "error" in r.body) return r;
  const error = { message: r.body.message, type: "invalid_request_error", code: String(r.body.error_code) };
  return { ...r, body: { ...r.body, error } };
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

const asApiError = (err: unknown): ApiError => {
  if (err instanceof ApiError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as FastifyLikeError;
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return bodyTooLarge();
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "BAD_REQUEST", "Unsupported Content-Type. Send application/json.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError(400, "BAD_REQUEST", "Request body does not match its Content-Length header.");
    case "FST_ERR_BAD_URL":
      return malformedUrl();
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "BAD_REQUEST", "Request body is empty; send a JSON object.");
    default:
      break;
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError(e.statusCode, "BAD_REQUEST", "Malformed request.");
  }
  return new ApiError(500, "INTERNAL_ERROR", "The emulator failed to handle this request.");
};
