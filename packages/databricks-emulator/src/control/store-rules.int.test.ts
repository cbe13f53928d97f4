/**
 * Serving-endpoint store rules (control/store.ts) beyond field validation: unique names, one config update at a
 * time, external and custom entities never swapped by an update, read-only foundation endpoints, and typed
 * top-level fields. Each refusal is the real envelope and leaves the endpoint as it was.
 */
import { describe, expect, it } from "vitest";
import {
  createReady,
  dig,
  expectError,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";

const model = { predict: (records: unknown[]) => records.map(() => 1) };
const custom = (name: string) => ({
  name,
  config: { served_entities: [{ entity_name: "cat.sch.m", entity_version: "1" }] },
});
const external = (name: string) => ({
  name,
  config: {
    served_entities: [
      {
        external_model: {
          name: "gpt-4o-mini",
          provider: "openai",
          task: "llm/v1/chat",
          openai_config: { openai_api_key_plaintext: "sk-test" },
        },
      },
    ],
  },
});
const FOUNDATION = "databricks-meta-llama-3-3-70b-instruct";

describe("serving-endpoint store rules", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, transitionMs: 60_000 });
  const base = "/api/2.0/serving-endpoints";

  it("typed top-level fields: route_optimized boolean, task string", async () => {
    expectError(
      await h.call("POST", base, { ...custom("typed"), route_optimized: "yes" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "route_optimized must be a boolean.",
    );
    expectError(
      await h.call("POST", base, { ...custom("typed"), task: 5 }),
      400,
      "INVALID_PARAMETER_VALUE",
      "task must be a string.",
    );
    const ok = await h.call("POST", base, { ...custom("typed"), route_optimized: true });
    expect(ok.status, ok.text).toBe(200);
    expect(dig(ok.json, "route_optimized")).toBe(true);
  });

  it("a second endpoint of the same name is 409", async () => {
    expectError(
      await h.call("POST", base, custom("typed")),
      409,
      "RESOURCE_ALREADY_EXISTS",
      "Endpoint with name 'typed' already exists.",
    );
  });

  it("one config update at a time: 409 while the first is in progress, accepted after it finishes", async () => {
    const update = { served_entities: [{ entity_name: "cat.sch.m", entity_version: "2" }] };
    expectError(
      await h.call("PUT", `${base}/typed/config`, update),
      409,
      "RESOURCE_CONFLICT",
      "Endpoint 'typed' already has a config update in progress; wait until state.config_update is NOT_UPDATING.",
    );
    const done = await waitForEndpoint(h, "typed");
    expect(dig(done, "config", "config_version")).toBe(1);
    const second = await h.call("PUT", `${base}/typed/config`, update);
    expect(second.status, second.text).toBe(200);
    expect(dig(second.json, "pending_config", "config_version")).toBe(2);
    expect(dig(second.json, "pending_config", "served_entities", 0, "name")).toBe("m-2");
  });

  it("an update cannot swap external models for custom entities, or the other way round", async () => {
    await createReady(h, external("ext"));
    expectError(
      await h.call("PUT", `${base}/ext/config`, custom("ignored").config),
      400,
      "INVALID_PARAMETER_VALUE",
      "An endpoint serving external models cannot be updated to serve other entities, or the other way round.",
    );
    await createReady(h, custom("cust"));
    expectError(
      await h.call("PUT", `${base}/cust/config`, external("ignored").config),
      400,
      "INVALID_PARAMETER_VALUE",
      "An endpoint serving external models cannot be updated to serve other entities, or the other way round.",
    );
    const still = await h.call("GET", `${base}/cust`);
    expect(dig(still.json, "config", "served_entities", 0, "entity_name")).toBe("cat.sch.m");
  });

  it("pre-provisioned foundation endpoints refuse every write", async () => {
    const readOnly = `Endpoint '${FOUNDATION}' is a pre-provisioned Foundation Model API endpoint and is read-only.`;
    expectError(await h.call("DELETE", `${base}/${FOUNDATION}`), 403, "PERMISSION_DENIED", readOnly);
    expectError(
      await h.call("PUT", `${base}/${FOUNDATION}/config`, custom("x").config),
      403,
      "PERMISSION_DENIED",
      readOnly,
    );
    expectError(
      await h.call("PATCH", `${base}/${FOUNDATION}/tags`, { add_tags: [{ key: "k" }] }),
      403,
      "PERMISSION_DENIED",
      readOnly,
    );
    expectError(
      await h.call("PUT", `${base}/${FOUNDATION}/ai-gateway`, {}),
      403,
      "PERMISSION_DENIED",
      readOnly,
    );
    expectError(
      await h.call("PATCH", `${base}/${FOUNDATION}/notifications`, { email_notifications: {} }),
      403,
      "PERMISSION_DENIED",
      readOnly,
    );
    expect((await h.call("GET", `${base}/${FOUNDATION}`)).status).toBe(200);
  });

  it("an endpoint created with a task and no config keeps the task", async () => {
    const res = await h.call("POST", base, { name: "task-only", task: "llm/v1/chat" });
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "task")).toBe("llm/v1/chat");
    expect(dig(res.json, "pending_config")).toBeUndefined();
  });
});
