/** `spec/conformance-cases.md`, serving-endpoint create, defaults and validation: cases 5-26. */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  customEndpoint,
  dig,
  ensureSecret,
  expectError,
  HEX32,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

const model = { predict: (records: unknown[]) => records.map(() => 1) };

describe("create a custom-model endpoint", () => {
  // Transitions run on the emulator clock: nothing completes until a test advances it (no sleeps, no races).
  const h = useEmulator({ models: { "cat.sch.m": model }, transitionMs: 60_000 });
  let created: Record<string, unknown>;

  it("case 5: create returns name, 32-hex id, IN_PROGRESS/NOT_READY and pending_config.config_version 1", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", customEndpoint("ep1"));
    expect(res.status, res.text).toBe(200);
    created = asRecord(res.json);
    expect(created.name).toBe("ep1");
    expect(String(created.id)).toMatch(HEX32);
    expect(created.state).toMatchObject({ config_update: "IN_PROGRESS", ready: "NOT_READY" });
    expect(dig(created, "pending_config", "config_version")).toBe(1);
    expect(created.config).toBeUndefined();
  });

  it("case 5b: pending served entity is DEPLOYMENT_CREATING with the creating message", async () => {
    expect(dig(created, "pending_config", "served_entities", 0, "state")).toMatchObject({
      deployment: "DEPLOYMENT_CREATING",
      deployment_state_message: "Creating resources for served entity.",
    });
    expect(typeof dig(created, "pending_config", "start_time")).toBe("number");
  });

  it("case 6: default served entity name is <last segment>-<version> = m-1", async () => {
    expect(dig(created, "pending_config", "served_entities", 0, "name")).toBe("m-1");
    expect(dig(created, "pending_config", "served_entities", 0, "entity_name")).toBe("cat.sch.m");
    expect(dig(created, "pending_config", "served_entities", 0, "entity_version")).toBe("1");
  });

  it("case 6b: the legacy served_models mirror is present with model_name/model_version", async () => {
    expect(dig(created, "pending_config", "served_models", 0)).toMatchObject({
      name: "m-1",
      model_name: "cat.sch.m",
      model_version: "1",
    });
  });

  it("case 7: default traffic route sends 100% to m-1 with both served_model_name and served_entity_name", async () => {
    const routes = asArray(dig(created, "pending_config", "traffic_config", "routes"));
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({
      served_model_name: "m-1",
      served_entity_name: "m-1",
      traffic_percentage: 100,
    });
  });

  it("case 8: permission_level CAN_MANAGE, creator is the caller, creation_timestamp in ms", async () => {
    expect(created.permission_level).toBe("CAN_MANAGE");
    expect(typeof created.creator).toBe("string");
    expect(String(created.creator).length).toBeGreaterThan(0);
    expect(String(created.creation_timestamp)).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(created.creation_timestamp) - h.emu.admin.now())).toBeLessThan(600_000);
    expect(created.creator).toBe(h.emu.userName);
    expect(created.route_optimized).toBe(false);
  });

  it("case 9: after the transition GET shows READY/NOT_UPDATING, config_version 1, no pending_config", async () => {
    const final = await waitForEndpoint(h, "ep1");
    expect(final.state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });
    expect(dig(final, "config", "config_version")).toBe(1);
    expect(final.pending_config).toBeUndefined();
    expect(dig(final, "config", "served_entities", 0, "state", "deployment")).toBe("DEPLOYMENT_READY");
    expect(final.id).toBe(created.id);
  });

  it("case 10: list shows the endpoint with name, id, state and summary config.served_entities[0].entity_name", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(res.status).toBe(200);
    const ep = asArray(dig(res.json, "endpoints")).find((e) => dig(e, "name") === "ep1");
    expect(ep).toBeDefined();
    expect(dig(ep, "id")).toBe(created.id);
    expect(dig(ep, "state", "ready")).toBe("READY");
    expect(dig(ep, "config", "served_entities", 0, "entity_name")).toBe("cat.sch.m");
  });

  it("case 11: creating ep1 again -> 409 (or 400) RESOURCE_ALREADY_EXISTS", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", customEndpoint("ep1"));
    expect([400, 409]).toContain(res.status);
    expectError(res, res.status, "RESOURCE_ALREADY_EXISTS");
  });
});

describe("create with the legacy served_models payload", () => {
  const h = useEmulator({
    models: { "cat.sch.legacy_m": model, "cat.sch.other": model },
    transitionMs: 60_000,
  });
  let created: Record<string, unknown>;

  it("case 6c: served_models create -> default name <last segment>-<version>, mirrored as served_entities", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "legacy",
      config: {
        served_models: [
          {
            model_name: "cat.sch.legacy_m",
            model_version: "3",
            workload_size: "Small",
            scale_to_zero_enabled: false,
          },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    created = asRecord(res.json);
    expect(created.state).toMatchObject({ config_update: "IN_PROGRESS", ready: "NOT_READY" });
    const model0 = asRecord(dig(created, "pending_config", "served_models", 0));
    expect(model0).toMatchObject({
      name: "legacy_m-3",
      model_name: "cat.sch.legacy_m",
      model_version: "3",
      workload_size: "Small",
      scale_to_zero_enabled: false,
    });
    expect(model0).not.toHaveProperty("entity_name");
    const entity0 = asRecord(dig(created, "pending_config", "served_entities", 0));
    expect(entity0).toMatchObject({
      name: "legacy_m-3",
      entity_name: "cat.sch.legacy_m",
      entity_version: "3",
    });
    expect(entity0).not.toHaveProperty("model_name");
  });

  it("case 7b: the default traffic route sends 100% to it, under both route field names", async () => {
    expect(dig(created, "pending_config", "traffic_config", "routes")).toEqual([
      { served_model_name: "legacy_m-3", served_entity_name: "legacy_m-3", traffic_percentage: 100 },
    ]);
  });

  it("case 9b: once READY, GET shows config with both served_entities and served_models, and it serves", async () => {
    const final = await waitForEndpoint(h, "legacy");
    expect(final.state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });
    expect(final.pending_config).toBeUndefined();
    const config = asRecord(final.config);
    expect(config.config_version).toBe(1);
    expect(dig(config, "served_entities", 0)).toMatchObject({
      name: "legacy_m-3",
      entity_name: "cat.sch.legacy_m",
      entity_version: "3",
      state: { deployment: "DEPLOYMENT_READY" },
    });
    expect(dig(config, "served_models", 0)).toMatchObject({
      name: "legacy_m-3",
      model_name: "cat.sch.legacy_m",
      model_version: "3",
      state: { deployment: "DEPLOYMENT_READY" },
    });
    const inv = await h.call("POST", "/serving-endpoints/legacy/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(inv.status, inv.text).toBe(200);
    expect(inv.headers.get("served-model-name")).toBe("legacy_m-3");
  });

  it("case 10b: the list summary carries the served_models mirror {name, model_name, model_version}", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints");
    const ep = asArray(dig(res.json, "endpoints")).find((e) => dig(e, "name") === "legacy");
    expect(dig(ep, "config", "served_models")).toEqual([
      { name: "legacy_m-3", model_name: "cat.sch.legacy_m", model_version: "3" },
    ]);
    expect(dig(ep, "config", "served_entities", 0, "entity_name")).toBe("cat.sch.legacy_m");
  });

  it("case 6d: scale_to_zero_enabled defaults to true; explicit names and served_model_name routes work", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "legacy2",
      config: {
        served_models: [
          { model_name: "cat.sch.legacy_m", model_version: "1", workload_size: "Small" },
          { name: "canary", model_name: "cat.sch.other", model_version: "7", workload_size: "Small" },
        ],
        traffic_config: {
          routes: [
            { served_model_name: "legacy_m-1", traffic_percentage: 80 },
            { served_model_name: "canary", traffic_percentage: 20 },
          ],
        },
      },
    });
    expect(res.status, res.text).toBe(200);
    const models = asArray(dig(res.json, "pending_config", "served_models"));
    expect(models.map((m) => [dig(m, "name"), dig(m, "scale_to_zero_enabled")])).toEqual([
      ["legacy_m-1", true],
      ["canary", true],
    ]);
    expect(dig(res.json, "pending_config", "traffic_config", "routes")).toEqual([
      { served_model_name: "legacy_m-1", served_entity_name: "legacy_m-1", traffic_percentage: 80 },
      { served_model_name: "canary", served_entity_name: "canary", traffic_percentage: 20 },
    ]);
  });
});

describe("create validation", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });
  const entity = {
    entity_name: "cat.sch.m",
    entity_version: "1",
    workload_size: "Small",
    scale_to_zero_enabled: true,
  };

  it("case 12: name 'bad name!' -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", { name: "bad name!" });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 13: missing name -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", { config: { served_entities: [entity] } });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 14: create without config -> 200 NOT_UPDATING/NOT_READY and no config", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", { name: "ep0" });
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(body.state).toMatchObject({ config_update: "NOT_UPDATING", ready: "NOT_READY" });
    expect(body.config).toBeUndefined();
    expect(body.pending_config).toBeUndefined();
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ep0");
    expect(got.status).toBe(200);
    expect(dig(got.json, "state")).toMatchObject({ config_update: "NOT_UPDATING", ready: "NOT_READY" });
  });

  it("case 15: both served_entities and served_models -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "ep15",
      config: {
        served_entities: [entity],
        served_models: [
          {
            model_name: "cat.sch.m",
            model_version: "1",
            scale_to_zero_enabled: true,
            workload_size: "Small",
          },
        ],
      },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 16: routes summing to 90 -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "ep16",
      config: {
        served_entities: [
          { ...entity, name: "a" },
          { ...entity, name: "b", entity_version: "2" },
        ],
        traffic_config: {
          routes: [
            { served_model_name: "a", traffic_percentage: 50 },
            { served_model_name: "b", traffic_percentage: 40 },
          ],
        },
      },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 17: route naming an unknown served entity -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "ep17",
      config: {
        served_entities: [{ ...entity, name: "a" }],
        traffic_config: { routes: [{ served_entity_name: "ghost", traffic_percentage: 100 }] },
      },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 18: 16 served entities -> 400 INVALID_PARAMETER_VALUE", async () => {
    const served = Array.from({ length: 16 }, (_, i) => ({
      ...entity,
      name: `e${i}`,
      entity_version: String(i + 1),
    }));
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "ep18",
      config: { served_entities: served },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 18b: 15 served entities with an explicit 100% route are accepted (the limit is 15)", async () => {
    const served = Array.from({ length: 15 }, (_, i) => ({
      ...entity,
      name: `e${i}`,
      entity_version: String(i + 1),
    }));
    const routes = served.map((s, i) => ({
      served_entity_name: s.name,
      traffic_percentage: i === 0 ? 100 : 0,
    }));
    const res = await h.call("POST", "/api/2.0/serving-endpoints", {
      name: "ep18b",
      config: { served_entities: served, traffic_config: { routes } },
    });
    expect(res.status, res.text).toBe(200);
  });

  it("case 12b: a rejected create leaves no endpoint behind", async () => {
    for (const name of ["ep15", "ep16", "ep17", "ep18"]) {
      const got = await h.call("GET", `/api/2.0/serving-endpoints/${name}`);
      expectError(got, 404, "RESOURCE_DOES_NOT_EXIST");
    }
  });
});

describe("external-model create", () => {
  const h = useEmulator();
  const external = (over: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => ({
    name: "gpt-4o-mini",
    provider: "openai",
    task: "llm/v1/chat",
    openai_config: { openai_api_key: "{{secrets/s/k}}", ...config },
    ...over,
  });
  const create = (
    name: string,
    externalModel: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    h.call("POST", "/api/2.0/serving-endpoints", {
      name,
      config: { served_entities: [{ external_model: externalModel, ...extra }] },
    });

  it("case 19: external openai model -> 200, entity name defaults to gpt-4o-mini, key reference echoed", async () => {
    await ensureSecret(h);
    const res = await create("gpt", external());
    expect(res.status, res.text).toBe(200);
    const final = await waitForEndpoint(h, "gpt");
    const entity = dig(final, "config", "served_entities", 0);
    expect(dig(entity, "name")).toBe("gpt-4o-mini");
    expect(dig(entity, "external_model", "openai_config", "openai_api_key")).toBe("{{secrets/s/k}}");
    expect(dig(entity, "external_model", "provider")).toBe("openai");
    expect(dig(final, "task")).toBe("llm/v1/chat");
  });

  it("case 20: both openai_api_key and openai_api_key_plaintext -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await create("ext20", external({}, { openai_api_key_plaintext: "sk-x" }));
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 21: neither key field -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await create("ext21", external({ openai_config: {} }));
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 22: openai_api_key that is not a {{secrets/..}} reference -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await create("ext22", external({}, { openai_api_key: "sk-raw" }));
    const body = expectError(res, 400, "INVALID_PARAMETER_VALUE");
    expect(String(body.message)).not.toContain("sk-raw");
  });

  it("case 23: provider 'foo' -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await create("ext23", external({ provider: "foo" }));
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 24: external model plus workload_size on the same entity -> 400 INVALID_PARAMETER_VALUE", async () => {
    const res = await create("ext24", external(), { workload_size: "Small" });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 25: model name claude-3.5:sonnet -> default entity name claude-3-5-sonnet", async () => {
    const res = await create(
      "claude",
      external({
        name: "claude-3.5:sonnet",
        provider: "anthropic",
        openai_config: undefined,
        anthropic_config: { anthropic_api_key: "{{secrets/s/k}}" },
      }),
    );
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    const entity =
      dig(body, "pending_config", "served_entities", 0) ?? dig(body, "config", "served_entities", 0);
    expect(dig(entity, "name")).toBe("claude-3-5-sonnet");
  });

  it("case 26: openai_api_key_plaintext is never revealed by create, GET or list", async () => {
    const plaintext = "sk-plaintext-must-not-leak-123";
    const res = await create("ext26", external({ openai_config: { openai_api_key_plaintext: plaintext } }));
    expect(res.status, res.text).toBe(200);
    expect(res.text).not.toContain(plaintext);
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ext26");
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(plaintext);
    const list = await h.call("GET", "/api/2.0/serving-endpoints");
    expect(list.text).not.toContain(plaintext);
  });
});
