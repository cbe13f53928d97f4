/** `spec/conformance-cases.md`, authentication cases: PAT front door (1-4) and OAuth M2M discovery/token (99-106). */
import { describe, expect, it } from "vitest";
import { asArray, asRecord, dig, expectError, useEmulator } from "../../test-support/conformance.js";
import { startEmulator } from "../index.js";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const CLIENT_SECRET = "dose-conformance-secret";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("PAT authentication", () => {
  const h = useEmulator();

  it("case 1: no Authorization header -> 401, numeric 401 or UNAUTHENTICATED, credential not sent", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, { token: null });
    const body = expectError(res, 401);
    expect([401, "UNAUTHENTICATED"]).toContain(body.error_code);
    expect(String(body.message)).toMatch(
      /Credential was not sent or was of an unsupported type for this API/,
    );
  });

  it("case 2: Bearer bogus -> 403 'Invalid access token.'", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, { token: "bogus" });
    const body = expectError(res, 403, undefined, "Invalid access token.");
    expect([403, "PERMISSION_DENIED"]).toContain(body.error_code);
    expect(res.headers.get("x-databricks-reason-phrase")).toBe("Invalid access token.");
  });

  it("case 2b: unsupported auth scheme -> 401 credential not sent", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, {
      token: null,
      headers: { Authorization: "Digest abc" },
    });
    expectError(res, 401);
  });

  it("case 3: Basic token:<PAT> -> 200", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, {
      token: null,
      headers: { Authorization: basic("token", h.emu.token) },
    });
    expect(res.status, res.text).toBe(200);
  });

  it("case 3b: Basic with a wrong password -> 403 invalid token", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, {
      token: null,
      headers: { Authorization: basic("token", "dapi-not-a-token") },
    });
    expectError(res, 403, undefined, "Invalid access token.");
  });

  it("case 4b: a default workspace lists only the read-only foundation endpoints; empty lists are {}", async () => {
    // Real workspaces carry the pre-provisioned databricks-* endpoints (spec/serving.md 2.7); the truly empty
    // workspace of case 4 is the one started with foundationModels: false (below).
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(res.status).toBe(200);
    const endpoints = asArray(dig(res.json, "endpoints"));
    expect(endpoints.length).toBeGreaterThan(0);
    for (const ep of endpoints) {
      expect(String(dig(ep, "name"))).toMatch(/^databricks-/);
      expect(dig(ep, "endpoint_type")).toBe("FOUNDATION_MODEL_API");
    }
    const scopes = await h.call("GET", "/api/2.0/secrets/scopes/list");
    expect(scopes.status).toBe(200);
    expect(scopes.json).toEqual({});
  });
});

describe("case 4: the empty workspace (foundationModels: false)", () => {
  const h = useEmulator({ foundationModels: false });

  it("case 4: GET /api/2.0/serving-endpoints on an empty workspace -> 200, body exactly {} (no endpoints key)", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.text).toBe("{}");
  });

  it("case 4c: the foundation endpoints are really absent, and deleting the last endpoint returns to {}", async () => {
    const get = await h.call("GET", "/api/2.0/serving-endpoints/databricks-gte-large-en");
    expectError(get, 404, "RESOURCE_DOES_NOT_EXIST");
    expect((await h.call("POST", "/api/2.0/serving-endpoints", { name: "only" })).status).toBe(200);
    expect(asArray(dig((await h.call("GET", "/api/2.0/serving-endpoints")).json, "endpoints"))).toHaveLength(
      1,
    );
    expect((await h.call("DELETE", "/api/2.0/serving-endpoints/only")).status).toBe(200);
    expect((await h.call("GET", "/api/2.0/serving-endpoints")).text).toBe("{}");
  });
});

describe("foundationModels: a subset", () => {
  const h = useEmulator({ foundationModels: ["databricks-bge-large-en"] });

  it("seeds only the named foundation endpoints", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(asArray(dig(res.json, "endpoints")).map((ep) => dig(ep, "name"))).toEqual([
      "databricks-bge-large-en",
    ]);
    const emb = await h.call("POST", "/serving-endpoints/databricks-bge-large-en/invocations", {
      input: "x",
    });
    expect(emb.status, emb.text).toBe(200);
  });

  it("rejects an unknown foundation endpoint name up front", async () => {
    await expect(startEmulator({ foundationModels: ["databricks-nope"] })).rejects.toThrow(
      /unknown endpoint "databricks-nope"; known: databricks-meta-llama/,
    );
  });
});

describe("OAuth M2M", () => {
  const h = useEmulator({
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    tokenTtlSeconds: 3600,
  });

  it("case 99: GET /.well-known/databricks-config without auth -> oidc_endpoint ending /oidc and workspace_id", async () => {
    const res = await h.call("GET", "/.well-known/databricks-config", undefined, { token: null });
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(String(body.oidc_endpoint)).toBe(`${h.emu.url.replace(/\/$/, "")}/oidc`);
    expect(String(body.workspace_id)).toBe(String(h.emu.workspaceId));
  });

  it("case 100: OIDC discovery without auth -> token_endpoint <E>/oidc/v1/token and authorization_endpoint", async () => {
    const res = await h.call("GET", "/oidc/.well-known/oauth-authorization-server", undefined, {
      token: null,
    });
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    const base = h.emu.url.replace(/\/$/, "");
    expect(body.token_endpoint).toBe(`${base}/oidc/v1/token`);
    expect(body.authorization_endpoint).toBe(`${base}/oidc/v1/authorize`);
  });

  async function mint(
    auth: string | null,
    fields: Record<string, string> = { grant_type: "client_credentials", scope: "all-apis" },
  ) {
    return h.call("POST", "/oidc/v1/token", undefined, {
      token: null,
      raw: form(fields),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(auth === null ? {} : { Authorization: auth }),
      },
    });
  }

  it("case 101: client_credentials with Basic cid:secret -> Bearer token, expires_in 3600, scope all-apis", async () => {
    const res = await mint(basic(CLIENT_ID, CLIENT_SECRET));
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(typeof body.access_token).toBe("string");
    expect(String(body.access_token).length).toBeGreaterThan(10);
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(3600);
    expect(body.scope).toBe("all-apis");
  });

  it("case 101b: client id/secret as form fields are accepted too", async () => {
    const res = await mint(null, {
      grant_type: "client_credentials",
      scope: "all-apis",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "token_type")).toBe("Bearer");
  });

  it("case 102: wrong secret -> 401 JSON invalid_client with a Content-Type", async () => {
    const res = await mint(basic(CLIENT_ID, "wrong"));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
    expect(dig(res.json, "error")).toBe("invalid_client");
    expect(res.text).not.toContain(CLIENT_SECRET);
  });

  it("case 103: grant_type=password -> 400 unsupported_grant_type", async () => {
    const res = await mint(basic(CLIENT_ID, CLIENT_SECRET), {
      grant_type: "password",
      username: "a",
      password: "b",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
    expect(dig(res.json, "error")).toBe("unsupported_grant_type");
  });

  it("case 104: minted token is accepted as Bearer on the REST API", async () => {
    const minted = await mint(basic(CLIENT_ID, CLIENT_SECRET));
    const token = String(dig(minted.json, "access_token"));
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, { token });
    expect(res.status, res.text).toBe(200);
  });

  it("case 105: discovery chain databricks-config -> oidc discovery -> token -> list works end to end", async () => {
    const meta = await h.call("GET", "/.well-known/databricks-config", undefined, { token: null });
    const discoveryUrl = `${String(dig(meta.json, "oidc_endpoint"))}/.well-known/oauth-authorization-server`;
    const discovery = await fetch(discoveryUrl);
    expect(discovery.status).toBe(200);
    const tokenEndpoint = String(dig(await discovery.json(), "token_endpoint"));
    const minted = await fetch(tokenEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basic(CLIENT_ID, CLIENT_SECRET),
      },
      body: form({ grant_type: "client_credentials", scope: "all-apis" }),
    });
    expect(minted.status).toBe(200);
    const token = String(dig(await minted.json(), "access_token"));
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, {
      token,
      headers: {
        "X-Databricks-Workspace-Id": String(h.emu.workspaceId),
        "User-Agent": "conformance auth/oauth-m2m",
      },
    });
    expect(res.status, res.text).toBe(200);
  });

  it("case 106: the direct /oidc discovery document alone is enough to mint a token (Go SDK fallback)", async () => {
    const discovery = await h.call("GET", "/oidc/.well-known/oauth-authorization-server", undefined, {
      token: null,
    });
    const tokenUrl = new URL(String(dig(discovery.json, "token_endpoint")));
    const minted = await h.call("POST", tokenUrl.pathname, undefined, {
      token: null,
      raw: form({ grant_type: "client_credentials", scope: "all-apis" }),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basic(CLIENT_ID, CLIENT_SECRET),
      },
    });
    expect(minted.status, minted.text).toBe(200);
  });
});

describe("OAuth token expiry", () => {
  const h = useEmulator({
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    tokenTtlSeconds: 60,
  });

  it("case 104b: after expires_in elapses on the emulator clock the token gets 403 'Invalid access token.'", async () => {
    const minted = await h.call("POST", "/oidc/v1/token", undefined, {
      token: null,
      raw: form({ grant_type: "client_credentials", scope: "all-apis" }),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basic(CLIENT_ID, CLIENT_SECRET),
      },
    });
    expect(minted.status, minted.text).toBe(200);
    expect(dig(minted.json, "expires_in")).toBe(60);
    const token = String(dig(minted.json, "access_token"));
    h.emu.admin.advanceClock(59_000);
    expect((await h.call("GET", "/api/2.0/serving-endpoints", undefined, { token })).status).toBe(200);
    h.emu.admin.advanceClock(1_001);
    const res = await h.call("GET", "/api/2.0/serving-endpoints", undefined, { token });
    expectError(res, 403, undefined, "Invalid access token.");
  });
});
