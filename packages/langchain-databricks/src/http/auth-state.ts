import type { Credentials } from "../auth/credentials.js";
import type { ResolvedConfig } from "../auth/resolve.js";
import { userAgent } from "./user-agent.js";

/**
 * What a client knows once config resolution is done: the workspace origin, the live credential source and the
 * request headers built for the current `Authorization` value. The common header shapes are cached per auth
 * value, so the request hot path allocates nothing while the token is unchanged.
 */
export class AuthState {
  readonly config: ResolvedConfig;
  readonly credentials: Credentials;
  readonly origin: string;
  readonly userAgent: string;
  readonly #defaultHeaders: Record<string, string> | undefined;
  /** Last auth header and the header objects built for it (slot = hasBody + 2 * stream). */
  #auth = "";
  #cache: Array<Record<string, string> | undefined> = [];

  constructor(
    config: ResolvedConfig,
    credentials: Credentials,
    defaultHeaders: Record<string, string> | undefined,
  ) {
    this.config = config;
    this.credentials = credentials;
    this.origin = config.host;
    this.userAgent = userAgent(config.authType);
    this.#defaultHeaders = defaultHeaders;
  }

  /** The current `Authorization` value: synchronous while cached, a promise while a token is being fetched. */
  authorization(): string | Promise<string> {
    return this.credentials.header();
  }

  /** Headers for one attempt with `auth` as `Authorization`. */
  headers(
    auth: string,
    hasBody: boolean,
    stream: boolean,
    extra: Record<string, string> | undefined,
  ): Record<string, string> {
    const slot = (hasBody ? 1 : 0) + (stream ? 2 : 0);
    if (extra === undefined) {
      if (this.#auth !== auth) {
        this.#auth = auth;
        this.#cache = [];
      }
      const hit = this.#cache[slot];
      if (hit) return hit;
    }
    const h: Record<string, string> = {
      "user-agent": this.userAgent,
      accept: stream ? "text/event-stream" : "application/json",
      ...this.#defaultHeaders,
    };
    if (hasBody) h["content-type"] = "application/json";
    if (extra) Object.assign(h, extra);
    h.authorization = auth;
    if (extra === undefined) this.#cache[slot] = h;
    return h;
  }
}
