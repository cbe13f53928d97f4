import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const SP = { clientId: "sp-client", clientSecret: "sp-secret-value", name: "Robot" };

describe("auth", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({
      servicePrincipals: [SP],
      tokenTtlSeconds: 60,
      users: [{ userName: "u@x.com" }],
    });
  });
  afterAll(() => emu.close());

  it("accepts the PAT as Bearer and as Basic token:<PAT>, with an x-request-id header", async () => {
    const bearer = await call(emu, "GET", "/api/2.0/serving-endpoints");
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const basic = await call(emu, "GET", "/api/2.0/serving-endpoints", undefined, {
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`token:${emu.token}`).toString("base64")}` },
    });
    expect(basic.status).toBe(200);
  });

  it("answers 401 with numeric error_code when no credential is sent, 403 for a bad token", async () => {
    const none = await call(emu, "GET", "/api/2.0/serving-endpoints", undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error_code).toBe(401);
    expect(String(none.json.message)).toMatch(
      /^Credential was not sent or was of an unsupported type for this API\. \[ReqId: .+\]$/,
    );
    const bad = await call(emu, "GET", "/api/2.0/serving-endpoints", undefined, { token: "dapi-nope" });
    expect(bad.status).toBe(403);
    expect(bad.json).toEqual({ error_code: 403, message: "Invalid access token." });
    expect(bad.headers.get("x-databricks-reason-phrase")).toBe("Invalid access token.");
  });

  it("serves discovery documents without auth", async () => {
    const cfg = await call(emu, "GET", "/.well-known/databricks-config", undefined, { token: null });
    expect(cfg.json.oidc_endpoint).toBe(`${emu.url}/oidc`);
    expect(cfg.json.workspace_id).toBe(emu.workspaceId);
    const oidc = await call(emu, "GET", "/oidc/.well-known/oauth-authorization-server", undefined, {
      token: null,
    });
    expect(oidc.json.token_endpoint).toBe(`${emu.url}/oidc/v1/token`);
  });

  const token = (body: string, headers: Record<string, string> = {}) =>
    call(emu, "POST", "/oidc/v1/token", undefined, {
      token: null,
      raw: body,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  const basicSp = (secret = SP.clientSecret) => ({
    authorization: `Basic ${Buffer.from(`${SP.clientId}:${secret}`).toString("base64")}`,
  });

  it("issues M2M tokens (Basic or form client auth) that expire on the emulator clock", async () => {
    const viaHeader = await token("grant_type=client_credentials&scope=all-apis", basicSp());
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json).toMatchObject({ token_type: "Bearer", expires_in: 60, scope: "all-apis" });
    const viaForm = await token(
      `grant_type=client_credentials&scope=all-apis&client_id=${SP.clientId}&client_secret=${SP.clientSecret}`,
    );
    expect(viaForm.status).toBe(200);
    const access = String(viaHeader.json.access_token);
    const me = await call(emu, "GET", "/api/2.0/preview/scim/v2/Me", undefined, { token: access });
    expect(me.json.userName).toBe(SP.clientId);
    emu.admin.advanceClock(61_000);
    const expired = await call(emu, "GET", "/api/2.0/serving-endpoints", undefined, { token: access });
    expect(expired.status).toBe(403);
    expect(expired.json.message).toBe("Invalid access token.");
  });

  it("rejects bad client secrets and grant types with RFC 6749 JSON, never echoing the secret", async () => {
    const wrong = await token("grant_type=client_credentials&scope=all-apis", basicSp("nope"));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("content-type")).toMatch(/application\/json/);
    expect(wrong.json.error).toBe("invalid_client");
    expect(wrong.text).not.toContain(SP.clientSecret);
    const grant = await token("grant_type=password", basicSp());
    expect(grant.status).toBe(400);
    expect(grant.json.error).toBe("unsupported_grant_type");
  });

  it("expireTokens() invalidates every token including PATs", async () => {
    const other = await startEmulator({});
    try {
      expect((await call(other, "GET", "/api/2.0/serving-endpoints")).status).toBe(200);
      other.admin.expireTokens();
      expect((await call(other, "GET", "/api/2.0/serving-endpoints")).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it("gives extra users their own identity and token", async () => {
    const u = emu.users.find((x) => x.userName === "u@x.com");
    expect(u?.token).toMatch(/^dapi[0-9a-f]{32}$/);
    const me = await call(emu, "GET", "/api/2.0/preview/scim/v2/Me", undefined, { token: u?.token });
    expect(me.json.userName).toBe("u@x.com");
  });
});
