/**
 * Bad input to the serving-endpoint control plane (control/validate.ts): each malformed create, config update,
 * AI Gateway, rate-limit or tag request is a 400 INVALID_PARAMETER_VALUE envelope with the exact message, and
 * nothing is created. The good-input defaults these checks guard live in endpoints-create.int.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createReady, dig, expectError, useEmulator } from "../../test-support/conformance.js";

const model = { predict: (records: unknown[]) => records.map(() => 1) };
const entity = (extra: Record<string, unknown> = {}) => ({
  entity_name: "cat.sch.m",
  entity_version: "1",
  ...extra,
});
const withEntities = (served_entities: unknown, extra: Record<string, unknown> = {}) => ({
  served_entities,
  ...extra,
});
const openai = (name = "gpt-4o-mini", task = "llm/v1/chat") => ({
  external_model: {
    name,
    provider: "openai",
    task,
    openai_config: { openai_api_key_plaintext: "sk-test" },
  },
});

describe("serving-endpoint create: bad input is a 400 envelope with the exact message", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });

  const create = (body: Record<string, unknown>) => h.call("POST", "/api/2.0/serving-endpoints", body);
  const expect400 = async (body: Record<string, unknown>, message: string) => {
    expectError(await create(body), 400, "INVALID_PARAMETER_VALUE", message);
    if (typeof body.name === "string" && body.name !== "") {
      // Nothing half-created: the name is still free.
      expectError(
        await h.call("GET", `/api/2.0/serving-endpoints/${encodeURIComponent(body.name)}`),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      );
    }
  };

  it.each([
    [{ config: withEntities([entity()]) }, "Missing required field: name. Give the endpoint a name."],
    [
      { name: "", config: withEntities([entity()]) },
      "Missing required field: name. Give the endpoint a name.",
    ],
    [
      { name: "has space", config: withEntities([entity()]) },
      'Invalid endpoint name "has space": an endpoint name can consist of alphanumeric characters, dashes, and underscores.',
    ],
    [
      { name: 42, config: withEntities([entity()]) },
      "Invalid endpoint name 42: an endpoint name can consist of alphanumeric characters, dashes, and underscores.",
    ],
    [
      { name: "x".repeat(64), config: withEntities([entity()]) },
      `Endpoint name '${"x".repeat(64)}' is too long: use at most 63 characters.`,
    ],
  ])("endpoint name: %j", async (body, message) => {
    await expect400(body, message);
  });

  it("a 63-character name is accepted (the bound is inclusive)", async () => {
    const res = await create({ name: "y".repeat(63), config: withEntities([entity()]) });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "name")).toBe("y".repeat(63));
  });

  it.each([
    ["config not an object", { config: [1] }, "config must be a JSON object."],
    [
      "both served_entities and served_models",
      { config: { served_entities: [entity()], served_models: [] } },
      "Only one of served_entities or served_models may be specified, not both.",
    ],
    [
      "no entities",
      { config: withEntities([]) },
      "config needs at least one served entity in served_entities.",
    ],
    [
      "entities not a list",
      { config: withEntities({ a: 1 }) },
      "config needs at least one served entity in served_entities.",
    ],
    [
      "16 entities",
      { config: withEntities(Array.from({ length: 16 }, (_, i) => entity({ name: `e${i}` }))) },
      "An endpoint can serve at most 15 entities; got 16. Split them across endpoints.",
    ],
    ["entity not an object", { config: withEntities(["m"]) }, "served_entities[0] must be an object."],
    [
      "entity without entity_name",
      { config: withEntities([{ entity_version: "1" }]) },
      "served_entities[0].entity_name is required (or give an external_model).",
    ],
    [
      "duplicate entity names",
      { config: withEntities([entity(), entity()]) },
      "Served entity name 'm-1' is used twice; served entity names must be unique.",
    ],
    [
      "bad entity name",
      { config: withEntities([entity({ name: "a.b" })]) },
      'Invalid served_entities[0].name "a.b": use alphanumeric characters, dashes and underscores.',
    ],
    [
      "entity_version 0",
      { config: withEntities([entity({ entity_version: 0 })]) },
      'served_entities[0].entity_version must be a positive version number, e.g. "1".',
    ],
    [
      "entity_version '01'",
      { config: withEntities([entity({ entity_version: "01" })]) },
      'served_entities[0].entity_version must be a positive version number, e.g. "1".',
    ],
    [
      "unknown workload_type",
      { config: withEntities([entity({ workload_type: "TPU" })]) },
      'Invalid served_entities[0].workload_type "TPU"; use one of CPU, CPU_MEDIUM, CPU_LARGE, GPU_SMALL, GPU_MEDIUM, GPU_LARGE, GPU_XLARGE, GPU_XLARGE_8, MULTIGPU_MEDIUM.',
    ],
    [
      "empty workload_size",
      { config: withEntities([entity({ workload_size: "" })]) },
      "served_entities[0].workload_size must be a string such as Small, Medium or Large.",
    ],
    [
      "scale_to_zero_enabled as a string",
      { config: withEntities([entity({ scale_to_zero_enabled: "true" })]) },
      "served_entities[0].scale_to_zero_enabled must be a boolean.",
    ],
    [
      "environment_vars as a list",
      { config: withEntities([entity({ environment_vars: ["A=1"] })]) },
      "served_entities[0].environment_vars must be an object of string values.",
    ],
    [
      "external model with workload_size",
      { config: withEntities([{ ...openai(), workload_size: "Small" }]) },
      "served_entities[0].workload_size cannot be set together with external_model.",
    ],
    [
      "external mixed with a custom model",
      { config: withEntities([openai(), entity()]) },
      "An endpoint cannot mix external models with other served entities.",
    ],
    [
      "external models of two tasks",
      {
        config: withEntities([
          { ...openai("gpt-4o-mini"), name: "a" },
          { ...openai("text-embedding-3-small", "llm/v1/embeddings"), name: "b" },
        ]),
      },
      "All external models served by one endpoint must share the same task.",
    ],
    [
      "auto_capture_config not an object",
      { config: withEntities([entity()], { auto_capture_config: true }) },
      "auto_capture_config must be an object.",
    ],
  ])("config: %s", async (_label, body, message) => {
    await expect400({ name: "bad-config", ...body }, message);
  });

  it.each([
    [
      "legacy served_models without model_name",
      { served_models: [{ model_version: "1" }] },
      "served_models[0].model_name is required.",
    ],
    [
      "legacy served_models entry not an object",
      { served_models: [null] },
      "served_models[0] must be an object.",
    ],
    [
      "legacy served_models without model_version",
      { served_models: [{ model_name: "cat.sch.m" }] },
      'served_models[0].model_version must be a positive version number, e.g. "1".',
    ],
    [
      "legacy served_models with a bad workload_type",
      { served_models: [{ model_name: "cat.sch.m", model_version: 1, workload_type: "x" }] },
      /^Invalid served_models\[0\]\.workload_type "x"; use one of CPU, /,
    ],
  ])("legacy config: %s", async (_label, config, message) => {
    if (typeof message === "string") await expect400({ name: "bad-legacy", config }, message);
    else expectError(await create({ name: "bad-legacy", config }), 400, "INVALID_PARAMETER_VALUE", message);
  });

  const two = [entity({ name: "a" }), entity({ name: "b" })];
  it.each([
    [
      "routes missing from a traffic_config list",
      [],
      "traffic_config.routes must be a non-empty list of routes.",
    ],
    [
      "traffic_config.routes empty",
      { routes: [] },
      "traffic_config.routes must be a non-empty list of routes.",
    ],
    ["route not an object", { routes: [7] }, "traffic_config.routes[0] must be an object."],
    [
      "route names differ",
      { routes: [{ served_entity_name: "a", served_model_name: "b", traffic_percentage: 100 }] },
      "traffic_config.routes[0]: served_entity_name and served_model_name differ.",
    ],
    [
      "route to an unknown entity",
      { routes: [{ served_entity_name: "zz", traffic_percentage: 100 }] },
      'traffic_config.routes[0] routes traffic to served entity "zz", which is not in this config. Known: a, b.',
    ],
    [
      "percentage over 100",
      { routes: [{ served_entity_name: "a", traffic_percentage: 101 }] },
      "traffic_config.routes[0].traffic_percentage must be an integer between 0 and 100.",
    ],
    [
      "percentage fractional",
      { routes: [{ served_entity_name: "a", traffic_percentage: 50.5 }] },
      "traffic_config.routes[0].traffic_percentage must be an integer between 0 and 100.",
    ],
    [
      "percentages summing to 90",
      {
        routes: [
          { served_entity_name: "a", traffic_percentage: 40 },
          { served_entity_name: "b", traffic_percentage: "50" },
        ],
      },
      "Traffic percentages must add up to 100; they add up to 90.",
    ],
    [
      "the same entity routed twice",
      {
        routes: [
          { served_entity_name: "a", traffic_percentage: 50 },
          { served_model_name: "a", traffic_percentage: 50 },
        ],
      },
      "traffic_config.routes names a served entity twice.",
    ],
    [
      "an entity without a route",
      { routes: [{ served_entity_name: "a", traffic_percentage: 100 }] },
      "Every served entity needs a route in traffic_config when an endpoint serves several.",
    ],
  ])("traffic: %s", async (_label, traffic_config, message) => {
    await expect400({ name: "bad-traffic", config: withEntities(two, { traffic_config }) }, message);
  });

  it("traffic: a string percentage is read as a number, and an empty traffic_config splits evenly", async () => {
    const ok = await create({
      name: "split-strings",
      config: withEntities(two, {
        traffic_config: {
          routes: [
            { served_entity_name: "a", traffic_percentage: "30" },
            { served_model_name: "b", traffic_percentage: 70 },
          ],
        },
      }),
    });
    expect(ok.status, ok.text).toBe(200);
    expect(dig(ok.json, "pending_config", "traffic_config", "routes")).toEqual([
      { served_model_name: "a", served_entity_name: "a", traffic_percentage: 30 },
      { served_model_name: "b", served_entity_name: "b", traffic_percentage: 70 },
    ]);
    const three = [entity({ name: "a" }), entity({ name: "b" }), entity({ name: "c" })];
    const even = await create({ name: "split-even", config: withEntities(three, { traffic_config: {} }) });
    expect(even.status, even.text).toBe(200);
    expect(
      (dig(even.json, "pending_config", "traffic_config", "routes") as { traffic_percentage: number }[]).map(
        (r) => r.traffic_percentage,
      ),
    ).toEqual([34, 33, 33]);
  });

  it.each([
    ["tags not a list", { tags: { k: "v" } }, "tags must be a list of {key, value} objects."],
    ["tag without key", { tags: [{ value: "v" }] }, "tags[0].key is required."],
    ["tag with a numeric value", { tags: [{ key: "k", value: 1 }] }, "tags[0].value must be a string."],
    ["ai_gateway not an object", { ai_gateway: "on" }, "ai_gateway must be an object."],
    ["legacy rate_limits not a list", { rate_limits: {} }, "rate_limits must be a list."],
    [
      "legacy rate limit keyed by user_group",
      { rate_limits: [{ calls: 1, renewal_period: "minute", key: "user_group" }] },
      "rate_limits[0].key must be one of user, endpoint.",
    ],
    [
      "legacy rate limit without calls",
      { rate_limits: [{ renewal_period: "minute", tokens: 5 }] },
      "rate_limits[0].calls is required.",
    ],
  ])("create extras: %s", async (_label, extra, message) => {
    await expect400({ name: "bad-extras", config: withEntities([entity()]), ...extra }, message);
  });
});

describe("AI Gateway, rate limits and tags on an existing endpoint: bad input is a 400 envelope", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });
  const gateway = (body: unknown) => h.call("PUT", "/api/2.0/serving-endpoints/gw/ai-gateway", body);

  it("setup: a ready custom endpoint 'gw'", async () => {
    await createReady(h, { name: "gw", config: withEntities([entity()]) });
  });

  it.each([
    [
      "usage_tracking_config not an object",
      { usage_tracking_config: 1 },
      "usage_tracking_config must be an object.",
    ],
    [
      "inference_table_config not an object",
      { inference_table_config: [] },
      "inference_table_config must be an object.",
    ],
    [
      "enabled inference table without catalog_name",
      { inference_table_config: { enabled: true, schema_name: "s" } },
      "inference_table_config.catalog_name is required when the inference table is enabled.",
    ],
    [
      "enabled inference table with an empty schema_name",
      { inference_table_config: { enabled: true, catalog_name: "c", schema_name: "" } },
      "inference_table_config.schema_name is required when the inference table is enabled.",
    ],
    ["rate_limits not a list", { rate_limits: "10/minute" }, "rate_limits must be a list."],
    ["rate limit not an object", { rate_limits: [3] }, "rate_limits[0] must be an object."],
    [
      "rate limit per hour",
      { rate_limits: [{ calls: 1, renewal_period: "hour" }] },
      'rate_limits[0].renewal_period must be "minute" (the only supported renewal period).',
    ],
    [
      "rate limit with negative calls",
      { rate_limits: [{ calls: -1, renewal_period: "minute" }] },
      "rate_limits[0].calls must be a non-negative integer.",
    ],
    [
      "rate limit with fractional tokens",
      { rate_limits: [{ tokens: 1.5, renewal_period: "minute" }] },
      "rate_limits[0].tokens must be a non-negative integer.",
    ],
    [
      "rate limit with neither calls nor tokens",
      { rate_limits: [{ renewal_period: "minute" }] },
      "rate_limits[0] needs calls and/or tokens.",
    ],
    [
      "rate limit with an unknown key",
      { rate_limits: [{ calls: 1, renewal_period: "minute", key: "ip" }] },
      "rate_limits[0].key must be one of endpoint, user, user_group, service_principal.",
    ],
    ["guardrails not an object", { guardrails: true }, "guardrails must be an object."],
    [
      "fallback_config without a boolean enabled",
      { fallback_config: { enabled: "yes" } },
      "fallback_config must be an object with a boolean 'enabled'.",
    ],
  ])("ai-gateway: %s", async (_label, body, message) => {
    expectError(await gateway(body), 400, "INVALID_PARAMETER_VALUE", message);
  });

  it("ai-gateway: good input is normalised (string counts to numbers, default key and table prefix)", async () => {
    const res = await gateway({
      inference_table_config: { enabled: true, catalog_name: "c", schema_name: "s" },
      rate_limits: [{ calls: "10", tokens: 0, renewal_period: "minute", key: "user_group", principal: "g" }],
      fallback_config: { enabled: false },
      usage_tracking_config: { enabled: true },
      guardrails: {},
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      inference_table_config: { enabled: true, catalog_name: "c", schema_name: "s", table_name_prefix: "gw" },
      rate_limits: [{ calls: 10, tokens: 0, renewal_period: "minute", key: "user_group", principal: "g" }],
      fallback_config: { enabled: false },
      usage_tracking_config: { enabled: true },
      guardrails: {},
    });
    const tokensOnly = await gateway({ rate_limits: [{ tokens: 500, renewal_period: "minute" }] });
    expect(tokensOnly.status, tokensOnly.text).toBe(200);
    expect(dig(tokensOnly.json, "rate_limits")).toEqual([
      { tokens: 500, renewal_period: "minute", key: "endpoint" },
    ]);
  });

  it("rate-limits on a custom-model endpoint points to ai-gateway", async () => {
    expectError(
      await h.call("PUT", "/api/2.0/serving-endpoints/gw/rate-limits", {
        rate_limits: [{ calls: 1, renewal_period: "minute" }],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Rate limits are only supported for external model and foundation model endpoints; 'gw' serves custom models. Use PUT /api/2.0/serving-endpoints/gw/ai-gateway instead.",
    );
  });

  it.each([
    ["add_tags not a list", { add_tags: "k=v" }, "add_tags must be a list of {key, value} objects."],
    ["add_tags entry with an empty key", { add_tags: [{ key: "" }] }, "add_tags[0].key is required."],
    [
      "add_tags value not a string",
      { add_tags: [{ key: "k", value: true }] },
      "add_tags[0].value must be a string.",
    ],
    ["delete_tags with a number", { delete_tags: [1] }, "delete_tags must be a list of tag keys."],
  ])("tags: %s", async (_label, body, message) => {
    expectError(
      await h.call("PATCH", "/api/2.0/serving-endpoints/gw/tags", body),
      400,
      "INVALID_PARAMETER_VALUE",
      message,
    );
  });

  it("tags: a key without a value is kept without one; delete removes by key", async () => {
    const added = await h.call("PATCH", "/api/2.0/serving-endpoints/gw/tags", {
      add_tags: [{ key: "team" }, { key: "env", value: "dev" }],
    });
    expect(added.status, added.text).toBe(200);
    expect(added.json).toEqual({ tags: [{ key: "team" }, { key: "env", value: "dev" }] });
    const deleted = await h.call("PATCH", "/api/2.0/serving-endpoints/gw/tags", {
      delete_tags: ["team", "env"],
    });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.json).toEqual({});
  });

  it("config update: bad input keeps the current config (400, config_version unchanged)", async () => {
    expectError(
      await h.call("PUT", "/api/2.0/serving-endpoints/gw/config", {
        served_entities: [entity({ workload_type: "x" })],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /^Invalid served_entities\[0\]\.workload_type "x"/,
    );
    const now = await h.call("GET", "/api/2.0/serving-endpoints/gw");
    expect(dig(now.json, "config", "config_version")).toBe(1);
    expect(dig(now.json, "pending_config")).toBeUndefined();
  });
});
