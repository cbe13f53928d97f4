import { apiErrorFromResponse } from "../error-body.js";
import { ConfigError, type DatabricksError, UnauthenticatedError } from "../errors.js";
import { redactSecrets } from "../redact.js";
import { base64Utf8 } from "../utils/base64.js";
import type { AuthHttp } from "./auth-http.js";
import { isLoopbackHostname } from "./host.js";
import { type ExpiringToken, RefreshingTokenCredentials } from "./refreshing-token.js";

/** Settings of the OAuth machine-to-machine (client credentials) flow. */
export interface OAuthM2MSettings {
  host: string;
  clientId: string;
  clientSecret: string;
  http: AuthHttp;
  now?: () => number;
  /** OAuth scope. @default "all-apis" */
  scope?: string;
  /**
   * OAuth `authorization_details` (a JSON list) sent with the token request: Vector Search data-plane tokens are
   * scoped to one index this way (packages/databricks-emulator/spec/vector-search.md, section 8). `[]` sends no key.
   */
  authorizationDetails?: string;
}

const DISCOVERY_PATH = "/oidc/.well-known/oauth-authorization-server";

function checkTokenEndpoint(url: string, host: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`OIDC discovery at ${host}${DISCOVERY_PATH} returned an invalid token_endpoint.`);
  }
  // The client secret is sent there: never in clear text off-box.
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHostname(u.hostname))) {
    if (!(u.protocol === "http:" && host.startsWith("http:"))) {
      throw new ConfigError(
        `OIDC token_endpoint ${u.origin} is not https; refusing to send client credentials.`,
      );
    }
  }
  return u.href;
}

function credentialError(e: DatabricksError, what: string): DatabricksError {
  if (e.status === 400 || e.status === 401 || e.status === 403) {
    return new UnauthenticatedError(
      `OAuth M2M ${what} failed: ${e.message} Check \`clientId\` / \`clientSecret\` (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET).`,
      { status: e.status, errorCode: e.errorCode, headers: e.headers, requestId: e.requestId },
    );
  }
  return e;
}

/**
 * OAuth M2M: discovers the token endpoint once (`/oidc/.well-known/oauth-authorization-server`), then mints
 * `client_credentials` tokens (HTTP Basic client auth, `scope=all-apis`), cached and refreshed ahead of expiry
 * with a single in-flight request.
 */
export function createOAuthM2MCredentials(s: OAuthM2MSettings): OAuthM2MCredentials {
  return new OAuthM2MCredentials(s, discovery(s));
}

/**
 * OAuth M2M credentials. {@link withAuthorizationDetails} derives credentials for the same service principal whose
 * tokens are scoped by `authorization_details` (own cache and single-flight refresh, shared discovery); the client
 * secret stays inside this module.
 */
export class OAuthM2MCredentials extends RefreshingTokenCredentials {
  readonly #settings: OAuthM2MSettings;
  readonly #discover: () => Promise<string>;

  constructor(s: OAuthM2MSettings, discover: () => Promise<string>) {
    super("oauth-m2m", tokenFetcher(s, discover), s.now ?? Date.now);
    this.#settings = s;
    this.#discover = discover;
  }

  /** Credentials whose tokens carry `authorization_details` (a JSON list), e.g. a Vector Search index scope. */
  withAuthorizationDetails(authorizationDetails: string): RefreshingTokenCredentials {
    const s = { ...this.#settings, authorizationDetails };
    return new RefreshingTokenCredentials("oauth-m2m", tokenFetcher(s, this.#discover), s.now ?? Date.now);
  }
}

/** The token endpoint, discovered once (`/oidc/.well-known/oauth-authorization-server`); failures are not cached. */
function discovery(s: OAuthM2MSettings): () => Promise<string> {
  let tokenEndpoint: Promise<string> | undefined;
  const discover = (): Promise<string> => {
    tokenEndpoint ??= (async () => {
      const res = await s.http({
        method: "GET",
        url: s.host + DISCOVERY_PATH,
        headers: { accept: "application/json" },
      });
      if (res.status !== 200) {
        throw credentialError(
          apiErrorFromResponse(res.status, res.headers, redactSecrets(res.text, [s.clientSecret]), {
            method: "GET",
            path: DISCOVERY_PATH,
            endpoint: undefined,
          }),
          "discovery",
        );
      }
      let doc: { token_endpoint?: unknown };
      try {
        doc = JSON.parse(res.text) as { token_endpoint?: unknown };
      } catch {
        throw new ConfigError(`OIDC discovery at ${s.host}${DISCOVERY_PATH} did not return JSON.`);
      }
      if (typeof doc.token_endpoint !== "string") {
        throw new ConfigError(`OIDC discovery at ${s.host}${DISCOVERY_PATH} has no token_endpoint.`);
      }
      return checkTokenEndpoint(doc.token_endpoint, s.host);
    })().catch((e: unknown) => {
      tokenEndpoint = undefined; // a transient failure must not poison the cache
      throw e;
    });
    return tokenEndpoint;
  };
  return discover;
}

/** One `client_credentials` token request (HTTP Basic client auth). */
function tokenFetcher(s: OAuthM2MSettings, discover: () => Promise<string>): () => Promise<ExpiringToken> {
  const now = s.now ?? Date.now;
  const basic = `Basic ${base64Utf8(`${s.clientId}:${s.clientSecret}`)}`;
  const details = s.authorizationDetails;
  const body =
    `grant_type=client_credentials&scope=${encodeURIComponent(s.scope ?? "all-apis")}` +
    (details && details !== "[]" ? `&authorization_details=${encodeURIComponent(details)}` : "");
  const fetchToken = async (): Promise<ExpiringToken> => {
    const url = await discover();
    const started = now();
    const res = await s.http({
      method: "POST",
      url,
      headers: {
        authorization: basic,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body,
    });
    const path = new URL(url).pathname;
    if (res.status !== 200) {
      throw credentialError(
        apiErrorFromResponse(res.status, res.headers, redactSecrets(res.text, [s.clientSecret]), {
          method: "POST",
          path,
          endpoint: undefined,
        }),
        "token request",
      );
    }
    let json: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(res.text) as typeof json;
    } catch {
      throw new UnauthenticatedError(`OAuth M2M token response from ${path} is not JSON.`);
    }
    if (typeof json.access_token !== "string" || json.access_token === "") {
      throw new UnauthenticatedError(`OAuth M2M token response from ${path} has no access_token.`);
    }
    const expiresIn = Number(json.expires_in ?? 3600);
    return {
      accessToken: json.access_token,
      tokenType: typeof json.token_type === "string" ? json.token_type : "Bearer",
      expiresAt: started + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000,
    };
  };
  return fetchToken;
}
