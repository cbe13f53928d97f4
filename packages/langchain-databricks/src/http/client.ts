import type { AuthHttp } from "../auth/auth-http.js";
import type { Credentials } from "../auth/credentials.js";
import { type ConfigIo, defaultConfigIo } from "../auth/io.js";
import { OAuthM2MCredentials } from "../auth/oauth-m2m.js";
import { type ResolvedConfig, resolveAuth } from "../auth/resolve.js";
import { apiErrorFromResponse } from "../error-body.js";
import { AbortError, ConnectionError, DatabricksError, markNotRetryable } from "../errors.js";
import type { DatabricksAuthOptions } from "../options.js";
import { redactError, redactSecrets, tokenOf } from "../redact.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../sse/lines.js";
import { raceAbort } from "../utils/abort.js";
import { type AttemptLoop, type AttemptOutcome, runAttempts } from "./attempts.js";
import { isAuthRejection } from "./auth-rejection.js";
import { AuthState } from "./auth-state.js";
import { FetchTransport } from "./fetch-transport.js";
import { NodeTransport } from "./node-transport.js";
import { type Exchange, sendFollowingRedirects } from "./redirects.js";
import {
  buildPath,
  checkDotSegments,
  checkOrigin,
  type HttpRequest,
  type HttpResponseMeta,
  serializeBody,
} from "./request.js";
import { eventPayloads, readBody } from "./response-body.js";
import { makeRetryPolicy, parseRetryAfterMs, type RetryPolicy } from "./retry.js";
import { makeSleep, type Sleep } from "./sleep.js";
import { flattenHeaders, headerValue, type Transport } from "./transport.js";
import { abortError, describeTarget } from "./transport-errors.js";
import { userAgent } from "./user-agent.js";
import { validateOptions } from "./validate-options.js";

export type { HttpMethod, HttpRequest, HttpResponseMeta, QueryParams } from "./request.js";
export type { ResolvedConfig };

/** Default per-attempt timeout, ms (as MLflow's deployments client). */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** Default bound on a non-streaming response body: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Error bodies (4xx/5xx) are read up to this many bytes, then cut: retries never buffer big error pages. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

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

/** A stream once its first event (or its JSON body) has arrived. */
type OpenedStream<T> =
  | { json: T }
  | { events: AsyncGenerator<T, void, undefined>; first: IteratorResult<T, void> }
  | { rethrow: unknown };

/**
 * The single HTTP layer of the package: lazy config/auth resolution (`auth-state.ts`), keep-alive transport,
 * timeouts, abort, retries (`attempts.ts`), redirects (`redirects.ts`), typed errors and SSE streaming. Model
 * classes and clients share one instance per configuration.
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
  readonly #idleTimeout: number | undefined;
  readonly #maxBytes: number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #now: () => number;
  #transport: Transport | undefined;
  /** The token of the last failed call's `Authorization` (for redaction; set on the error path only). */
  #lastToken: string | undefined;
  #state: AuthState | undefined;
  #init: Promise<AuthState> | undefined;

  /** Validates option shapes only; performs no I/O. */
  constructor(options: DatabricksAuthOptions = {}, extras: HttpClientExtras = {}) {
    validateOptions(options);
    this.#options = { ...options };
    this.#extras = extras;
    this.#policy = makeRetryPolicy(options.retry, options.maxRetries);
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#idleTimeout = options.streamIdleTimeoutMs;
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#sleep =
      extras.sleep ?? makeSleep(() => new AbortError("Cancelled: aborted while waiting to retry."));
    this.#random = extras.random ?? Math.random;
    this.#now = extras.now ?? Date.now;
  }

  /** Resolves (once) and returns host, auth type, default cluster and where they came from. No secrets. */
  async resolveConfig(): Promise<ResolvedConfig> {
    return (this.#state ?? (await this.#initialize())).config;
  }

  /** Sends a request and returns the parsed JSON body (or text with `responseType: "text"`). */
  async request<T = unknown>(req: HttpRequest): Promise<T> {
    try {
      const exchange = await this.#send(req, false);
      return await readBody<T>(exchange, req, req.maxResponseBytes ?? this.#maxBytes);
    } catch (e) {
      throw this.#redact(e);
    }
  }

  /** Like {@link request}, plus status and response headers (e.g. `served-model-name`). */
  async requestWithMeta<T = unknown>(req: HttpRequest): Promise<HttpResponseMeta<T>> {
    try {
      const exchange = await this.#send(req, false);
      const data = await readBody<T>(exchange, req, req.maxResponseBytes ?? this.#maxBytes);
      return { data, status: exchange.res.status, headers: flattenHeaders(exchange.res.headers) };
    } catch (e) {
      throw this.#redact(e);
    }
  }

  /**
   * Sends a request expecting `text/event-stream` and yields each `data:` payload parsed as JSON. Ends on
   * `[DONE]` or EOF. Retries (connection failures only) before the first event, never after: the consumer has
   * already seen part of the answer. In-band error events throw typed errors. A plain JSON response (endpoint
   * without streaming support) is yielded once. Breaking out of the loop aborts the response.
   */
  async *stream<T = unknown>(req: HttpRequest): AsyncGenerator<T, void, undefined> {
    const maxLine = this.#extras.maxStreamLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    let opened: OpenedStream<T>;
    try {
      opened = await this.#open<T>(req, maxLine);
    } catch (e) {
      throw this.#redact(e);
    }
    if ("rethrow" in opened) throw this.#redact(opened.rethrow);
    if ("json" in opened) {
      yield opened.json;
      return;
    }
    const { events } = opened;
    let next = opened.first;
    try {
      while (!next.done) {
        yield next.value;
        next = await events.next();
      }
    } catch (e) {
      throw this.#redact(
        markNotRetryable(e instanceof DatabricksError ? e : new DatabricksError(String(e), { cause: e })),
      );
    } finally {
      await events.return(undefined);
    }
  }

  /** Opens a stream: attempts (connection failures only) until the first event or the JSON body arrives. */
  #open<T>(req: HttpRequest, maxLine: number): Promise<OpenedStream<T>> {
    return runAttempts<OpenedStream<T>>(
      this.#loop(req.maxRetries, req.signal),
      async () => {
        let exchange: Exchange;
        let contentType: string;
        try {
          // The request itself already ran its own attempts; its failure is final here.
          exchange = await this.#send(req, true);
          contentType = headerValue(exchange.res.headers, "content-type") ?? "";
          if (contentType.includes("application/json")) {
            const maxBytes = req.maxResponseBytes ?? this.#maxBytes;
            return { ok: true, value: { json: await readBody<T>(exchange, req, maxBytes) } };
          }
        } catch (e) {
          return { ok: true, value: { rethrow: e } };
        }
        const events = eventPayloads<T>(exchange, req, contentType, maxLine);
        return { ok: true, value: { events, first: await events.next() } };
      },
      { retryIf: (e) => e instanceof ConnectionError },
    );
  }

  /**
   * Credentials of the same OAuth M2M service principal whose tokens carry `authorization_details` (a JSON list),
   * or undefined when the client does not authenticate with OAuth M2M. The client secret never leaves auth/.
   */
  async scopedCredentials(authorizationDetails: string): Promise<Credentials | undefined> {
    const state = this.#state ?? (await this.#initialize());
    const c = state.credentials;
    return c instanceof OAuthM2MCredentials ? c.withAuthorizationDetails(authorizationDetails) : undefined;
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

  /**
   * Error path only: removes every credential form (`src/redact.ts`) from an escaping error's message and cause
   * chain: the configured token and client secret, the bearer token last sent, and any Bearer/Basic value.
   */
  #redact<E>(e: E): E {
    const o = this.#options;
    return redactError(e, [o.token, o.clientSecret, this.#lastToken]);
  }

  #loop(maxRetries: number | undefined, signal: AbortSignal | undefined): AttemptLoop {
    return {
      policy: this.#policy,
      budget: maxRetries ?? this.#policy.maxRetries,
      sleep: this.#sleep,
      random: this.#random,
      signal,
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

  #initialize(): Promise<AuthState> {
    this.#init ??= resolveAuth(
      this.#options,
      this.#extras.io ?? defaultConfigIo(),
      () => this.#authHttp(),
      this.#now,
    )
      .then((resolved) => {
        this.#state = new AuthState(resolved.config, resolved.credentials, this.#extras.defaultHeaders);
        return this.#state;
      })
      .catch((e: unknown) => {
        // Config errors are permanent, but a failed CLI spawn or file read may be fixed: allow a new attempt.
        this.#init = undefined;
        throw markNotRetryable(e);
      });
    return this.#init;
  }

  #abort(req: HttpRequest, signal: AbortSignal): AbortError {
    const origin = req.origin ?? this.#state?.origin ?? this.#options.host ?? "";
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
    const state = this.#state ?? (await this.#race(this.#initialize(), req, signal));
    checkDotSegments(req.path, req.endpoint);
    checkOrigin(req, state.origin);
    const path = buildPath(req.path, req.query);
    if (signal?.aborted) throw this.#abort(req, signal);
    const body = serializeBody(req.body);
    const timeoutMs = req.timeout ?? this.#timeout;
    const allowInsecureHttp = this.#options.allowInsecureHttp === true;
    const credentials = req.credentials ?? state.credentials;
    let refreshed = false;
    return runAttempts(this.#loop(req.maxRetries, signal), async (): Promise<AttemptOutcome<Exchange>> => {
      for (;;) {
        let auth: string;
        try {
          const pending = credentials.header();
          auth = typeof pending === "string" ? pending : await this.#race(pending, req, signal);
        } catch (e) {
          return { ok: false, abandon: e };
        }
        const headers = state.headers(auth, body !== undefined, stream, req.headers);
        const exchange = await sendFollowingRedirects(
          this.#getTransport(),
          {
            origin: req.origin ?? state.origin,
            path,
            method: req.method,
            headers,
            body,
            signal,
            timeoutMs,
            idleTimeoutMs: req.streamIdleTimeoutMs ?? this.#idleTimeout,
            stream,
          },
          allowInsecureHttp,
        );
        const status = exchange.res.status;
        if (status >= 200 && status < 300) return { ok: true, value: exchange };
        const error = await this.#errorOf(exchange, req, auth);
        // One fresh token per call (not an attempt of the retry policy): the old one may just have expired.
        if (!refreshed && isAuthRejection(error) && credentials.invalidate(auth)) {
          refreshed = true;
          continue;
        }
        return { ok: false, error };
      }
    });
  }

  /** The typed error of a non-2xx answer: its (bounded) body read, every credential form redacted from it. */
  async #errorOf(exchange: Exchange, req: HttpRequest, auth: string): Promise<DatabricksError> {
    const status = exchange.res.status;
    let text = "";
    try {
      text = await exchange.res.text(
        Math.min(MAX_ERROR_BODY_BYTES, req.maxResponseBytes ?? this.#maxBytes),
        true,
      );
    } catch {
      // The status says enough; a body cut short does not change the error class.
    }
    const q = exchange.path.indexOf("?");
    const token = tokenOf(auth);
    this.#lastToken = token;
    return apiErrorFromResponse(status, exchange.res.headers, redactSecrets(text, [token]), {
      method: req.method,
      path: q === -1 ? exchange.path : exchange.path.slice(0, q),
      endpoint: req.endpoint,
      now: this.#now,
    });
  }

  /**
   * The plain transport given to credential providers: same pool, TLS settings, timeout and retry policy
   * (network errors and the policy's statuses, honouring the token endpoint's `Retry-After`).
   */
  #authHttp(): AuthHttp {
    return async (r) => {
      const url = new URL(r.url);
      return runAttempts(this.#loop(undefined, undefined), async () => {
        const exchange = await sendFollowingRedirects(
          this.#getTransport(),
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: r.method,
            headers: { "user-agent": userAgent("oauth-m2m"), ...r.headers },
            body: r.body,
            signal: undefined,
            timeoutMs: this.#timeout,
            stream: false,
          },
          this.#options.allowInsecureHttp === true,
        );
        const { status, headers } = exchange.res;
        let text: string;
        try {
          // Token responses are small; an error page is cut, a huge 200 refused.
          text = await exchange.res.text(
            status >= 400 ? MAX_ERROR_BODY_BYTES : this.#maxBytes,
            status >= 400,
          );
        } catch (e) {
          return { ok: false, abandon: e };
        }
        const response = { status, headers, text };
        if (!this.#policy.statuses.includes(status)) return { ok: true, value: response };
        const error = new DatabricksError(
          `HTTP ${status} from ${describeTarget(r.method, url.origin, url.pathname)}`,
          {
            status,
            retryAfterMs: parseRetryAfterMs(headers, this.#now),
          },
        );
        return { ok: false, error, fallback: response };
      });
    };
  }
}
