import {
  AbortError,
  ConnectionError,
  type DatabricksError,
  ResponseTooLargeError,
  StreamIdleTimeoutError,
  TimeoutError,
} from "../errors.js";
import type { ResponseHeaders } from "./transport.js";

const TIMEOUT_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "ETIMEDOUT",
]);

/** TLS and certificate failures: retrying cannot fix them. */
const PERMANENT_CODE = /CERT|SELF_SIGNED|TLS|SSL|ERR_INVALID_URL|UNABLE_TO_VERIFY|ERR_INVALID_ARG/i;

/** Where the request was going, for messages: method and path only (never the query, never headers). */
export function describeTarget(method: string, origin: string, path: string): string {
  const q = path.indexOf("?");
  return `${method} ${origin}${q === -1 ? path : path.slice(0, q)}`;
}

export function abortError(target: string, cause?: unknown): AbortError {
  return new AbortError(`Cancelled: request ${target} was aborted by its AbortSignal.`, { cause });
}

export function timeoutError(target: string, timeoutMs: number, cause?: unknown): TimeoutError {
  return new TimeoutError(
    `Timed out after ${timeoutMs} ms waiting for ${target}. Raise \`timeout\` (milliseconds) if the endpoint is slow ` +
      "(e.g. scaling from zero).",
    { cause },
  );
}

export function streamIdleError(target: string, idleMs: number, cause?: unknown): StreamIdleTimeoutError {
  return new StreamIdleTimeoutError(
    `Stream from ${target} sent nothing for ${idleMs} ms. Raise \`streamIdleTimeoutMs\` if the endpoint pauses longer between events.`,
    { cause },
  );
}

/** The typed refusal of a body over `maxBytes` (`declared` when `Content-Length` said so up front). */
export function tooLargeError(
  method: string,
  origin: string,
  path: string,
  status: number,
  headers: ResponseHeaders,
  maxBytes: number,
  declared: number | undefined,
): ResponseTooLargeError {
  const rid = headers["x-request-id"] ?? headers["x-databricks-request-id"];
  const what =
    declared === undefined
      ? `passed \`maxResponseBytes\` (${maxBytes}) while being read; the rest was not read`
      : `declares ${declared} bytes, over \`maxResponseBytes\` (${maxBytes}); it was not read`;
  return new ResponseTooLargeError(
    `Response to ${describeTarget(method, origin, path)} (HTTP ${status}) ${what}. ` +
      "Raise `maxResponseBytes` if this endpoint really returns that much.",
    {
      status,
      maxResponseBytes: maxBytes,
      requestId: Array.isArray(rid) ? rid[0] : rid,
    },
  );
}

function codeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && typeof cur === "object" && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a low-level failure (node:http or fetch) to a typed error. */
export function classifyTransportFailure(
  e: unknown,
  target: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): DatabricksError {
  if (e instanceof AbortError || e instanceof TimeoutError || e instanceof ConnectionError) {
    return e;
  }
  if (signal?.aborted) return abortError(target, e);
  const code = codeOf(e);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return timeoutError(target, timeoutMs, e);
  const name = (e as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") return timeoutError(target, timeoutMs, e);
  const detail = code ?? ((e as { message?: unknown } | null)?.message as string | undefined) ?? String(e);
  const permanent = code !== undefined && PERMANENT_CODE.test(code);
  return new ConnectionError(
    `Connection to ${target} failed (${detail}).` +
      (permanent
        ? " The TLS certificate was rejected; pass `ca` for a private CA (verification stays on)."
        : ""),
    { cause: e, transient: !permanent },
  );
}
