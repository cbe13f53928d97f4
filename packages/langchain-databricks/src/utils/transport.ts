import type { DatabricksAuthOptions } from "../auth/options.js";
import { DatabricksHttpClient, type HttpRequest } from "../http/client.js";

/**
 * The part of the core HTTP client the model classes use. Accepting this structural type (instead of the
 * class) lets several models share one client (one token cache, one connection pool) and lets tests inject
 * a fake transport. There is deliberately no other HTTP path.
 */
export interface DatabricksTransport {
  request<T = unknown>(req: HttpRequest): Promise<T>;
  stream<T = unknown>(req: HttpRequest): AsyncGenerator<T>;
}

export type { HttpRequest };

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
export function lazyTransport(
  injected: DatabricksTransport | undefined,
  options: DatabricksAuthOptions,
): () => DatabricksTransport {
  let client: DatabricksTransport | undefined = injected;
  return () => {
    if (!client) client = new DatabricksHttpClient(options);
    return client;
  };
}

/** Path of an endpoint's invocations route; the name is URL-encoded (names may contain `/` in apps routes). */
export function invocationsPath(endpoint: string): string {
  return `/serving-endpoints/${encodeURIComponent(endpoint)}/invocations`;
}
