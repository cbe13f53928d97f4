import { type DatabricksError, errorClassFor } from "./errors.js";
import { parseRetryAfterMs } from "./http/retry.js";
import { flattenHeaders, type ResponseHeaders } from "./http/transport.js";

/** What a Databricks error body says, whatever its form. */
export interface ParsedErrorBody {
  errorCode: string | undefined;
  message: string;
  details: unknown[] | undefined;
  requestId: string | undefined;
  /** `RetryInfo.retry_delay` from the details, in ms. */
  retryDelayMs: number | undefined;
}

const REASON: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const MAX_MESSAGE = 2_000;

/** Response header a `serveDriverProxyApp` app sets on a failure of the model function itself. */
export const APP_ERROR_HEADER = "x-databricks-app-error";
/** `error_code` of such a failure: deterministic, so never re-sent (`RetryPolicy.nonRetryableErrorCodes`). */
export const MODEL_ERROR = "MODEL_ERROR";

function clip(s: string): string {
  const t = s.trim();
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE)}...` : t;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function str(v: unknown): string | undefined {
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function fromDetails(details: unknown[]): { requestId?: string; retryDelayMs?: number } {
  const out: { requestId?: string; retryDelayMs?: number } = {};
  for (const d of details) {
    if (typeof d !== "object" || d === null) continue;
    const rec = d as Record<string, unknown>;
    if (typeof rec.request_id === "string" && rec.request_id) out.requestId ??= rec.request_id;
    const delay = typeof rec.retry_delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(rec.retry_delay) : null;
    if (delay) out.retryDelayMs ??= Math.round(Number(delay[1]) * 1000);
  }
  return out;
}

function fromJson(
  obj: Record<string, unknown>,
): Omit<ParsedErrorBody, "requestId" | "retryDelayMs"> | undefined {
  const details = Array.isArray(obj.details) ? obj.details : undefined;
  // Databricks envelope: {"error_code": "X" | 401, "message": "..."}
  const code = str(obj.error_code);
  if (code !== undefined || typeof obj.message === "string") {
    let message = str(obj.message) ?? "";
    // External-model failures nest the provider's error.
    const ext = obj.external_model_message ?? obj.external_model_error;
    if (ext !== undefined)
      message = `${message} ${typeof ext === "string" ? ext : JSON.stringify(ext)}`.trim();
    return { errorCode: code, message, details };
  }
  // Legacy {"error": "..."} or OpenAI-style {"error": {"message", "code"|"type"}}; OAuth {"error", "error_description"}.
  if (obj.error !== undefined) {
    if (typeof obj.error === "string") {
      const desc = str(obj.error_description);
      const ext = obj.external_model_message;
      let message = desc ? `${obj.error}: ${desc}` : obj.error;
      if (ext !== undefined) message += ` ${typeof ext === "string" ? ext : JSON.stringify(ext)}`;
      return { errorCode: desc ? obj.error : undefined, message, details };
    }
    if (typeof obj.error === "object" && obj.error !== null) {
      const e = obj.error as Record<string, unknown>;
      return {
        errorCode: str(e.error_code) ?? str(e.code) ?? str(e.type),
        message: str(e.message) ?? JSON.stringify(e),
        details,
      };
    }
  }
  // SCIM: {"detail": "...", "status": "404", "scimType": "..."}
  if (typeof obj.detail === "string") {
    return { errorCode: str(obj.scimType), message: obj.detail, details };
  }
  return undefined;
}

/**
 * Text between the first `<tag...>` and the next `</tag>` (case-insensitive), like `/<tag[^>]*>([\s\S]*?)<\/tag>/i`
 * but in linear time: that regex is quadratic on bodies with many unclosed `<tag` (a 1 MB proxy page took minutes).
 * If the first opening tag has no `>` or no closing tag after it, no later one can either.
 */
function tagText(body: string, tag: string): string | undefined {
  const open = new RegExp(`<${tag}`, "i").exec(body);
  if (!open) return undefined;
  const gt = body.indexOf(">", open.index + tag.length + 1);
  if (gt === -1) return undefined;
  const closing = new RegExp(`</${tag}>`, "gi");
  closing.lastIndex = gt + 1;
  const close = closing.exec(body);
  return close ? body.slice(gt + 1, close.index) : undefined;
}

/**
 * Parses an error response body in every form the wire spec lists (§1.4): empty (reason phrase), JSON with
 * string or numeric `error_code`, `{"error": ...}`, SCIM, plain text `CODE: message`, HTML `<pre>`/`<title>`.
 */
export function parseErrorBody(status: number, headers: ResponseHeaders, text: string): ParsedErrorBody {
  const reasonHeader = headers["x-databricks-reason-phrase"];
  const reason =
    (Array.isArray(reasonHeader) ? reasonHeader[0] : reasonHeader) ?? REASON[status] ?? `HTTP ${status}`;
  const reqHeader = headers["x-request-id"] ?? headers["x-databricks-request-id"];
  let requestId = Array.isArray(reqHeader) ? reqHeader[0] : reqHeader;
  const body = text.trim();
  let errorCode: string | undefined;
  let message: string | undefined;
  let details: unknown[] | undefined;
  let retryDelayMs: number | undefined;

  if (body === "") {
    message = reason;
  } else if (body.startsWith("{")) {
    try {
      const parsed = fromJson(JSON.parse(body) as Record<string, unknown>);
      if (parsed) ({ errorCode, message, details } = parsed);
    } catch {
      // Not JSON after all: falls through to the text forms.
    }
  }
  if (message === undefined) {
    const pre = tagText(body, "pre");
    const title = pre === undefined ? tagText(body, "title") : undefined;
    const textMatch = /^([A-Z][A-Z0-9_]+):\s*([\s\S]*)$/.exec(body);
    // `[^<>]` keeps tag stripping linear on bodies full of unclosed `<`.
    if (pre !== undefined) message = decodeEntities(pre.replace(/<[^<>]+>/g, ""));
    else if (title !== undefined) message = decodeEntities(title);
    else if (textMatch) {
      errorCode = textMatch[1];
      message = textMatch[2];
    } else message = body;
    // "<pre>CODE: message</pre>" carries a code too.
    const inner = errorCode === undefined ? /^([A-Z][A-Z0-9_]+):\s*([\s\S]*)$/.exec(message.trim()) : null;
    if (inner) {
      errorCode = inner[1];
      message = inner[2]!;
    }
  }
  if (details) {
    const d = fromDetails(details);
    requestId ??= d.requestId;
    retryDelayMs = d.retryDelayMs;
  }
  requestId ??= /\[ReqId: ([^\]\s]+)\]/.exec(message ?? "")?.[1];
  // A driver-proxy app served by `serveDriverProxyApp` marks its own deterministic failures (docs/llm-and-driver-proxy.md).
  if (errorCode === undefined && headers[APP_ERROR_HEADER] === "model") errorCode = MODEL_ERROR;
  return { errorCode, message: clip(message || reason), details, requestId, retryDelayMs };
}

/** Context for building an API error from a response. */
export interface ApiErrorContext {
  method: string;
  /** Request path without query string. */
  path: string;
  /** Serving endpoint name, when the request targets one. */
  endpoint: string | undefined;
  now?: () => number;
}

function hint(status: number, errorCode: string | undefined, endpoint: string | undefined): string {
  if (status === 404 && endpoint && errorCode !== "ENDPOINT_NOT_FOUND") {
    return ` Check the endpoint name "${endpoint}" (list them with ServingEndpointsClient.list()).`;
  }
  if (status === 429)
    return " Rate limit reached: lower concurrency, or raise the endpoint's rate limits / AI Gateway limits.";
  if (status === 503) return " The endpoint may be scaling from zero or updating; retry shortly.";
  return "";
}

/** Builds the typed error for a non-2xx response (class by `error_code` first, then status). */
export function apiErrorFromResponse(
  status: number,
  headers: ResponseHeaders,
  text: string,
  ctx: ApiErrorContext,
): DatabricksError {
  const parsed = parseErrorBody(status, headers, text);
  const Cls = errorClassFor(status, parsed.errorCode);
  const flat = flattenHeaders(headers);
  const retryAfterMs = parseRetryAfterMs(headers, ctx.now) ?? parsed.retryDelayMs;
  const codePart = parsed.errorCode ? ` ${parsed.errorCode}` : "";
  const message =
    `${parsed.message} (HTTP ${status}${codePart} from ${ctx.method} ${ctx.path}` +
    `${parsed.requestId ? `, request id ${parsed.requestId}` : ""}).${hint(status, parsed.errorCode, ctx.endpoint)}`;
  return new Cls(message, {
    status,
    errorCode: parsed.errorCode,
    requestId: parsed.requestId,
    endpoint: ctx.endpoint ?? ctx.path,
    headers: flat,
    retryAfterMs,
    details: parsed.details,
  });
}
