/**
 * Trust boundary 5 (issue 14): the HTTP admin/fault API (`faults: true`) takes the admin credential, JSON bodies
 * only and sends no CORS headers, so neither another local user nor a web page can expire tokens or move the
 * clock; request-log body hashes are keyed per process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const USER = "user@example.com";
const SP = { clientId: "admin-sp", clientSecret: "admin-sp-secret", admin: true };

describe("admin API trust", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ faults: true, users: [{ userName: USER }], servicePrincipals: [SP] });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("refuses callers without the admin credential: 401 without one, 403 for a non-admin user", async () => {
    const none = await call(emu, "POST", "/__emulator/tokens/expire", {}, { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error_code).toBe("UNAUTHENTICATED");
    const user = await call(emu, "POST", "/__emulator/tokens/expire", {}, { token: emu.users[0]!.token });
    expect(user.status).toBe(403);
    expect(user.json).toMatchObject({
      error_code: "PERMISSION_DENIED",
      message: "Only the workspace admin may use the emulator admin API.",
    });
    expect((await call(emu, "GET", "/__emulator/stats", undefined, { token: null })).status).toBe(401);
    // Nothing happened: the user's token still works.
    expect(
      (await call(emu, "GET", "/api/2.0/preview/scim/v2/Me", undefined, { token: emu.users[0]!.token }))
        .status,
    ).toBe(200);
  });

  it("answers a cross-site text/plain or form POST with 415 and changes nothing", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await call(emu, "POST", "/__emulator/clock/advance", undefined, {
        raw: '{"ms": 86400000}',
        headers: { "content-type": type },
      });
      expect(res.status, type).toBe(415);
      expect(res.json.message).toBe("The emulator admin API accepts application/json bodies only.");
    }
    const before = emu.admin.now();
    const ok = await call(emu, "POST", "/__emulator/clock/advance", { ms: 1000 });
    expect(ok.status).toBe(200);
    expect(emu.admin.now() - before).toBeGreaterThanOrEqual(1000);
    expect(emu.admin.now() - before).toBeLessThan(86_400_000);
  });

  it("sends no CORS headers, on preflight or on the request itself", async () => {
    const preflight = await fetch(`${emu.url}/__emulator/tokens/expire`, {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    await preflight.text();
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const stats = await call(emu, "GET", "/__emulator/stats", undefined, {
      headers: { origin: "https://evil.example" },
    });
    expect(stats.status).toBe(200);
    expect([...stats.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
  });

  it("hashes request bodies with a per-process key (HMAC), not a bare SHA-256", async () => {
    const body = '{"messages":[{"role":"user","content":"guess me"}]}';
    emu.admin.resetStats();
    await call(emu, "POST", "/api/2.0/serving-endpoints", undefined, {
      raw: body,
      headers: { "content-type": "application/json" },
    });
    const entry = emu.admin.stats().log.at(-1)!;
    const { createHash } = await import("node:crypto");
    expect(entry.bodySha256).toMatch(/^[0-9a-f]{16}$/);
    expect(entry.bodySha256).not.toBe(createHash("sha256").update(body).digest("hex").slice(0, 16));
  });

  it("accepts an admin service principal's OAuth token, and the admin PAT even after tokens/expire", async () => {
    const form = new URLSearchParams({ grant_type: "client_credentials", scope: "all-apis" });
    const tok = await fetch(`${emu.url}/oidc/v1/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${SP.clientId}:${SP.clientSecret}`).toString("base64")}`,
      },
      body: form,
    });
    const access = ((await tok.json()) as { access_token: string }).access_token;
    expect((await call(emu, "GET", "/__emulator/clock", undefined, { token: access })).status).toBe(200);
    expect((await call(emu, "POST", "/__emulator/tokens/expire", {})).status).toBe(200);
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints")).status).toBe(403);
    expect((await call(emu, "DELETE", "/__emulator/faults")).status).toBe(200);
  });
});
