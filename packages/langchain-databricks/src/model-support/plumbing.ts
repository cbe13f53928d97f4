import type { AsyncCaller } from "@langchain/core/utils/async_caller";
import { DatabricksHttpClient, type HttpRequest } from "../http/client.js";
import type { DatabricksAuthOptions } from "../options.js";

/**
 * The part of the core HTTP client the model classes use. Accepting this structural type (instead of the
 * class) lets several models share one client (one token cache, one connection pool, one route memory) and
 * lets tests inject a fake. There is deliberately no other HTTP path. (Not a {@link Transport}: that is the
 * socket layer under the client.)
 */
export interface ModelHttpClient {
  request<T = unknown>(req: HttpRequest): Promise<T>;
  stream<T = unknown>(req: HttpRequest): AsyncGenerator<T>;
}

/** @deprecated Use {@link ModelHttpClient}: the name clashed with the socket-level `Transport`. */
export type DatabricksTransport = ModelHttpClient;

export type { HttpRequest };

/** The injected-client fields every model takes: `httpClient`, and its deprecated alias `client`. */
export interface InjectedHttpClient {
  /** A shared HTTP client (e.g. one `DatabricksHttpClient` for several models). Auth options are then ignored. */
  httpClient?: ModelHttpClient;
  /** @deprecated Use `httpClient` (the name API clients take too). */
  client?: ModelHttpClient;
}

/** Every auth/connection option name, so model constructors can forward exactly these to the client. */
export const AUTH_OPTION_KEYS = [
  "host",
  "token",
  "clientId",
  "clientSecret",
  "profile",
  "configFile",
  "authType",
  "tokenProvider",
  "allowInsecureHttp",
  "fetch",
  "timeout",
  "maxRetries",
  "retry",
  "ca",
] as const satisfies readonly (keyof DatabricksAuthOptions)[];

/** Picks the auth options out of a model's constructor fields; `apiKey`/`apiToken` are aliases of `token`. */
export function pickAuthOptions(
  fields: Partial<DatabricksAuthOptions> & { apiKey?: string; apiToken?: string },
): DatabricksAuthOptions {
  const out: Record<string, unknown> = {};
  for (const key of AUTH_OPTION_KEYS) if (fields[key] !== undefined) out[key] = fields[key];
  const token = fields.token ?? fields.apiKey ?? fields.apiToken;
  if (token !== undefined) out.token = token;
  return out as DatabricksAuthOptions;
}

/** Constructor fields that hold credentials (LangChain keeps every constructor field in `lc_kwargs`). */
const SECRET_KWARGS = ["token", "apiKey", "apiToken", "clientSecret"] as const;

/**
 * Masks credentials in a model's `lc_kwargs`, which LangChain keeps verbatim: without this, `console.log(model)`
 * or `util.inspect(model)` prints the token. The keys stay, so `toJSON()` still emits its secret markers; the HTTP
 * client is built from the constructor's own fields, never from `lc_kwargs`.
 */
export function maskSecretKwargs(kwargs: Record<string, unknown> | undefined): void {
  if (!kwargs) return;
  for (const key of SECRET_KWARGS) if (typeof kwargs[key] === "string") kwargs[key] = "[REDACTED]";
}

/** Returns a getter that builds the HTTP client on first use (constructors must do no I/O and no config lookup). */
export function lazyClient(
  injected: ModelHttpClient | undefined,
  options: DatabricksAuthOptions,
): () => ModelHttpClient {
  let client: ModelHttpClient | undefined = injected;
  return () => {
    if (!client) client = new DatabricksHttpClient(options);
    return client;
  };
}

/** @deprecated Alias of {@link lazyClient}. */
export const lazyTransport = lazyClient;

/** A model's lazy client from its constructor fields: the injected one (`httpClient`, else `client`) or its own. */
export function modelClient(
  fields: InjectedHttpClient & Partial<DatabricksAuthOptions> & { apiKey?: string; apiToken?: string },
): () => ModelHttpClient {
  return lazyClient(fields.httpClient ?? fields.client, pickAuthOptions(fields));
}

/**
 * Runs each HTTP exchange inside LangChain's concurrency queue only when a finite `maxConcurrency` asks for it
 * (the queue costs a hop on the hot path); the queue never retries (retries live in the HTTP client).
 */
export class ConcurrencyGate {
  readonly #caller: AsyncCaller;
  readonly #enabled: boolean;

  constructor(caller: AsyncCaller, maxConcurrency: number | undefined) {
    this.#caller = caller;
    this.#enabled = maxConcurrency !== undefined && Number.isFinite(maxConcurrency);
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#enabled ? this.#caller.call(fn) : fn();
  }
}
