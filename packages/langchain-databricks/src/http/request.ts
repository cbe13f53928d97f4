import type { Credentials } from "../auth/credentials.js";
import { isLoopbackHostname } from "../auth/host.js";
import { ConfigError } from "../errors.js";

/** HTTP methods used by Databricks REST APIs. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Query-string values; arrays repeat the key, undefined entries are skipped. */
export type QueryParams = Record<string, string | number | boolean | readonly string[] | undefined>;

/**
 * One API call, relative to the workspace host.
 * @example
 * { method: "POST", path: `/serving-endpoints/${encodeURIComponent(name)}/invocations`, body: { messages }, endpoint: name }
 */
export interface HttpRequest {
  method: HttpMethod;
  /** Path from the workspace root (or from `origin`); callers URL-encode path segments. */
  path: string;
  /**
   * Another origin than the workspace (e.g. a Vector Search index data-plane host), `https://host[:port]`. The
   * caller checks it (https, or http on loopback); redirects follow the usual rules.
   */
  origin?: string;
  /** Credentials for this request instead of the client's (e.g. a token scoped to one index). */
  credentials?: Credentials;
  query?: QueryParams;
  /** Serialised with `JSON.stringify` unless a string or Uint8Array (sent as-is). */
  body?: unknown;
  /** Extra request headers (lower-case names recommended). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-call timeout, ms (overrides the client's `timeout`). */
  timeout?: number;
  /** Per-call bound on the response body, bytes (overrides the client's `maxResponseBytes`). */
  maxResponseBytes?: number;
  /** Streams: per-call idle bound between chunks, ms (overrides the client's `streamIdleTimeoutMs`). */
  streamIdleTimeoutMs?: number;
  /** Per-call retry budget (overrides the client's `maxRetries`). */
  maxRetries?: number;
  /** Serving endpoint name, attached to errors (`error.endpoint`) and used in hints. */
  endpoint?: string;
  /** "json" (default: parsed, empty body -> `{}`) or "text" (raw body, e.g. OpenAPI docs, metrics). */
  responseType?: "json" | "text";
  /** Streams only: throw `StreamError` if the stream ends without `data: [DONE]`. @default false */
  expectDone?: boolean;
  /**
   * Streams with `expectDone` only: an event for which this returns true also counts as the end of the stream
   * (the Responses API ends with `response.completed` rather than `[DONE]`).
   */
  isFinalEvent?: (payload: unknown) => boolean;
}

/** A response with its status and headers, for callers that need e.g. `served-model-name`. */
export interface HttpResponseMeta<T> {
  data: T;
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
}

/**
 * A request's own `origin` (another host than the workspace) must come with its own `credentials`, so the workspace
 * token is never sent elsewhere, and be https (plain http on loopback only).
 */
export function checkOrigin(req: HttpRequest, workspaceOrigin: string): void {
  if (req.origin === undefined || req.origin === workspaceOrigin) return;
  if (!req.credentials) {
    throw new ConfigError(`A request to ${req.origin} (not the workspace) needs its own credentials.`);
  }
  let u: URL;
  try {
    u = new URL(req.origin);
  } catch {
    throw new ConfigError(`Invalid request origin ${JSON.stringify(req.origin)}.`);
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHostname(u.hostname))) {
    throw new ConfigError(`Refusing to send credentials to ${u.origin}: not https.`);
  }
}

/** Builds `path?query` with proper encoding. */
export function buildPath(path: string, query: QueryParams | undefined): string {
  if (!query) return path;
  let qs = "";
  for (const key of Object.keys(query)) {
    const v = query[key];
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [String(v)];
    for (const item of values) qs += `${qs ? "&" : ""}${encodeURIComponent(key)}=${encodeURIComponent(item)}`;
  }
  if (!qs) return path;
  return `${path}${path.includes("?") ? "&" : "?"}${qs}`;
}

/** Request body as sent on the wire. */
export function serializeBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

/**
 * A `.` or `..` path segment would be resolved away by any URL normaliser on the way (proxies, the workspace front
 * end), turning an endpoint named ".." into a request for a different API. `encodeURIComponent` leaves dots alone,
 * so such names are refused here, for every caller at once.
 */
export function checkDotSegments(path: string, endpoint: string | undefined): void {
  if (!path.includes(".") && !path.includes("%")) return; // nearly every path: no segment to inspect
  const q = path.indexOf("?");
  const segments = (q === -1 ? path : path.slice(0, q)).split("/");
  if (segments.some((s) => s === "." || s === ".." || /^(?:\.|%2e){1,2}$/i.test(s))) {
    throw new ConfigError(
      `Invalid name in request path ${JSON.stringify(path.slice(0, q === -1 ? undefined : q))}` +
        `${endpoint ? ` (endpoint ${JSON.stringify(endpoint)})` : ""}: "." and ".." are not valid names.`,
    );
  }
}
