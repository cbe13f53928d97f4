import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermissionDeniedError, UnauthenticatedError } from "../errors.js";
import { DatabricksHttpClient } from "../http/client.js";
import type { ConfigIo } from "./io.js";

const CLIENT_ID = "sp-client-id";
const CLIENT_SECRET = "sp-secret-value-0123456789";
const noIo: ConfigIo = {
  env: {},
  readFile: async () => undefined,
  homeDir: async () => "/h",
  runCli: async () => undefined,
};

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, admin: true }],
    tokenTtlSeconds: 3600,
  });
});

afterAll(async () => {
  await emu?.close();
});

const tokenPosts = () =>
  emu.admin.stats().log.filter((l) => l.method === "POST" && l.path.startsWith("/oidc/v1/token")).length;

describe("auth against the emulator", () => {
  it("PAT from env, with auth/pat in the User-Agent", async () => {
    const http = new DatabricksHttpClient(
      {},
      { io: { ...noIo, env: { DATABRICKS_HOST: emu.url, DATABRICKS_TOKEN: emu.token } } },
    );
    const out = await http.request<{ endpoints?: unknown[] }>({
      method: "GET",
      path: "/api/2.0/serving-endpoints",
    });
    expect(Array.isArray(out.endpoints ?? [])).toBe(true);
    expect((await http.resolveConfig()).authType).toBe("pat");
  });

  it("a bad PAT fails as a 403 'Invalid access token' without a refresh loop", async () => {
    const http = new DatabricksHttpClient({ host: emu.url, token: "dapi-bogus-token-000000" }, { io: noIo });
    const e = await http
      .request({ method: "GET", path: "/api/2.0/serving-endpoints" })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(String((e as Error).message)).toMatch(/Invalid access token/);
    expect(JSON.stringify(e) + String((e as Error).message)).not.toContain("dapi-bogus-token-000000");
  });

  it("OAuth M2M: discovery + one token for 50 concurrent calls", async () => {
    emu.admin.resetStats();
    const http = new DatabricksHttpClient(
      { host: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { io: noIo },
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, () => http.request({ method: "GET", path: "/api/2.0/serving-endpoints" })),
    );
    expect(results).toHaveLength(50);
    expect(tokenPosts()).toBe(1);
    expect((await http.resolveConfig()).authType).toBe("oauth-m2m");
    const ua = emu.admin.stats().log.find((l) => l.path === "/api/2.0/serving-endpoints");
    expect(ua?.principal).toBeDefined();
  });

  it("OAuth M2M: after server-side expiry, 50 concurrent calls cause exactly one refresh", async () => {
    const http = new DatabricksHttpClient(
      { host: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { io: noIo },
    );
    await http.request({ method: "GET", path: "/api/2.0/serving-endpoints" });
    emu.admin.resetStats();
    emu.admin.advanceClock(3_700_000); // the token is now expired on the server; the client still thinks it is fresh
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => http.request({ method: "GET", path: "/api/2.0/serving-endpoints" })),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(tokenPosts()).toBe(1);
  });

  it("OAuth M2M: wrong secret -> UnauthenticatedError naming the settings, secret not in the error", async () => {
    const http = new DatabricksHttpClient(
      { host: emu.url, clientId: CLIENT_ID, clientSecret: "wrong-secret-abcdef" },
      { io: noIo },
    );
    const e = (await http
      .request({ method: "GET", path: "/api/2.0/serving-endpoints" })
      .catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(UnauthenticatedError);
    expect(e.message).toContain("DATABRICKS_CLIENT_SECRET");
    expect(`${e.message} ${JSON.stringify(e)} ${e.stack}`).not.toContain("wrong-secret-abcdef");
  });

  it("no token or secret in errors, toJSON or resolved config (grep)", async () => {
    const clients = [
      new DatabricksHttpClient({ host: emu.url, token: emu.token }, { io: noIo }),
      new DatabricksHttpClient(
        { host: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        { io: noIo },
      ),
    ];
    const dumps: string[] = [];
    for (const c of clients) {
      for (const path of [
        "/api/2.0/serving-endpoints/nope",
        "/serving-endpoints/nope/invocations",
        "/api/2.0/nope",
      ]) {
        const e = (await c
          .request({ method: "POST", path, body: { token: "x" } })
          .catch((x: unknown) => x)) as Error;
        dumps.push(e.message, JSON.stringify(e), String(e.stack), JSON.stringify(Object.entries(e)));
      }
      dumps.push(JSON.stringify(c), JSON.stringify(await c.resolveConfig()));
    }
    const all = dumps.join("\n");
    expect(all).not.toContain(emu.token);
    expect(all).not.toContain(CLIENT_SECRET);
  });
});
