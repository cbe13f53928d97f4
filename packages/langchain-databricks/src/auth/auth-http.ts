/** A minimal HTTP call used by credential providers (OIDC discovery, token endpoint). */
export interface AuthHttpRequest {
  method: "GET" | "POST";
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Response headers: lower-case names; repeated headers may arrive as arrays (the shape transports return). */
export type AuthHttpHeaders = Record<string, string | string[] | undefined>;

/** Fully read response of an {@link AuthHttpRequest}. */
export interface AuthHttpResponse {
  status: number;
  headers: AuthHttpHeaders;
  text: string;
}

/**
 * The plain transport auth is given: provided by the HTTP client (same connection pool, TLS settings, timeout and
 * retry policy), so `auth/` never imports `http/`.
 */
export type AuthHttp = (req: AuthHttpRequest) => Promise<AuthHttpResponse>;
