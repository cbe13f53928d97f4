import type { ResponseHeaders } from "../http/transport.js";

/** A minimal HTTP call used by credential providers (OIDC discovery, token endpoint). */
export interface AuthHttpRequest {
  method: "GET" | "POST";
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Fully read response of an {@link AuthHttpRequest}. */
export interface AuthHttpResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/** Provided by the HTTP client: same transport, TLS settings, timeout and network-retry policy. */
export type AuthHttp = (req: AuthHttpRequest) => Promise<AuthHttpResponse>;

/** Base64 of UTF-8 text without Node's Buffer (works in every runtime). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
