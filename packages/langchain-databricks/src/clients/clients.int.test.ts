import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadRequestError,
  DatabricksHttpClient,
  NotFoundError,
  OperationFailedError,
  PermissionDeniedError,
  ResourceAlreadyExistsError,
} from "../index.js";
import { getDeployClient } from "./deployments.js";
import { SecretsClient } from "./secrets.js";
import { ServingEndpointsClient } from "./serving-endpoints.js";

let emu: EmulatorHandle;
let http: DatabricksHttpClient;
let endpoints: ServingEndpointsClient;
const CHAT = "databricks-meta-llama-3-3-70b-instruct";

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: 0,
    users: [{ userName: "viewer@example.com" }],
    models: {
      "cat.sch.m": { predict: (records) => ({ echoed: records }) },
    },
  });
  http = new DatabricksHttpClient({
    host: emu.url,
    token: emu.token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  endpoints = new ServingEndpointsClient({ httpClient: http });
});

afterAll(async () => {
  await emu?.close();
});

const customConfig = (version = "1") => ({
  served_entities: [
    {
      entity_name: "cat.sch.m",
      entity_version: version,
      workload_size: "Small",
      scale_to_zero_enabled: true,
    },
  ],
});

describe("ServingEndpointsClient against the emulator", () => {
  it("create -> waitForReady -> get -> list -> query (every input format) -> delete", async () => {
    const created = await endpoints.create({ name: "ep1", config: customConfig() });
    expect(created.name).toBe("ep1");
    expect(created.state?.config_update).toBe("IN_PROGRESS");
    const ready = await endpoints.waitForReady("ep1", { timeout: 10_000, pollIntervalMs: 10 });
    expect(ready.state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });
    expect((await endpoints.get("ep1")).config?.config_version).toBe(1);
    expect((await endpoints.list()).map((e) => e.name)).toContain("ep1");

    const inputs = [
      { dataframe_split: { columns: ["a"], data: [[1]] } },
      { dataframe_records: [{ a: 1 }] },
      { instances: [[1, 2]] },
      { inputs: { a: [1] } },
      { inputs: { a: [1] }, params: { k: 1 } },
    ];
    for (const body of inputs) {
      const out = await endpoints.query<{ predictions: unknown }>("ep1", body);
      expect(out.predictions).toBeDefined();
      expect(out.served_model_name).toBe("m-1");
    }
    const direct = await endpoints.query("ep1", { dataframe_records: [{ a: 1 }] }, { servedModel: "m-1" });
    expect(direct.served_model_name).toBe("m-1");
    await expect(
      endpoints.query("ep1", { dataframe_records: [{ a: 1 }], instances: [[1]] }),
    ).rejects.toBeInstanceOf(BadRequestError);

    await endpoints.delete("ep1");
    await expect(endpoints.get("ep1")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("updateConfig, waitNotUpdating and UPDATE_FAILED as a typed error", async () => {
    await endpoints.create({ name: "ep2", config: customConfig() });
    await endpoints.waitForReady("ep2", { pollIntervalMs: 10 });
    const upd = await endpoints.updateConfig("ep2", customConfig("2"));
    expect(upd.pending_config?.config_version).toBe(2);
    const done = await endpoints.waitNotUpdating("ep2", { pollIntervalMs: 10 });
    expect(done.config?.config_version).toBe(2);
    emu.admin.failNextUpdate("ep2");
    await endpoints.updateConfig("ep2", customConfig("3"));
    await expect(
      endpoints.waitForReady("ep2", { pollIntervalMs: 10, timeout: 10_000 }),
    ).rejects.toBeInstanceOf(OperationFailedError);
  });

  it("tags, rate limits, AI gateway, openapi, logs, permissions", async () => {
    await endpoints.create({ name: "ep3", config: customConfig() });
    await endpoints.waitForReady("ep3", { pollIntervalMs: 10 });
    expect(await endpoints.patchTags("ep3", { add_tags: [{ key: "team", value: "ml" }] })).toEqual([
      { key: "team", value: "ml" },
    ]);
    expect(await endpoints.patchTags("ep3", { delete_tags: ["team"] })).toEqual([]);
    const doc = JSON.parse(await endpoints.getOpenApi("ep3")) as { openapi?: string; paths?: unknown };
    expect(doc.openapi).toBeDefined();
    expect(typeof (await endpoints.buildLogs("ep3", "m-1"))).toBe("string");
    expect(typeof (await endpoints.logs("ep3", "m-1"))).toBe("string");
    await expect(endpoints.logs("ep3", "nope")).rejects.toBeInstanceOf(NotFoundError);

    const perms = await endpoints.getPermissions("ep3");
    expect(perms.object_type).toBe("serving-endpoint");
    const set = await endpoints.setPermissions("ep3", [
      { user_name: "viewer@example.com", permission_level: "CAN_VIEW" },
    ]);
    expect(JSON.stringify(set.access_control_list)).toContain("viewer@example.com");
    const merged = await endpoints.updatePermissions("ep3", [
      { group_name: "admins", permission_level: "CAN_MANAGE" },
    ]);
    expect(JSON.stringify(merged.access_control_list)).toContain("viewer@example.com");
    const levels = await endpoints.getPermissionLevels("ep3");
    expect(levels.map((l) => l.permission_level)).toEqual(
      expect.arrayContaining(["CAN_MANAGE", "CAN_QUERY", "CAN_VIEW"]),
    );

    const viewer = new ServingEndpointsClient({ host: emu.url, token: emu.users[0]!.token });
    await expect(viewer.query("ep3", { dataframe_records: [{ a: 1 }] })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );

    const gw = await endpoints.putAiGateway("ep3", { usage_tracking_config: { enabled: true } });
    expect(gw.usage_tracking_config).toEqual({ enabled: true });
  });

  it("rate limits on an external-model endpoint", async () => {
    await new SecretsClient({ httpClient: http }).createScope("rl-scope");
    await new SecretsClient({ httpClient: http }).putSecret("rl-scope", "k", "sk-test");
    await endpoints.create({
      name: "gpt-rl",
      config: {
        served_entities: [
          {
            external_model: {
              name: "gpt-4o-mini",
              provider: "openai",
              task: "llm/v1/chat",
              openai_config: { openai_api_key: "{{secrets/rl-scope/k}}" },
            },
          },
        ],
      },
    });
    const rl = await endpoints.putRateLimits("gpt-rl", [
      { calls: 10, key: "user", renewal_period: "minute" },
    ]);
    expect(rl.rate_limits?.[0]?.calls).toBe(10);
  });

  it("queryStream yields chat chunks until [DONE]", async () => {
    const chunks: Array<{ choices?: Array<{ delta?: { content?: string } }> }> = [];
    for await (const c of endpoints.queryStream<(typeof chunks)[number]>(
      CHAT,
      { messages: [{ role: "user", content: "hello" }], max_tokens: 20 },
      { expectDone: true },
    )) {
      chunks.push(c);
    }
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("")).not.toBe("");
  });

  it("names are URL-encoded", async () => {
    const e = await endpoints.get("my ep/../x?y").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(emu.admin.stats().log.at(-1)?.path).toContain("my%20ep%2F..%2Fx%3Fy");
  });
});

describe("getDeployClient (MLflow deployments surface)", () => {
  it("runs the seed's create_endpoint call (legacy name + config style) with a secret reference", async () => {
    const secrets = new SecretsClient({ httpClient: http });
    await secrets.createScope("seed-scope");
    await secrets.putSecret("seed-scope", "openai-api-key", "sk-seed");
    const client = getDeployClient("databricks", { host: emu.url, token: emu.token });
    const secret = "secrets/seed-scope/openai-api-key";
    const ep = await client.createEndpoint({
      name: "my-chat",
      config: {
        served_entities: [
          {
            name: "my-chat",
            external_model: {
              name: "gpt-4",
              provider: "openai",
              task: "llm/v1/chat",
              openai_config: { openai_api_key: `{{${secret}}}` },
            },
          },
        ],
      },
    });
    expect(ep.name).toBe("my-chat");
    const got = await client.getEndpoint("my-chat");
    expect(JSON.stringify(got)).toContain("{{secrets/seed-scope/openai-api-key}}");
    await expect(
      client.createEndpoint({ name: "my-chat", config: { served_entities: [] } }),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsError);
  });

  it("full-payload create, updates, predict/predictStream, list, delete", async () => {
    const client = getDeployClient("databricks", { httpClient: http });
    await client.createEndpoint({
      config: { name: "dep1", config: customConfig(), tags: [{ key: "a", value: "1" }] },
    });
    await new ServingEndpointsClient({ httpClient: http }).waitForReady("dep1", { pollIntervalMs: 10 });
    const upd = await client.updateEndpointConfig({ endpoint: "dep1", config: customConfig("2") });
    expect(upd.pending_config?.config_version).toBe(2);
    await new ServingEndpointsClient({ httpClient: http }).waitNotUpdating("dep1", { pollIntervalMs: 10 });
    const tags = await client.updateEndpointTags({
      endpoint: "dep1",
      config: { add_tags: [{ key: "b", value: "2" }] },
    });
    expect(tags.tags?.map((t) => t.key).sort()).toEqual(["a", "b"]);
    const gw = await client.updateEndpointAiGateway({
      endpoint: "dep1",
      config: { usage_tracking_config: { enabled: true } },
    });
    expect(gw.usage_tracking_config).toEqual({ enabled: true });
    const pred = await client.predict<{ predictions: unknown }>({
      endpoint: "dep1",
      inputs: { dataframe_records: [{ a: 1 }] },
    });
    expect(pred.predictions).toBeDefined();
    const chunks: unknown[] = [];
    for await (const c of client.predictStream({
      endpoint: CHAT,
      inputs: { messages: [{ role: "user", content: "hi" }] },
    })) {
      chunks.push(c);
    }
    expect(chunks.length).toBeGreaterThan(0);
    expect((await client.listEndpoints()).map((e) => e.name)).toContain("dep1");
    expect(await client.deleteEndpoint("dep1")).toEqual({});
    await expect(client.getEndpoint({ endpoint: "dep1" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("updateEndpoint (deprecated) routes rate_limits-only configs to /rate-limits", async () => {
    const client = getDeployClient("databricks", { httpClient: http });
    const res = await client.updateEndpoint({
      endpoint: "gpt-rl",
      config: { rate_limits: [{ calls: 5, key: "endpoint", renewal_period: "minute" }] },
    });
    expect(res.rate_limits).toEqual([{ calls: 5, key: "endpoint", renewal_period: "minute" }]);
    const rl = await client.updateEndpointRateLimits({
      endpoint: "gpt-rl",
      config: { rate_limits: [{ calls: 7, key: "user", renewal_period: "minute" }] },
    });
    expect(rl.rate_limits?.[0]?.calls).toBe(7);
  });

  it("listEndpoints returns [] on an empty workspace ({} from the server)", async () => {
    const empty = await startEmulator({ port: 0 });
    try {
      const client = getDeployClient("databricks", { host: empty.url, token: empty.token });
      const all = await client.listEndpoints();
      // Foundation endpoints are pre-provisioned; only assert the shape handling here.
      expect(Array.isArray(all)).toBe(true);
      const raw = await new DatabricksHttpClient({ host: empty.url, token: empty.token }).request<
        Record<string, unknown>
      >({
        method: "GET",
        path: "/api/2.0/secrets/scopes/list",
      });
      expect(raw).toEqual({});
      expect(await new SecretsClient({ host: empty.url, token: empty.token }).listScopes()).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});

describe("SecretsClient against the emulator", () => {
  it("scopes, secrets (string and bytes), ACLs", async () => {
    const s = new SecretsClient({ httpClient: http });
    await s.createScope("s1");
    await expect(s.createScope("s1")).rejects.toBeInstanceOf(ResourceAlreadyExistsError);
    expect((await s.listScopes()).map((x) => x.name)).toContain("s1");
    await s.putSecret("s1", "k", "héllo");
    expect(await s.getSecret("s1", "k")).toBe("héllo");
    await s.putSecret("s1", "b", new Uint8Array([0, 1, 2, 255]));
    expect([...(await s.getSecretBytes("s1", "b"))]).toEqual([0, 1, 2, 255]);
    const listed = await s.listSecrets("s1");
    expect(listed.map((x) => x.key).sort()).toEqual(["b", "k"]);
    expect(JSON.stringify(listed)).not.toContain("aGVsbG8");
    await s.putAcl("s1", "g", "READ");
    expect(await s.getAcl("s1", "g")).toEqual({ principal: "g", permission: "READ" });
    expect((await s.listAcls("s1")).map((a) => a.principal)).toContain("g");
    await s.deleteAcl("s1", "g");
    await expect(s.getAcl("s1", "g")).rejects.toBeInstanceOf(NotFoundError);
    await s.deleteSecret("s1", "k");
    await expect(s.deleteSecret("s1", "k")).rejects.toBeInstanceOf(NotFoundError);
    await s.deleteScope("s1");
    await expect(s.listSecrets("s1")).rejects.toBeInstanceOf(NotFoundError);
  });
});
