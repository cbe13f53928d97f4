/**
 * A credential source. `header()` returns the `Authorization` value synchronously when it is cached, so the
 * request hot path allocates no promise for PATs or fresh OAuth tokens.
 */
export interface Credentials {
  /** Auth type reported in the User-Agent (`auth/<type>`): "pat", "oauth-m2m", "databricks-cli", "token-provider". */
  readonly authType: string;
  /** The `Authorization` header value. */
  header(): string | Promise<string>;
  /**
   * Called when the server rejected `rejectedHeader` (401, or 403 "Invalid access token"). Returns true when
   * fetching credentials again may help, in which case the request is retried once.
   */
  invalidate(rejectedHeader: string): boolean;
}

/** A static personal access token (or any fixed bearer token). Never refreshable. */
export class PatCredentials implements Credentials {
  readonly authType = "pat";
  readonly #header: string;
  constructor(token: string) {
    this.#header = `Bearer ${token}`;
  }
  header(): string {
    return this.#header;
  }
  invalidate(): boolean {
    return false;
  }
  toJSON(): Record<string, string> {
    return { authType: this.authType };
  }
}

/** A user-supplied token function, called before every request (and once more after a rejection). */
export class TokenProviderCredentials implements Credentials {
  readonly authType = "token-provider";
  readonly #provider: () => string | Promise<string>;
  constructor(provider: () => string | Promise<string>) {
    this.#provider = provider;
  }
  header(): string | Promise<string> {
    const token = this.#provider();
    return typeof token === "string" ? `Bearer ${token}` : token.then((t) => `Bearer ${t}`);
  }
  invalidate(): boolean {
    return true;
  }
  toJSON(): Record<string, string> {
    return { authType: this.authType };
  }
}
