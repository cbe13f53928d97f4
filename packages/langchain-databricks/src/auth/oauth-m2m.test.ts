import { describe, expect, it } from "vitest";
import { DatabricksConfigError, InternalError, UnauthenticatedError } from "../errors.js";
import type { AuthHttp, AuthHttpRequest, AuthHttpResponse } from "./auth-http.js";
import { createOAuthM2MCredentials } from "./oauth-m2m.js";

const SECRET = "m2m-client-secret-0123456789";
const BASIC = `Basic ${btoa(`cid:${SECRET}`)}`;
const HOST = "https://ws.example.com";
const DISCOVERY = `${HOST}/oidc/.well-known/oauth-authorization-server`;

type Answer = Partial<AuthHttpResponse> | ((req: AuthHttpRequest) => Partial<AuthHttpResponse>);

/** Scripted AuthHttp: answers in order and records every request. */
function scripted(...answers: Answer[]): AuthHttp & { calls: AuthHttpRequest[] } {
  const calls: AuthHttpRequest[] = [];
  const http = (async (req: AuthHttpRequest) => {
    calls.push(req);
    const next = answers.shift();
    if (next === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
    const a = typeof next === "function" ? next(req) : next;
    return { status: a.status ?? 200, headers: a.headers ?? {}, text: a.text ?? "" };
  }) as AuthHttp & { calls: AuthHttpRequest[] };
  http.calls = calls;
  return http;
}

const discovery = (tokenEndpoint: unknown): Answer => ({
  text: JSON.stringify({ token_endpoint: tokenEndpoint }),
});
const token = (body: Record<string, unknown>): Answer => ({ text: JSON.stringify(body) });

async function failure(p: Promise<unknown> | unknown): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("OAuth M2M credentials", () => {
  it("discovers the token endpoint, posts client credentials with Basic auth and caches the token", async () => {
    const http = scripted(
      discovery(`${HOST}/oidc/v1/token`),
      token({ access_token: "tok-1", token_type: "bearer", expires_in: 120 }),
    );
    const now = 1_000_000;
    const creds = createOAuthM2MCredentials({
      host: HOST,
      clientId: "cid",
      clientSecret: SECRET,
      http,
      now: () => now,
    });
    expect(await creds.header()).toBe("Bearer tok-1");
    expect(await creds.header()).toBe("Bearer tok-1"); // cached: no third request
    expect(creds.expiresAt).toBe(now + 120_000);
    expect(http.calls).toEqual([
      { method: "GET", url: DISCOVERY, headers: { accept: "application/json" } },
      {
        method: "POST",
        url: `${HOST}/oidc/v1/token`,
        headers: {
          authorization: BASIC,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: "grant_type=client_credentials&scope=all-apis",
      },
    ]);
  });

  it("encodes a custom scope and defaults a missing or invalid expires_in to one hour", async () => {
    const http = scripted(
      discovery(`${HOST}/oidc/v1/token`),
      token({ access_token: "tok-2", expires_in: -5 }),
    );
    const creds = createOAuthM2MCredentials({
      host: HOST,
      clientId: "cid",
      clientSecret: SECRET,
      http,
      scope: "sql offline_access",
      now: () => 5,
    });
    expect(await creds.header()).toBe("Bearer tok-2");
    expect(creds.expiresAt).toBe(5 + 3_600_000);
    expect(http.calls[1]!.body).toBe("grant_type=client_credentials&scope=sql%20offline_access");
  });

  it("refuses to send the client secret to a plain-http token endpoint off-box", async () => {
    const http = scripted(discovery("http://idp.example.com/oidc/v1/token"));
    const creds = createOAuthM2MCredentials({ host: HOST, clientId: "cid", clientSecret: SECRET, http });
    const e = await failure(creds.header());
    expect(e).toBeInstanceOf(DatabricksConfigError);
    expect(e.message).toBe(
      "OIDC token_endpoint http://idp.example.com is not https; refusing to send client credentials.",
    );
    // Only the discovery went out: nothing carried the secret.
    expect(http.calls.map((c) => c.method)).toEqual(["GET"]);
    expect(JSON.stringify(http.calls)).not.toContain(btoa(`cid:${SECRET}`));
  });

  it("accepts a plain-http token endpoint on loopback, or when the workspace itself is plain http", async () => {
    const loop = scripted(discovery("http://127.0.0.1:9/token"), token({ access_token: "tok-l" }));
    const viaLoopback = createOAuthM2MCredentials({
      host: HOST,
      clientId: "cid",
      clientSecret: SECRET,
      http: loop,
    });
    expect(await viaLoopback.header()).toBe("Bearer tok-l");
    expect(loop.calls[1]!.url).toBe("http://127.0.0.1:9/token");

    const plain = scripted(discovery("http://ws.internal/oidc/v1/token"), token({ access_token: "tok-p" }));
    const plainHost = createOAuthM2MCredentials({
      host: "http://ws.internal",
      clientId: "cid",
      clientSecret: SECRET,
      http: plain,
    });
    expect(await plainHost.header()).toBe("Bearer tok-p");
  });

  it("rejects discovery documents that are not JSON, lack token_endpoint or carry an invalid URL", async () => {
    const cases: Array<[Answer, string]> = [
      [{ text: "<html>" }, `OIDC discovery at ${DISCOVERY} did not return JSON.`],
      [discovery(42), `OIDC discovery at ${DISCOVERY} has no token_endpoint.`],
      [discovery("not a url"), `OIDC discovery at ${DISCOVERY} returned an invalid token_endpoint.`],
    ];
    for (const [answer, message] of cases) {
      const creds = createOAuthM2MCredentials({
        host: HOST,
        clientId: "cid",
        clientSecret: SECRET,
        http: scripted(answer),
      });
      const e = await failure(creds.header());
      expect(e).toBeInstanceOf(DatabricksConfigError);
      expect(e.message).toBe(message);
    }
  });

  it("a failed discovery is not cached: the next call discovers again", async () => {
    const http = scripted(
      { status: 500, text: '{"error_code":"INTERNAL_ERROR","message":"boom"}' },
      discovery(`${HOST}/oidc/v1/token`),
      token({ access_token: "tok-3" }),
    );
    const creds = createOAuthM2MCredentials({ host: HOST, clientId: "cid", clientSecret: SECRET, http });
    const e = await failure(creds.header());
    expect(e).toBeInstanceOf(InternalError);
    expect(e.message).toContain("boom");
    expect(await creds.header()).toBe("Bearer tok-3");
    expect(http.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `GET ${DISCOVERY}`,
      `GET ${DISCOVERY}`,
      `POST ${HOST}/oidc/v1/token`,
    ]);
  });

  it("a rejected discovery or token request is an UnauthenticatedError naming the settings to check", async () => {
    for (const [answers, what] of [
      [[{ status: 403, text: '{"error_code":"PERMISSION_DENIED","message":"no"}' }], "discovery"],
      [
        [discovery(`${HOST}/oidc/v1/token`), { status: 401, text: '{"error":"invalid_client"}' }],
        "token request",
      ],
    ] as const) {
      const creds = createOAuthM2MCredentials({
        host: HOST,
        clientId: "cid",
        clientSecret: SECRET,
        http: scripted(...answers),
      });
      const e = await failure(creds.header());
      expect(e).toBeInstanceOf(UnauthenticatedError);
      expect(e.message).toMatch(new RegExp(`^OAuth M2M ${what} failed: `));
      expect(e.message).toContain(
        "Check `clientId` / `clientSecret` (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET).",
      );
      expect(e.message).not.toContain(SECRET);
    }
  });

  it("a token endpoint 5xx keeps its own class; bad token bodies are UnauthenticatedError", async () => {
    const ep = `${HOST}/oidc/v1/token`;
    const make = (a: Answer) =>
      createOAuthM2MCredentials({
        host: HOST,
        clientId: "cid",
        clientSecret: SECRET,
        http: scripted(discovery(ep), a),
      });
    expect(await failure(make({ status: 503, text: "" }).header())).toMatchObject({ status: 503 });
    expect(await failure(make({ status: 500, text: "" }).header())).toBeInstanceOf(InternalError);
    const notJson = await failure(make({ text: "nope" }).header());
    expect(notJson).toBeInstanceOf(UnauthenticatedError);
    expect(notJson.message).toBe("OAuth M2M token response from /oidc/v1/token is not JSON.");
    const empty = await failure(make(token({ access_token: "" })).header());
    expect(empty).toBeInstanceOf(UnauthenticatedError);
    expect(empty.message).toBe("OAuth M2M token response from /oidc/v1/token has no access_token.");
  });

  it("derives credentials scoped by authorization_details: shared discovery, own token cache; [] sends no key", async () => {
    const http = scripted(
      discovery(`${HOST}/oidc/v1/token`),
      token({ access_token: "scoped", expires_in: 60 }),
      token({ access_token: "plain", expires_in: 60 }),
    );
    const base = createOAuthM2MCredentials({ host: HOST, clientId: "cid", clientSecret: SECRET, http });
    const details = '[{"type":"unity_catalog_permission","operation":"ReadVectorIndex"}]';
    const scoped = base.withAuthorizationDetails(details);
    expect(await scoped.header()).toBe("Bearer scoped");
    expect(await base.withAuthorizationDetails("[]").header()).toBe("Bearer plain");
    expect(await scoped.header()).toBe("Bearer scoped"); // cached
    expect(http.calls.map((c) => c.body)).toEqual([
      undefined,
      `grant_type=client_credentials&scope=all-apis&authorization_details=${encodeURIComponent(details)}`,
      "grant_type=client_credentials&scope=all-apis",
    ]);
    expect(JSON.stringify(scoped)).toBe('{"authType":"oauth-m2m"}');
  });
});
