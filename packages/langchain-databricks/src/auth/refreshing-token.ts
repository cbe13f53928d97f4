import type { Credentials } from "./credentials.js";

/** A bearer token with its absolute expiry (ms since epoch). */
export interface ExpiringToken {
  accessToken: string;
  /** Usually "Bearer". */
  tokenType: string;
  expiresAt: number;
}

/**
 * Caches an expiring token and refreshes it with at most one request in flight, shared by all callers.
 *
 * - Fresh token: returned synchronously.
 * - Inside the soft window (last quarter of its life, at most 60 s): still returned, and one background
 *   refresh starts, so callers never wait at the expiry boundary.
 * - Inside the hard window (last 5%, at most 10 s) or expired: callers wait for the shared refresh.
 * - `invalidate(h)` drops the token only if `h` is still the cached one, so 50 requests rejected with the
 *   same old token cause exactly one refresh.
 */
export class RefreshingTokenCredentials implements Credentials {
  readonly authType: string;
  readonly #fetchToken: () => Promise<ExpiringToken>;
  readonly #now: () => number;
  #header: string | undefined;
  #expiresAt = 0;
  #softAt = 0;
  #hardAt = 0;
  #inflight: Promise<string> | undefined;

  constructor(authType: string, fetchToken: () => Promise<ExpiringToken>, now: () => number = Date.now) {
    this.authType = authType;
    this.#fetchToken = fetchToken;
    this.#now = now;
  }

  header(): string | Promise<string> {
    const header = this.#header;
    if (header !== undefined) {
      const now = this.#now();
      if (now < this.#hardAt) {
        if (now >= this.#softAt && this.#inflight === undefined) {
          // Background refresh: failures are ignored here; the token is still valid and the next
          // foreground refresh will surface the error.
          this.#refresh().catch(() => undefined);
        }
        return header;
      }
    }
    return this.#inflight ?? this.#refresh();
  }

  invalidate(rejectedHeader: string): boolean {
    if (this.#header === rejectedHeader) this.#header = undefined;
    return true;
  }

  /** Stores a token obtained elsewhere (e.g. while probing the CLI during config resolution). */
  prime(token: ExpiringToken): string {
    const now = this.#now();
    const life = Math.max(0, token.expiresAt - now);
    // Databricks expects exactly "Bearer"; some token endpoints answer "bearer".
    const type = !token.tokenType || token.tokenType.toLowerCase() === "bearer" ? "Bearer" : token.tokenType;
    this.#header = `${type} ${token.accessToken}`;
    this.#expiresAt = token.expiresAt;
    this.#hardAt = token.expiresAt - Math.min(10_000, life * 0.05);
    this.#softAt = token.expiresAt - Math.min(60_000, life * 0.25);
    return this.#header;
  }

  #refresh(): Promise<string> {
    const p = this.#fetchToken().then(
      (token) => {
        this.#inflight = undefined;
        return this.prime(token);
      },
      (error: unknown) => {
        this.#inflight = undefined;
        throw error;
      },
    );
    this.#inflight = p;
    return p;
  }

  /** Expiry of the cached token (ms since epoch), 0 when none. For diagnostics and tests. */
  get expiresAt(): number {
    return this.#header === undefined ? 0 : this.#expiresAt;
  }

  toJSON(): Record<string, string> {
    return { authType: this.authType };
  }
}
