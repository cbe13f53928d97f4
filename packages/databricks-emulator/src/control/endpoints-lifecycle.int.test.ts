/** `spec/conformance-cases.md`, endpoint get/delete, config updates, tags, openapi and logs: cases 27-36, 42-44. */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  createReady,
  customEndpoint,
  dig,
  expectError,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

const model = { predict: (records: unknown[]) => records.map(() => 0.5) };
const entityV = (version: string) => ({
  served_entities: [
    {
      entity_name: "cat.sch.m",
      entity_version: version,
      workload_size: "Small",
      scale_to_zero_enabled: true,
    },
  ],
});

describe("get and delete", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });

  it("case 27: GET unknown endpoint -> 404 RESOURCE_DOES_NOT_EXIST with the exact message", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/nope");
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist.");
  });

  it("case 27b: error envelope carries a RequestInfo detail with a request id", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/nope");
    const detail = dig(res.json, "details", 0);
    expect(dig(detail, "@type")).toBe("type.googleapis.com/google.rpc.RequestInfo");
    expect(String(dig(detail, "request_id")).length).toBeGreaterThan(0);
  });

  it("case 28: DELETE unknown endpoint -> 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await h.call("DELETE", "/api/2.0/serving-endpoints/nope");
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist.");
  });

  it("case 29: DELETE ep1 -> 200 {} and a later GET -> 404", async () => {
    await createReady(h, customEndpoint("ep1"));
    const res = await h.call("DELETE", "/api/2.0/serving-endpoints/ep1");
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    expectError(await h.call("GET", "/api/2.0/serving-endpoints/ep1"), 404, "RESOURCE_DOES_NOT_EXIST");
    const list = await h.call("GET", "/api/2.0/serving-endpoints");
    const names = ((dig(list.json, "endpoints") as unknown[] | undefined) ?? []).map((e) => dig(e, "name"));
    expect(names).not.toContain("ep1");
  });

  it("case 29b: a deleted name can be created again with a new id", async () => {
    const first = await createReady(h, customEndpoint("again"));
    await h.call("DELETE", "/api/2.0/serving-endpoints/again");
    const second = await createReady(h, customEndpoint("again"));
    expect(second.id).not.toBe(first.id);
  });
});

describe("config updates", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, transitionMs: 60_000 });

  it("case 30: PUT config v2 -> IN_PROGRESS, pending_config.config_version 2, config.config_version still 1", async () => {
    await createReady(h, customEndpoint("ep1"));
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/ep1/config", entityV("2"));
    expect(res.status, res.text).toBe(200);
    const body = asRecord(res.json);
    expect(body.name).toBe("ep1");
    expect(dig(body, "state", "config_update")).toBe("IN_PROGRESS");
    expect(dig(body, "state", "ready")).toBe("READY");
    expect(dig(body, "pending_config", "config_version")).toBe(2);
    expect(dig(body, "config", "config_version")).toBe(1);
  });

  it("case 32: a second config update while one is IN_PROGRESS -> non-2xx error envelope", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/ep1/config", entityV("3"));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status);
  });

  it("case 31: after the update completes config_version 2 with served entity m-2", async () => {
    const final = await waitForEndpoint(h, "ep1");
    expect(final.state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });
    expect(dig(final, "config", "config_version")).toBe(2);
    expect(dig(final, "config", "served_entities", 0, "name")).toBe("m-2");
    expect(dig(final, "config", "traffic_config", "routes", 0, "served_entity_name")).toBe("m-2");
    expect(final.pending_config).toBeUndefined();
  });

  it("case 33: PUT config on unknown endpoint -> 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/nope/config", entityV("1"));
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist.");
  });

  it("case 33b: PUT config with invalid routes -> 400 INVALID_PARAMETER_VALUE and the old config stays", async () => {
    const res = await h.call("PUT", "/api/2.0/serving-endpoints/ep1/config", {
      ...entityV("4"),
      traffic_config: { routes: [{ served_entity_name: "m-4", traffic_percentage: 90 }] },
    });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ep1");
    expect(dig(got.json, "config", "config_version")).toBe(2);
    expect(dig(got.json, "state", "config_update")).toBe("NOT_UPDATING");
  });
});

describe("tags", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });

  it("case 35: PATCH tags add team=ml -> 200 {tags:[{key:team,value:ml}]}", async () => {
    await createReady(h, customEndpoint("ep1"));
    const res = await h.call("PATCH", "/api/2.0/serving-endpoints/ep1/tags", {
      add_tags: [{ key: "team", value: "ml" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ tags: [{ key: "team", value: "ml" }] });
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ep1");
    expect(dig(got.json, "tags")).toEqual([{ key: "team", value: "ml" }]);
  });

  it("case 35b: adding an existing key overwrites its value; a key-only tag has no value", async () => {
    const res = await h.call("PATCH", "/api/2.0/serving-endpoints/ep1/tags", {
      add_tags: [{ key: "team", value: "ai" }, { key: "flag" }],
    });
    expect(res.status, res.text).toBe(200);
    const tags = asArray(dig(res.json, "tags"));
    expect(tags).toHaveLength(2);
    expect(tags).toContainEqual({ key: "team", value: "ai" });
    expect(tags).toContainEqual({ key: "flag" });
  });

  it("case 36: PATCH delete_tags removes them; body {} when none remain; GET has no tags key", async () => {
    const res = await h.call("PATCH", "/api/2.0/serving-endpoints/ep1/tags", {
      delete_tags: ["team", "flag"],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    const got = await h.call("GET", "/api/2.0/serving-endpoints/ep1");
    expect(asRecord(got.json)).not.toHaveProperty("tags");
  });

  it("case 36b: PATCH tags on an unknown endpoint -> 404", async () => {
    const res = await h.call("PATCH", "/api/2.0/serving-endpoints/nope/tags", {
      add_tags: [{ key: "a", value: "b" }],
    });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("openapi and logs", () => {
  const h = useEmulator({ models: { "cat.sch.m": model } });

  it("case 42: GET openapi with Accept text/plain -> 200, JSON text with openapi and paths", async () => {
    await createReady(h, customEndpoint("ep1"));
    const res = await h.call("GET", "/api/2.0/serving-endpoints/ep1/openapi", undefined, {
      headers: { Accept: "text/plain" },
    });
    expect(res.status, res.text).toBe(200);
    const doc = asRecord(JSON.parse(res.text));
    expect(typeof doc.openapi).toBe("string");
    const paths = Object.keys(asRecord(doc.paths));
    expect(paths.some((p) => p.includes("/served-models/m-1/invocations"))).toBe(true);
  });

  it("case 42b: openapi of an unknown endpoint -> 404", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/nope/openapi");
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 43: build-logs for m-1 -> 200 {logs:<string>}; unknown served model -> 404", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/ep1/served-models/m-1/build-logs");
    expect(res.status, res.text).toBe(200);
    expect(typeof dig(res.json, "logs")).toBe("string");
    const missing = await h.call("GET", "/api/2.0/serving-endpoints/ep1/served-models/ghost/build-logs");
    expectError(missing, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 44: logs for m-1 -> 200 {logs:<string>}", async () => {
    const res = await h.call("GET", "/api/2.0/serving-endpoints/ep1/served-models/m-1/logs");
    expect(res.status, res.text).toBe(200);
    expect(typeof dig(res.json, "logs")).toBe("string");
    const missing = await h.call("GET", "/api/2.0/serving-endpoints/nope/served-models/m-1/logs");
    expectError(missing, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});
