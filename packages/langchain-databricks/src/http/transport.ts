/** Response headers as received: lower-case names; repeated headers may arrive as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One HTTP exchange, already fully prepared by the client (URL, auth, body). */
export interface TransportRequest {
  /** Scheme + host + port, e.g. "https://my-ws.cloud.databricks.com". */
  origin: string;
  /** Path plus query string, e.g. "/api/2.0/secrets/get?scope=s&key=k". */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
  /** Non-streaming: bound on the whole attempt. Streaming: bound on connecting and receiving the headers. */
  timeoutMs: number;
  /** Streaming only: bound on each gap between received chunks once the headers arrived. @default timeoutMs */
  idleTimeoutMs?: number;
  /** True when the body will be consumed incrementally with `body()`. */
  stream: boolean;
}

/** A response whose body has not been read yet; exactly one of `text`, `body`, `discard` must be called. */
export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  /**
   * The whole body as UTF-8 text. With `maxBytes`, a larger body is refused with `ResponseTooLargeError` (from
   * `Content-Length` before reading, else as soon as the count passes it; the connection is closed), or, with
   * `truncate`, cut to its first `maxBytes` bytes (error bodies).
   */
  text(maxBytes?: number, truncate?: boolean): Promise<string>;
  body(): AsyncIterable<Uint8Array>;
  /** Releases the connection without reading (redirects, retries). */
  discard(): void;
}

/**
 * The one primitive everything goes through. Implementations throw only `TimeoutError`,
 * `AbortError` or `ConnectionError`; HTTP statuses are returned, not thrown.
 */
export interface Transport {
  send(req: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

/** First value of a header that may be repeated. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Flattens response headers into a plain record (repeated values joined with ", "). */
export function flattenHeaders(headers: ResponseHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (v === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}
