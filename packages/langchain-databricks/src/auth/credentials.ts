import { UnauthenticatedError } from "../errors.js";

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
    let token: string | Promise<string>;
    try {
      token = this.#provider();
    } catch (e) {
      throw providerFailed(e);
    }
    if (typeof token === "string") return bearer(token);
    if (token === null || typeof (token as { then?: unknown } | undefined)?.then !== "function") {
      throw providerFailed(undefined, typeof token);
    }
    return Promise.resolve(token).then(
      (t) => {
        if (typeof t !== "string") throw providerFailed(undefined, typeof t);
        return bearer(t);
      },
      (e: unknown) => {
        throw providerFailed(e);
      },
    );
  }
  invalidate(): boolean {
    return true;
  }
  toJSON(): Record<string, string> {
    return { authType: this.authType };
  }
}

function bearer(token: string): string {
  if (token.trim() === "") throw providerFailed(undefined, "an empty string");
  return `Bearer ${token}`;
}

/**
 * A failing or misbehaving `tokenProvider` becomes a typed error. Its own message and the thrown value are left
 * out on purpose: they may quote the token (or part of it), and errors end up in logs and traces.
 */
function providerFailed(thrown: unknown, got?: string): UnauthenticatedError {
  if (got !== undefined) {
    return new UnauthenticatedError(
      `\`tokenProvider\` returned ${got} instead of a token string (or a promise of one).`,
    );
  }
  const kind = thrown instanceof Error ? thrown.name : typeof thrown;
  return new UnauthenticatedError(
    `\`tokenProvider\` failed (${kind}) while fetching a token; its message is not shown because it may contain ` +
      "credentials. Check the function passed as `tokenProvider`.",
  );
}
