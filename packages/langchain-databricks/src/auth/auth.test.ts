import { describe, expect, it, vi } from "vitest";
import { DatabricksConfigError } from "../errors.js";
import type { AuthHttp } from "./auth-http.js";
import { normalizeHost } from "./host.js";
import type { CliResult, ConfigIo } from "./io.js";
import { parseProfile } from "./profile.js";
import { RefreshingTokenCredentials } from "./refreshing-token.js";
import { resolveAuth } from "./resolve.js";

function fakeIo(opts: {
  env?: Record<string, string>;
  files?: Record<string, string>;
  cli?: CliResult;
}): ConfigIo & {
  cliCalls: string[][];
} {
  const cliCalls: string[][] = [];
  return {
    env: opts.env ?? {},
    readFile: async (p) => opts.files?.[p],
    homeDir: async () => "/home/u",
    runCli: async (args) => {
      cliCalls.push([...args]);
      return opts.cli;
    },
    cliCalls,
  };
}

const noHttp: AuthHttp = async () => {
  throw new Error("no network in this test");
};

const resolve = (o: Parameters<typeof resolveAuth>[0], io: ConfigIo) => resolveAuth(o, io, () => noHttp);

describe("normalizeHost", () => {
  it("accepts hosts with or without scheme, trailing slash, path or query", () => {
    expect(normalizeHost("my-ws.cloud.databricks.com", false)).toBe("https://my-ws.cloud.databricks.com");
    expect(normalizeHost("https://my-ws.cloud.databricks.com/", false)).toBe(
      "https://my-ws.cloud.databricks.com",
    );
    expect(normalizeHost(" https://adb-1.2.azuredatabricks.net/?o=123#x ", false)).toBe(
      "https://adb-1.2.azuredatabricks.net",
    );
    expect(normalizeHost("https://host:443", false)).toBe("https://host");
    expect(normalizeHost("https://host:8443/", false)).toBe("https://host:8443");
  });
  it("never strips by character set (sandbox.host keeps its s)", () => {
    expect(normalizeHost("sandbox.example.com", false)).toBe("https://sandbox.example.com");
    expect(normalizeHost("https://ttps.example.com", false)).toBe("https://ttps.example.com");
  });
  it("allows http only on loopback unless allowInsecureHttp", () => {
    expect(normalizeHost("http://127.0.0.1:5000", false)).toBe("http://127.0.0.1:5000");
    expect(normalizeHost("http://localhost:5000/", false)).toBe("http://localhost:5000");
    expect(normalizeHost("http://[::1]:5000", false)).toBe("http://[::1]:5000");
    expect(() => normalizeHost("http://example.com", false, "DATABRICKS_HOST")).toThrow(
      /allowInsecureHttp.*|DATABRICKS_HOST/,
    );
    expect(normalizeHost("http://example.com", true)).toBe("http://example.com");
  });
  it("rejects junk with a typed error naming the source", () => {
    expect(() => normalizeHost("ftp://x", false, "DATABRICKS_HOST")).toThrow(DatabricksConfigError);
    expect(() => normalizeHost("https://", false, "DATABRICKS_HOST")).toThrow(/DATABRICKS_HOST/);
    expect(() => normalizeHost("https://u:p@host", false)).toThrow(/credentials in the URL/);
  });
});

describe("parseProfile", () => {
  const cfg = [
    "[DEFAULT]",
    "host = https://default.example.com",
    "token = dapiDEFAULT",
    "",
    "[staging]",
    "host = https://staging.example.com",
    "client_id = cid",
    "client_secret = csecret",
    "cluster_id = 0123-abc",
    "",
    "[team.prod]",
    "host=https://prod.example.com",
    "token=dapiPROD",
    "auth_type = pat",
  ].join("\n");
  it("reads sections, including dotted names", async () => {
    expect(await parseProfile(cfg, "DEFAULT")).toEqual({
      host: "https://default.example.com",
      token: "dapiDEFAULT",
    });
    expect(await parseProfile(cfg, "staging")).toEqual({
      host: "https://staging.example.com",
      client_id: "cid",
      client_secret: "csecret",
      cluster_id: "0123-abc",
    });
    expect(await parseProfile(cfg, "team.prod")).toEqual({
      host: "https://prod.example.com",
      token: "dapiPROD",
      auth_type: "pat",
    });
    expect(await parseProfile(cfg, "missing")).toBeUndefined();
  });
});

describe("resolveAuth precedence", () => {
  const file =
    "[DEFAULT]\nhost = https://file.example.com\ntoken = dapiFILE\n\n[p2]\nhost = https://p2.example.com\ntoken = dapiP2\n";
  const files = { "/home/u/.databrickscfg": file };

  it("explicit options beat env and profile", async () => {
    const io = fakeIo({ env: { DATABRICKS_HOST: "env.example.com", DATABRICKS_TOKEN: "dapiENV" }, files });
    const r = await resolve({ host: "opt.example.com", token: "dapiOPT" }, io);
    expect(r.config).toMatchObject({
      host: "https://opt.example.com",
      authType: "pat",
      hostSource: "options",
      credentialSource: "options",
    });
    expect(r.credentials.header()).toBe("Bearer dapiOPT");
  });
  it("env beats the DEFAULT profile, attribute by attribute for host", async () => {
    const io = fakeIo({ env: { DATABRICKS_TOKEN: "dapiENV" }, files });
    const r = await resolve({}, io);
    expect(r.config).toMatchObject({
      host: "https://file.example.com",
      hostSource: "profile DEFAULT",
      credentialSource: "env",
    });
    expect(r.credentials.header()).toBe("Bearer dapiENV");
  });
  it("falls back to the DEFAULT profile; DATABRICKS_CONFIG_PROFILE / configFile select another", async () => {
    expect((await resolve({}, fakeIo({ files }))).credentials.header()).toBe("Bearer dapiFILE");
    const viaEnv = await resolve({}, fakeIo({ env: { DATABRICKS_CONFIG_PROFILE: "p2" }, files }));
    expect(viaEnv.config).toMatchObject({ host: "https://p2.example.com", profile: "p2" });
    const viaFile = await resolve(
      { configFile: "/etc/dbcfg" },
      fakeIo({ files: { "/etc/dbcfg": "[DEFAULT]\nhost=h.example.com\ntoken=dapiETC\n" } }),
    );
    expect(viaFile.credentials.header()).toBe("Bearer dapiETC");
    const viaEnvFile = await resolve(
      {},
      fakeIo({
        env: { DATABRICKS_CONFIG_FILE: "/x/cfg" },
        files: { "/x/cfg": "[DEFAULT]\nhost=x.example.com\ntoken=dapiX\n" },
      }),
    );
    expect(viaEnvFile.config.host).toBe("https://x.example.com");
  });
  it("an explicitly named profile beats env", async () => {
    const io = fakeIo({ env: { DATABRICKS_HOST: "env.example.com", DATABRICKS_TOKEN: "dapiENV" }, files });
    const r = await resolve({ profile: "p2" }, io);
    expect(r.config.host).toBe("https://p2.example.com");
    expect(r.credentials.header()).toBe("Bearer dapiP2");
  });
  it("an env-selected profile (DATABRICKS_CONFIG_PROFILE) never outranks DATABRICKS_HOST / DATABRICKS_TOKEN", async () => {
    const env = {
      DATABRICKS_CONFIG_PROFILE: "p2",
      DATABRICKS_HOST: "env.example.com",
      DATABRICKS_TOKEN: "dapiENV",
    };
    const r = await resolve({}, fakeIo({ env, files }));
    expect(r.config).toMatchObject({
      host: "https://env.example.com",
      hostSource: "env",
      credentialSource: "env",
    });
    expect(r.credentials.header()).toBe("Bearer dapiENV");
    // It fills in only what the environment lacks, attribute by attribute (as the Databricks SDKs do)...
    const hostFromProfile = await resolve(
      {},
      fakeIo({ env: { DATABRICKS_CONFIG_PROFILE: "p2", DATABRICKS_TOKEN: "dapiENV" }, files }),
    );
    expect(hostFromProfile.config).toMatchObject({
      host: "https://p2.example.com",
      hostSource: "profile p2",
      credentialSource: "env",
    });
    expect(hostFromProfile.credentials.header()).toBe("Bearer dapiENV");
    // ...and credentials come as a group: an env client id/secret is not mixed with the profile's token.
    const m2m = await resolve(
      {},
      fakeIo({
        env: {
          DATABRICKS_CONFIG_PROFILE: "p2",
          DATABRICKS_CLIENT_ID: "cid",
          DATABRICKS_CLIENT_SECRET: "csecret",
        },
        files,
      }),
    );
    expect(m2m.config).toMatchObject({
      authType: "oauth-m2m",
      credentialSource: "env",
      host: "https://p2.example.com",
    });
    // Explicit options still beat both.
    const opt = await resolve({ host: "opt.example.com", token: "dapiOPT" }, fakeIo({ env, files }));
    expect(opt.credentials.header()).toBe("Bearer dapiOPT");
    expect(opt.config.host).toBe("https://opt.example.com");
  });
  it("DATABRICKS_AUTH_TYPE beats a profile's auth_type", async () => {
    const both = {
      "/home/u/.databrickscfg":
        "[mixed]\nhost = https://mixed.example.com\ntoken = dapiMIX\nclient_id = cid\nclient_secret = sec\nauth_type = oauth-m2m\n",
    };
    const r = await resolve(
      {},
      fakeIo({ env: { DATABRICKS_CONFIG_PROFILE: "mixed", DATABRICKS_AUTH_TYPE: "pat" }, files: both }),
    );
    expect(r.config.authType).toBe("pat");
    expect(r.credentials.header()).toBe("Bearer dapiMIX");
  });
  it("a named profile that does not exist is an error; a missing DEFAULT is not", async () => {
    await expect(resolve({ profile: "nope" }, fakeIo({ files }))).rejects.toThrow(/Profile "nope" not found/);
    await expect(resolve({ profile: "nope" }, fakeIo({}))).rejects.toThrow(/not found/);
    const r = await resolve(
      {},
      fakeIo({ env: { DATABRICKS_HOST: "h.example.com", DATABRICKS_TOKEN: "dapiE" } }),
    );
    expect(r.config.profile).toBeUndefined();
  });
  it("credentials come as a group from one source", async () => {
    const io = fakeIo({ env: { DATABRICKS_HOST: "h.example.com", DATABRICKS_TOKEN: "dapiENV" } });
    const r = await resolve({ clientId: "cid", clientSecret: "sec" }, io);
    expect(r.config.authType).toBe("oauth-m2m");
  });
  it("M2M may take its secret from a lower layer", async () => {
    const io = fakeIo({ env: { DATABRICKS_HOST: "h.example.com", DATABRICKS_CLIENT_SECRET: "sec" } });
    expect((await resolve({ clientId: "cid" }, io)).config.authType).toBe("oauth-m2m");
    await expect(
      resolve({ clientId: "cid" }, fakeIo({ env: { DATABRICKS_HOST: "h.example.com" } })),
    ).rejects.toThrow(/DATABRICKS_CLIENT_SECRET/);
  });
  it("two credential types in one source is an error unless authType chooses", async () => {
    const env = {
      DATABRICKS_HOST: "h.example.com",
      DATABRICKS_TOKEN: "dapi1",
      DATABRICKS_CLIENT_ID: "c",
      DATABRICKS_CLIENT_SECRET: "s",
    };
    await expect(resolve({}, fakeIo({ env }))).rejects.toThrow(/More than one credential type/);
    expect(
      (await resolve({}, fakeIo({ env: { ...env, DATABRICKS_AUTH_TYPE: "pat" } }))).config.authType,
    ).toBe("pat");
    expect((await resolve({ authType: "oauth-m2m" }, fakeIo({ env }))).config.authType).toBe("oauth-m2m");
    await expect(resolve({ authType: "magic" }, fakeIo({ env }))).rejects.toThrow(
      /Unsupported auth type "magic"/,
    );
  });
  it("tokenProvider is a credential type", async () => {
    const r = await resolve({ host: "h.example.com", tokenProvider: async () => "tp1" }, fakeIo({}));
    expect(r.config.authType).toBe("token-provider");
    expect(await r.credentials.header()).toBe("Bearer tp1");
  });
  it("missing host names the option and the env var", async () => {
    await expect(resolve({ token: "dapi" }, fakeIo({}))).rejects.toThrow(/pass `host`, set DATABRICKS_HOST/);
  });
  it("falls back to `databricks auth token`, else explains every option", async () => {
    const cli = {
      code: 0,
      stdout: JSON.stringify({
        access_token: "cli-tok",
        token_type: "Bearer",
        expiry: "2999-01-01T00:00:00Z",
      }),
      stderr: "",
    };
    const io = fakeIo({ env: { DATABRICKS_HOST: "h.example.com" }, cli });
    const r = await resolve({}, io);
    expect(r.config.authType).toBe("databricks-cli");
    expect(r.credentials.header()).toBe("Bearer cli-tok");
    expect(io.cliCalls[0]).toEqual(["auth", "token", "--host", "https://h.example.com"]);
    const none = fakeIo({ env: { DATABRICKS_HOST: "h.example.com" } });
    await expect(resolve({}, none)).rejects.toThrow(
      /DATABRICKS_TOKEN.*DATABRICKS_CLIENT_ID.*databricks auth login/s,
    );
    const failing = fakeIo({
      env: { DATABRICKS_HOST: "h.example.com" },
      cli: { code: 1, stdout: "", stderr: "not logged in" },
    });
    await expect(resolve({}, failing)).rejects.toThrow(/not logged in/);
  });
  it("default cluster from DATABRICKS_CLUSTER_ID, DB_CLUSTER_ID or the profile", async () => {
    const base = { DATABRICKS_HOST: "h.example.com", DATABRICKS_TOKEN: "d" };
    expect((await resolve({}, fakeIo({ env: { ...base, DB_CLUSTER_ID: "c-db" } }))).config.clusterId).toBe(
      "c-db",
    );
    expect(
      (await resolve({}, fakeIo({ env: { ...base, DATABRICKS_CLUSTER_ID: "c-1", DB_CLUSTER_ID: "c-db" } })))
        .config.clusterId,
    ).toBe("c-1");
  });
  it("refuses plain http to a remote host from env", async () => {
    await expect(
      resolve({}, fakeIo({ env: { DATABRICKS_HOST: "http://remote.example.com", DATABRICKS_TOKEN: "d" } })),
    ).rejects.toThrow(/DATABRICKS_HOST/);
  });
});

describe("RefreshingTokenCredentials", () => {
  it("single-flight refresh, sync fast path, background refresh in the soft window", async () => {
    let now = 0;
    let n = 0;
    const fetchToken = vi.fn(async () => ({
      accessToken: `t${++n}`,
      tokenType: "bearer",
      expiresAt: now + 100_000,
    }));
    const c = new RefreshingTokenCredentials("oauth-m2m", fetchToken, () => now);
    const many = await Promise.all(Array.from({ length: 50 }, () => c.header()));
    expect(new Set(many)).toEqual(new Set(["Bearer t1"]));
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(c.header()).toBe("Bearer t1"); // cached: synchronous string
    now = 80_000; // inside the soft window (last 25%), still valid
    expect(c.header()).toBe("Bearer t1");
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await Promise.resolve();
    await Promise.resolve();
    expect(c.header()).toBe("Bearer t2");
    now = 1_000_000; // expired: callers wait for one shared refresh
    const after = await Promise.all([c.header(), c.header(), c.header()]);
    expect(after).toEqual(["Bearer t3", "Bearer t3", "Bearer t3"]);
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });
  it("invalidate drops only the rejected token: 50 rejections -> one refresh", async () => {
    let n = 0;
    const fetchToken = vi.fn(async () => ({
      accessToken: `t${++n}`,
      tokenType: "Bearer",
      expiresAt: Date.now() + 3_600_000,
    }));
    const c = new RefreshingTokenCredentials("oauth-m2m", fetchToken);
    const old = await c.header();
    const retried = await Promise.all(
      Array.from({ length: 50 }, async () => {
        c.invalidate(old);
        return c.header();
      }),
    );
    expect(new Set(retried)).toEqual(new Set(["Bearer t2"]));
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
  it("a failed refresh is not cached", async () => {
    let fail = true;
    const c = new RefreshingTokenCredentials("oauth-m2m", async () => {
      if (fail) throw new Error("down");
      return { accessToken: "ok", tokenType: "Bearer", expiresAt: Date.now() + 60_000 };
    });
    await expect(c.header()).rejects.toThrow("down");
    fail = false;
    expect(await c.header()).toBe("Bearer ok");
  });
});
