import type { AuthHttp } from "../auth/auth-http.js";
import type { Credentials } from "../auth/credentials.js";
import { isLoopbackHostname } from "../auth/host.js";
import { type ConfigIo, defaultConfigIo } from "../auth/io.js";
import type { DatabricksAuthOptions } from "../auth/options.js";
import { type ResolvedConfig, resolveAuth } from "../auth/resolve.js";
import {
  DatabricksAbortError,
  DatabricksConfigError,
  DatabricksConnectionError,
  DatabricksError,
  DatabricksStreamError,
  markNotRetryable,
} from "../errors.js";
import { parseEvents } from "../sse/events.js";
import { parseJsonEvents } from "../sse/json.js";
import { DEFAULT_MAX_LINE_LENGTH, decodeLines } from "../sse/lines.js";
import { raceAbort } from "../utils/abort.js";
import { apiErrorFromResponse } from "./error-body.js";
import { FetchTransport } from "./fetch-transport.js";
import { NodeTransport } from "./node-transport.js";
import { buildPath, type HttpRequest, type HttpResponseMeta, serializeBody } from "./request.js";
import { isRetryable, makeRetryPolicy, parseRetryAfterMs, type RetryPolicy, retryDelayMs } from "./retry.js";
import { makeSleep, type Sleep } from "./sleep.js";
import { flattenHeaders, headerValue, type Transport, type TransportResponse } from "./transport.js";
import { abortError, describeTarget } from "./transport-errors.js";
import { userAgent } from "./user-agent.js";

export type { HttpMethod, HttpRequest, HttpResponseMeta, QueryParams } from "./request.js";
export type { ResolvedConfig };

/** Default per-attempt timeout, ms (as MLflow's deployments client). */
export const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_REDIRECTS = 5;

/**
 * Injection points for tests and embedders. Not needed in normal use.
 */
export interface HttpClientExtras {
  /** Headers added to every request (e.g. `X-Databricks-Endpoints-API-Client`). */
  defaultHeaders?: Record<string, string>;
  /** Env, file system and CLI access used by config resolution. */
  io?: ConfigIo;
  /** Replaces the built-in node:http / fetch transport. */
  transport?: Transport;
  /** Replaces the retry sleep (tests record delays instead of waiting). */
  sleep?: Sleep;
  /** Random source in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Clock for token expiry and HTTP-date `Retry-After`, ms since epoch. */
  now?: () => number;
  /** Max characters per SSE line / event. @default 8 MiB */
  maxStreamLineLength?: number;
}

interface State {
  config: ResolvedConfig;
  credentials: Credentials;
  origin: string;
  userAgent: string;
  /** Last auth header and the header objects built for it, reused while the token is unchanged. */
  auth: string;
  cache: Array<Record<string, string> | undefined>;
}

interface Exchange {
  res: TransportResponse;
  origin: string;
  path: string;
}

const AUTH_REJECTED = /invalid access token|token (?:is |has )?expired|expired token|invalid token/i;

function validateOptions(o: DatabricksAuthOptions): void {
  if (
    o.timeout !== undefined &&
    !(typeof o.timeout === "number" && o.timeout > 0 && Number.isFinite(o.timeout))
  ) {
    throw new DatabricksConfigError(
      `\`timeout\` must be a positive number of milliseconds, got ${String(o.timeout)}.`,
    );
  }
  if (o.maxRetries !== undefined && !(Number.isInteger(o.maxRetries) && o.maxRetries >= 0)) {
    throw new DatabricksConfigError(
      `\`maxRetries\` must be a non-negative integer, got ${String(o.maxRetries)}.`,
    );
  }
  if (o.tokenProvider !== undefined && typeof o.tokenProvider !== "function") {
    throw new DatabricksConfigError(
      "`tokenProvider` must be a function returning a token (or a promise of one).",
    );
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") {
    throw new DatabricksConfigError("`fetch` must be a fetch-compatible function.");
  }
}

/**
 * A `.` or `..` path segment would be resolved away by any URL normaliser on the way (proxies, the workspace front
 * end), turning an endpoint named ".." into a request for a different API. `encodeURIComponent` leaves dots alone,
 * so such names are refused here, for every caller at once.
 */
function checkDotSegments(path: string, endpoint: string | undefined): void {
  if (!path.includes(".") && !path.includes("%")) return; // nearly every path: no segment to inspect
  const q = path.indexOf("?");
  const segments = (q === -1 ? path : path.slice(0, q)).split("/");
  if (segments.some((s) => s === "." || s === ".." || /^(?:\.|%2e){1,2}$/i.test(s))) {
    throw new DatabricksConfigError(
      `Invalid name in request path ${JSON.stringify(path.slice(0, q === -1 ? undefined : q))}` +
        `${endpoint ? ` (endpoint ${JSON.stringify(endpoint)})` : ""}: "." and ".." are not valid names.`,
    );
  }
}

function isAuthRejection(e: DatabricksError): boolean {
  if (e.status === 401) return true;
  return e.status === 403 && e.errorCode !== "PERMISSION_DENIED" && AUTH_REJECTED.test(e.message);
}

function redactToken(text: string, authHeader: string): string {
  const space = authHeader.indexOf(" ");
  const token = space === -1 ? authHeader : authHeader.slice(space + 1);
  return token.length >= 8 && text.includes(token) ? text.split(token).join("[REDACTED]") : text;
}

/**
 * The single HTTP layer of the package: config/auth resolution (lazy, cached), keep-alive transport,
 * timeouts, abort, retries, redirects, typed errors and SSE streaming. Model classes and clients share one
 * instance per configuration.
 *
 * @example
 * const http = new DatabricksHttpClient({ host: "https://my-ws.cloud.databricks.com", token: "dapi..." });
 * const out = await http.request<{ choices: unknown[] }>({
 *   method: "POST", path: "/serving-endpoints/my-chat/invocations", body: { messages: [{ role: "user", content: "hi" }] },
 * });
 */
export class DatabricksHttpClient {
  readonly #options: DatabricksAuthOptions;
  readonly #extras: HttpClientExtras;
  readonly #policy: RetryPolicy;
  readonly #timeout: number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #now: () => number;
  #transport: Transport | undefined;
  #state: State | undefined;
  #init: Promise<State> | undefined;

  /** Validates option shapes only; performs no I/O. */
  constructor(options: DatabricksAuthOptions = {}, extras: HttpClientExtras = {}) {
    validateOptions(options);
    this.#options = { ...options };
    this.#extras = extras;
    this.#policy = makeRetryPolicy(options.retry, options.maxRetries);
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#sleep =
      extras.sleep ?? makeSleep(() => new DatabricksAbortError("Cancelled: aborted while waiting to retry."));
    this.#random = extras.random ?? Math.random;
    this.#now = extras.now ?? Date.now;
  }

  /** Resolves (once) and returns host, auth type, default cluster and where they came from. No secrets. */
  async resolveConfig(): Promise<ResolvedConfig> {
    return (this.#state ?? (await this.#initialize())).config;
  }

  /** Sends a request and returns the parsed JSON body (or text with `responseType: "text"`). */
  async request<T = unknown>(req: HttpRequest): Promise<T> {
    const ex = await this.#send(req, false);
    return this.#readBody<T>(ex, req);
  }

  /** Like {@link request}, plus status and response headers (e.g. `served-model-name`). */
  async requestWithMeta<T = unknown>(req: HttpRequest): Promise<HttpResponseMeta<T>> {
    const ex = await this.#send(req, false);
    const data = await this.#readBody<T>(ex, req);
    return { data, status: ex.res.status, headers: flattenHeaders(ex.res.headers) };
  }

  /**
   * Sends a request expecting `text/event-stream` and yields each `data:` payload parsed as JSON. Ends on
   * `[DONE]` or EOF. Retries only before the first event; in-band error events throw typed errors. A plain
   * JSON response (endpoint without streaming support) is yielded once. Breaking out of the loop aborts the
   * response.
   */
  async *stream<T = unknown>(req: HttpRequest): AsyncGenerator<T, void, undefined> {
    const budget = req.maxRetries ?? this.#policy.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const ex = await this.#send(req, true);
      const contentType = headerValue(ex.res.headers, "content-type") ?? "";
      if (contentType.includes("application/json")) {
        yield (await this.#readBody<T>(ex, req)) as T;
        return;
      }
      let yielded = false;
      try {
        const max = this.#extras.maxStreamLineLength ?? DEFAULT_MAX_LINE_LENGTH;
        const events = parseEvents(decodeLines(ex.res.body(), max), max);
        for await (const item of parseJsonEvents<T>(events, {
          expectDone: req.expectDone,
          endpoint: req.endpoint,
          isFinal: req.isFinalEvent,
        })) {
          yielded = true;
          yield item;
        }
        if (!yielded && !contentType.includes("text/event-stream")) {
          // Neither SSE nor JSON, and nothing in it parsed as an event: an empty answer would hide the failure.
          throw new DatabricksStreamError(
            `Stream${req.endpoint ? ` from ${req.endpoint}` : ""} ended before completion: the HTTP ${ex.res.status} ` +
              `response (content-type ${JSON.stringify(contentType || "none")}) contained no events.`,
            { status: ex.res.status, endpoint: req.endpoint, headers: flattenHeaders(ex.res.headers) },
          );
        }
        return;
      } catch (e) {
        const err = e instanceof DatabricksError ? e : new DatabricksError(String(e), { cause: e });
        // Never retry once anything was yielded: the consumer has already seen part of the answer.
        if (
          !yielded &&
          attempt < budget &&
          err instanceof DatabricksConnectionError &&
          isRetryable(this.#policy, err)
        ) {
          await this.#sleep(retryDelayMs(this.#policy, attempt, undefined, this.#random), req.signal);
          continue;
        }
        throw markNotRetryable(err);
      }
    }
  }

  /** Closes the connection pool if this client owns one (clients with `ca`). */
  async close(): Promise<void> {
    await this.#transport?.close();
  }

  /** No secrets: only what is safe in logs and traces. */
  toJSON(): Record<string, unknown> {
    return {
      host: this.#state?.config.host ?? this.#options.host,
      authType: this.#state?.config.authType,
      timeout: this.#timeout,
      maxRetries: this.#policy.maxRetries,
    };
  }

  #getTransport(): Transport {
    this.#transport ??=
      this.#extras.transport ??
      (this.#options.fetch
        ? new FetchTransport(this.#options.fetch)
        : new NodeTransport({ ca: this.#options.ca }));
    return this.#transport;
  }

  #initialize(): Promise<State> {
    this.#init ??= resolveAuth(
      this.#options,
      this.#extras.io ?? defaultConfigIo(),
      () => this.#authHttp(),
      this.#now,
    )
      .then((resolved) => {
        const ua = userAgent(resolved.config.authType);
        const state: State = {
          config: resolved.config,
          credentials: resolved.credentials,
          origin: resolved.config.host,
          userAgent: ua,
          auth: "",
          cache: [],
        };
        this.#state = state;
        return state;
      })
      .catch((e: unknown) => {
        // Config errors are permanent, but a failed CLI spawn or file read may be fixed: allow a new attempt.
        this.#init = undefined;
        throw markNotRetryable(e);
      });
    return this.#init;
  }

  /** Headers for one attempt; the common shapes are cached per auth value to keep the hot path allocation-free. */
  #headers(
    st: State,
    auth: string,
    hasBody: boolean,
    stream: boolean,
    extra: Record<string, string> | undefined,
  ) {
    const slot = (hasBody ? 1 : 0) + (stream ? 2 : 0);
    if (extra === undefined) {
      if (st.auth !== auth) {
        st.auth = auth;
        st.cache = [];
      }
      const hit = st.cache[slot];
      if (hit) return hit;
    }
    const h: Record<string, string> = {
      "user-agent": st.userAgent,
      accept: stream ? "text/event-stream" : "application/json",
      ...this.#extras.defaultHeaders,
    };
    if (hasBody) h["content-type"] = "application/json";
    if (extra) Object.assign(h, extra);
    h.authorization = auth;
    if (extra === undefined) st.cache[slot] = h;
    return h;
  }

  #abort(req: HttpRequest, signal: AbortSignal): DatabricksAbortError {
    const origin = this.#state?.origin ?? this.#options.host ?? "";
    return markNotRetryable(abortError(describeTarget(req.method, origin, req.path), signal.reason));
  }

  /** Shared work (config resolution, a token refresh others wait on) raced against this caller's signal. */
  #race<T>(shared: PromiseLike<T>, req: HttpRequest, signal: AbortSignal | undefined): Promise<T> {
    return raceAbort(shared, signal, (sig) => this.#abort(req, sig));
  }

  async #send(req: HttpRequest, stream: boolean): Promise<Exchange> {
    const signal = req.signal;
    // Before anything else: config resolution may read files or spawn the CLI.
    if (signal?.aborted) throw this.#abort(req, signal);
    const st = this.#state ?? (await this.#race(this.#initialize(), req, signal));
    checkDotSegments(req.path, req.endpoint);
    const path = buildPath(req.path, req.query);
    if (signal?.aborted) throw this.#abort(req, signal);
    const body = serializeBody(req.body);
    const timeoutMs = req.timeout ?? this.#timeout;
    const policy = this.#policy;
    const budget = req.maxRetries ?? policy.maxRetries;
    let refreshed = false;
    for (let attempt = 0; ; ) {
      const pending = st.credentials.header();
      const auth = typeof pending === "string" ? pending : await this.#race(pending, req, signal);
      const headers = this.#headers(st, auth, body !== undefined, stream, req.headers);
      let ex: Exchange;
      try {
        ex = await this.#followRedirects(
          st.origin,
          path,
          req.method,
          headers,
          body,
          signal,
          timeoutMs,
          stream,
        );
      } catch (e) {
        const err = e instanceof DatabricksError ? e : new DatabricksError(String(e), { cause: e });
        if (attempt < budget && isRetryable(policy, err) && !signal?.aborted) {
          await this.#sleep(retryDelayMs(policy, attempt, undefined, this.#random), signal);
          attempt++;
          continue;
        }
        throw markNotRetryable(err);
      }
      const status = ex.res.status;
      if (status >= 200 && status < 300) return ex;
      let text = "";
      try {
        text = await ex.res.text();
      } catch {
        // The status says enough; a body cut short does not change the error class.
      }
      const q = ex.path.indexOf("?");
      const err = apiErrorFromResponse(status, ex.res.headers, redactToken(text, auth), {
        method: req.method,
        path: q === -1 ? ex.path : ex.path.slice(0, q),
        endpoint: req.endpoint,
        now: this.#now,
      });
      if (!refreshed && isAuthRejection(err) && st.credentials.invalidate(auth)) {
        refreshed = true;
        continue;
      }
      if (attempt < budget && isRetryable(policy, err)) {
        await this.#sleep(retryDelayMs(policy, attempt, err.retryAfterMs, this.#random), signal);
        attempt++;
        continue;
      }
      throw markNotRetryable(err);
    }
  }

  /** Follows up to 5 redirects by hand; `Authorization` is dropped as soon as the origin changes. */
  async #followRedirects(
    origin0: string,
    path0: string,
    method0: string,
    headers0: Record<string, string>,
    body0: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    stream: boolean,
  ): Promise<Exchange> {
    const transport = this.#getTransport();
    let origin = origin0;
    let path = path0;
    let method = method0;
    let headers = headers0;
    let body = body0;
    for (let hop = 0; ; hop++) {
      const res = await transport.send({ origin, path, method, headers, body, signal, timeoutMs, stream });
      const status = res.status;
      if (status < 300 || status >= 400 || status === 304) return { res, origin, path };
      const location = headerValue(res.headers, "location");
      if (!location) return { res, origin, path };
      res.discard();
      if (hop >= MAX_REDIRECTS) {
        throw new DatabricksConnectionError(
          `Too many redirects (> ${MAX_REDIRECTS}) from ${describeTarget(method0, origin0, path0)}.`,
          {
            transient: false,
          },
        );
      }
      let next: URL;
      try {
        next = new URL(location, origin + path);
      } catch {
        throw new DatabricksConnectionError(
          `Invalid redirect Location from ${describeTarget(method, origin, path)}.`,
          {
            transient: false,
          },
        );
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new DatabricksConnectionError(`Refusing redirect to ${next.protocol} URL.`, {
          transient: false,
        });
      }
      if (
        next.protocol === "http:" &&
        !isLoopbackHostname(next.hostname) &&
        this.#options.allowInsecureHttp !== true
      ) {
        throw new DatabricksConnectionError(
          `Refusing redirect to plain http://${next.host} (set allowInsecureHttp to allow).`,
          {
            transient: false,
          },
        );
      }
      if (next.origin !== origin0 && headers.authorization !== undefined) {
        const { authorization: _dropped, ...rest } = headers;
        headers = rest;
      }
      // 303, and 301/302 after a non-GET, become a GET without body (as browsers and fetch do).
      if (status === 303 || ((status === 301 || status === 302) && method !== "GET" && method !== "HEAD")) {
        method = "GET";
        body = undefined;
        const { "content-type": _ct, ...rest } = headers;
        headers = rest;
      }
      origin = next.origin;
      path = next.pathname + next.search;
    }
  }

  async #readBody<T>(ex: Exchange, req: HttpRequest): Promise<T> {
    let text: string;
    try {
      text = await ex.res.text();
    } catch (e) {
      throw markNotRetryable(e);
    }
    if (req.responseType === "text") return text as T;
    if (text === "") return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw markNotRetryable(
        new DatabricksError(
          `Response from ${req.method} ${req.path} is not JSON (HTTP ${ex.res.status}): ${JSON.stringify(text.slice(0, 200))}`,
          {
            status: ex.res.status,
            endpoint: req.endpoint ?? req.path,
            headers: flattenHeaders(ex.res.headers),
            cause: e,
          },
        ),
      );
    }
  }

  /** HTTP for credential providers: same transport and timeout; retries network errors, 429 and 5xx. */
  #authHttp(): AuthHttp {
    return async (r) => {
      const url = new URL(r.url);
      const budget = this.#policy.maxRetries;
      for (let attempt = 0; ; attempt++) {
        let res: TransportResponse;
        try {
          const ex = await this.#followRedirects(
            url.origin,
            url.pathname + url.search,
            r.method,
            { "user-agent": userAgent("oauth-m2m"), ...r.headers },
            r.body,
            undefined,
            this.#timeout,
            false,
          );
          res = ex.res;
        } catch (e) {
          const err = e as DatabricksError;
          if (attempt < budget && err instanceof DatabricksError && isRetryable(this.#policy, err)) {
            await this.#sleep(retryDelayMs(this.#policy, attempt, undefined, this.#random));
            continue;
          }
          throw e;
        }
        const text = await res.text();
        if ((res.status === 429 || res.status >= 500) && attempt < budget) {
          // The token endpoint's own Retry-After wins over backoff (capped like every other retry).
          const hint = parseRetryAfterMs(res.headers, this.#now);
          await this.#sleep(retryDelayMs(this.#policy, attempt, hint, this.#random));
          continue;
        }
        return { status: res.status, headers: res.headers, text };
      }
    };
  }
}
