/**
 * Interop: `@databricks/sdk-experimental` (the official JS SDK) drives serving endpoints and secrets against the
 * emulator with its own request building, auth, waiters and error parsing (`spec/conformance-cases.md` cases 34, 75, 98, 105).
 */
import { ApiError, Config, type WorkspaceClient } from "@databricks/sdk-experimental";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { createReady, ensureSecret, externalEndpoint, useEmulator } from "../test-support/conformance.js";
import { sdkClient } from "../test-support/sdk-client.js";

const CLIENT_ID = "9a7b6c5d-0000-4000-8000-000000000001";
const CLIENT_SECRET = "interop-sp-secret";
const entity = (version: string) => ({
  entity_name: "cat.sch.m",
  entity_version: version,
  workload_size: "Small",
  scale_to_zero_enabled: true,
});
const model = {
  predict: (records: unknown) => (Array.isArray(records) ? records.map((_, i) => i * 0.5) : [0]),
};

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("why the SDK needs the documented shim (docs/emulator.md, Official clients)", () => {
  const h = useEmulator();

  it("on its own, the SDK rewrites the emulator's http://127.0.0.1:<port> to https://127.0.0.1", async () => {
    // If this starts failing, the SDK accepts plain-HTTP hosts and the docs can say it works unchanged.
    const config = new Config({ host: h.emu.url, token: h.emu.token, authType: "pat", env: {}, loaders: [] });
    await config.ensureResolved();
    expect(h.emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(String(config.host).replace(/\/$/, "")).toBe("https://127.0.0.1");
  });

  it("with the shim, the same SDK reaches the emulator", async () => {
    const w = await sdkClient(h.emu.url, { token: h.emu.token });
    expect((await w.currentUser.me()).userName).toBe(h.emu.userName);
  });
});

describe("@databricks/sdk-experimental serving endpoints", () => {
  const h = useEmulator({
    models: { "cat.sch.m": model },
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, admin: true }],
  });
  let w: WorkspaceClient;

  it("lists the pre-provisioned foundation endpoints", async () => {
    w = await sdkClient(h.emu.url, { token: h.emu.token });
    const endpoints = await collect(w.servingEndpoints.list());
    const names = endpoints.map((e) => e.name);
    expect(names).toContain("databricks-meta-llama-3-3-70b-instruct");
    expect(names).not.toContain("ep1");
  });

  it("create(...).wait() reaches NOT_UPDATING/READY through the SDK waiter", async () => {
    const waiter = await w.servingEndpoints.create({
      name: "ep1",
      config: { name: "ep1", served_entities: [entity("1")] },
    });
    expect(waiter.name).toBe("ep1");
    expect(waiter.state?.config_update).toBe("IN_PROGRESS");
    const ready = await waiter.wait();
    expect(ready.state?.config_update).toBe("NOT_UPDATING");
    expect(ready.state?.ready).toBe("READY");
    expect(ready.config?.served_entities?.[0]?.name).toBe("m-1");
  });

  it("get returns the detailed endpoint; a missing one raises ApiError RESOURCE_DOES_NOT_EXIST 404", async () => {
    const ep = await w.servingEndpoints.get({ name: "ep1" });
    expect(ep.id).toMatch(/^[0-9a-f]{32}$/);
    expect(ep.permission_level).toBe("CAN_MANAGE");
    const err = await apiError(w.servingEndpoints.get({ name: "nope" }));
    expect(err.statusCode).toBe(404);
    expect(err.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(err.message).toBe("Endpoint with name 'nope' does not exist.");
  });

  it("case 75: query with dataframe_records -> predictions and served-model-name m-1", async () => {
    const res = await w.servingEndpoints.query({ name: "ep1", dataframe_records: [{ a: 1 }, { a: 2 }] });
    expect(res.predictions).toEqual([0, 0.5]);
    expect(res["served-model-name"]).toBe("m-1");
  });

  it("query on a foundation chat endpoint returns choices and usage", async () => {
    const res = await w.servingEndpoints.query({
      name: "databricks-meta-llama-3-3-70b-instruct",
      messages: [{ role: "user" as const, content: "hi" }],
      max_tokens: 20,
    });
    expect(res.object).toBe("chat.completion");
    expect(res.choices?.[0]?.message?.role).toBe("assistant");
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("query on an embeddings endpoint returns data[].embedding", async () => {
    const res = await w.servingEndpoints.query({ name: "databricks-gte-large-en", input: ["a", "b"] });
    expect(res.data).toHaveLength(2);
    expect(res.data?.[0]?.embedding?.length).toBeGreaterThan(0);
  });

  it("updateConfig(...).wait() moves to config_version 2 / m-2", async () => {
    const waiter = await w.servingEndpoints.updateConfig({ name: "ep1", served_entities: [entity("2")] });
    const done = await waiter.wait();
    expect(done.config?.config_version).toBe(2);
    expect(done.config?.served_entities?.[0]?.name).toBe("m-2");
  });

  it("case 34: an injected UPDATE_FAILED makes the SDK waiter throw", async () => {
    h.emu.admin.failNextUpdate("ep1");
    const waiter = await w.servingEndpoints.updateConfig({ name: "ep1", served_entities: [entity("3")] });
    const err = await waiter.wait().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain("UPDATE_FAILED");
    const ep = await w.servingEndpoints.get({ name: "ep1" });
    expect(ep.state?.config_update).toBe("UPDATE_FAILED");
    expect(ep.config?.config_version).toBe(2);
  });

  // Not driven through the SDK: `servingEndpoints.patch` (tags). SDK 0.14.2 moves PATCH payloads into the
  // query string and, with no query fields, sends an empty PATCH (verified against a bare recording server), so
  // a real workspace would not see the tags either. control/endpoints-lifecycle.int.test.ts covers tags on the wire.
  it("permissions and permission levels through the SDK", async () => {
    const ep = await w.servingEndpoints.get({ name: "ep1" });
    const perms = await w.servingEndpoints.getPermissions({ serving_endpoint_id: ep.id! });
    expect(perms.object_type).toBe("serving-endpoint");
    expect(perms.object_id).toBe(`/serving-endpoints/${ep.id}`);
    const levels = await w.servingEndpoints.getPermissionLevels({ serving_endpoint_id: ep.id! });
    expect(levels.permission_levels?.map((l) => l.permission_level).sort()).toEqual([
      "CAN_MANAGE",
      "CAN_QUERY",
      "CAN_VIEW",
    ]);
  });

  it("case 105: an OAuth M2M service principal authenticates through OIDC discovery and lists endpoints", async () => {
    const m2m = await sdkClient(h.emu.url, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const names = (await collect(m2m.servingEndpoints.list())).map((e) => e.name);
    expect(names).toContain("ep1");
    expect(m2m.config.authType).toBe("oauth-m2m");
  });

  it("case 76: an OpenAI client authenticated by the SDK's own credentials (get_open_ai_client) chats", async () => {
    const sp = await sdkClient(h.emu.url, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    await ensureSecret(h);
    await createReady(h, externalEndpoint(h.emu, "gpt"));
    // Like the Python SDK's get_open_ai_client(): base URL <host>/serving-endpoints, every request signed by the
    // workspace client's credential provider (here OAuth M2M), no static key.
    const signedFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      await sp.config.authenticate(headers);
      return fetch(input, { ...init, headers });
    };
    const openai = new OpenAI({
      baseURL: `${h.emu.url}/serving-endpoints`,
      apiKey: "unused",
      fetch: signedFetch,
      maxRetries: 0,
    });
    const res = await openai.chat.completions.create({
      model: "gpt",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices[0]?.message.role).toBe("assistant");
    const last = h.emu.admin
      .stats()
      .log.filter((e) => e.path === "/serving-endpoints/chat/completions")
      .at(-1);
    expect(last?.principal).toBe(CLIENT_ID);
  });

  it("delete removes the endpoint; a bad token raises ApiError 403", async () => {
    await w.servingEndpoints.delete({ name: "ep1" });
    const err = await apiError(w.servingEndpoints.get({ name: "ep1" }));
    expect(err.statusCode).toBe(404);
    const bad = await sdkClient(h.emu.url, { token: "bogus" });
    const denied = await apiError(collect(bad.servingEndpoints.list()));
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toBe("Invalid access token.");
  });
});

describe("@databricks/sdk-experimental secrets", () => {
  const h = useEmulator();
  let w: WorkspaceClient;
  /** Reads a secret over the wire (see the note on SDK GETs below). */
  const rawGet = async (scope: string, key: string) => {
    const res = await fetch(`${h.emu.url}/api/2.0/secrets/get?scope=${scope}&key=${key}`, {
      headers: { Authorization: `Bearer ${h.emu.token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("createScope / listScopes, and a duplicate raises RESOURCE_ALREADY_EXISTS (HTTP 400)", async () => {
    w = await sdkClient(h.emu.url, { token: h.emu.token });
    await w.secrets.createScope({ scope: "s1" });
    const scopes = await collect(w.secrets.listScopes());
    expect(scopes).toEqual([{ name: "s1", backend_type: "DATABRICKS" }]);
    const err = await apiError(w.secrets.createScope({ scope: "s1" }));
    expect(err.errorCode).toBe("RESOURCE_ALREADY_EXISTS");
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe("Scope s1 already exists!");
  });

  it("case 98: putSecret (string and bytes) stores values that read back base64-encoded", async () => {
    await w.secrets.putSecret({ scope: "s1", key: "k", string_value: "abc" });
    await w.secrets.putSecret({ scope: "s1", key: "bin", bytes_value: "AAEC" });
    const got = await rawGet("s1", "k");
    expect(got.body).toEqual({ key: "k", value: "YWJj" });
    expect(Buffer.from(String(got.body.value), "base64").toString("utf8")).toBe("abc");
    expect((await rawGet("s1", "bin")).body.value).toBe("AAEC");
  });

  it("putSecret into a missing scope raises ApiError RESOURCE_DOES_NOT_EXIST", async () => {
    const err = await apiError(w.secrets.putSecret({ scope: "nope", key: "k", string_value: "v" }));
    expect(err.statusCode).toBe(404);
    expect(err.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(err.message).toBe("Scope nope does not exist!");
  });

  // SDK 0.14.2 drops the query string of every GET (it only builds one when a body payload exists), so
  // getSecret/listSecrets/getAcl/listAcls reach the server without `scope`. A real workspace rejects that; the
  // emulator must too, with a typed 400 that names the missing field rather than a crash or a 200.
  it("SDK GETs that lose their query string get a clear 400 naming the missing field", async () => {
    const err = await apiError(w.secrets.getSecret({ scope: "s1", key: "k" }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/scope/);
    const listErr = await apiError(collect(w.secrets.listSecrets({ scope: "s1" })));
    expect(listErr.statusCode).toBe(400);
  });

  it("putAcl grants READ; the ACL is visible over the wire", async () => {
    await w.secrets.putAcl({ scope: "s1", principal: "g", permission: "READ" });
    const res = await fetch(`${h.emu.url}/api/2.0/secrets/acls/get?scope=s1&principal=g`, {
      headers: { Authorization: `Bearer ${h.emu.token}` },
    });
    expect(await res.json()).toEqual({ principal: "g", permission: "READ" });
    await w.secrets.deleteAcl({ scope: "s1", principal: "g" });
  });

  it("deleteSecret and deleteScope; deleting the scope again raises RESOURCE_DOES_NOT_EXIST", async () => {
    await w.secrets.deleteSecret({ scope: "s1", key: "bin" });
    expect((await rawGet("s1", "bin")).status).toBe(404);
    await w.secrets.deleteScope({ scope: "s1" });
    expect(await collect(w.secrets.listScopes())).toEqual([]);
    const err = await apiError(w.secrets.deleteScope({ scope: "s1" }));
    expect(err.statusCode).toBe(404);
    expect(err.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(err.message).toBe("Scope s1 does not exist!");
  });
});
