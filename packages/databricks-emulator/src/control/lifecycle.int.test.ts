import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, customEndpointBody } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const VIEWER = { userName: "viewer@x.com", token: "dapi-viewer-token" };

describe("control plane lifecycle", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({
      transitionMs: 10_000,
      users: [VIEWER],
      models: { "cat.sch.m": { predict: () => [1] } },
    });
  });
  afterAll(() => emu.close());

  const get = async (name: string) => (await call(emu, "GET", `/api/2.0/serving-endpoints/${name}`)).json;

  it("moves create -> READY only when the emulator clock passes transitionMs", async () => {
    const created = await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("ep1"));
    expect(created.status).toBe(200);
    expect(created.json.state).toMatchObject({ ready: "NOT_READY", config_update: "IN_PROGRESS" });
    expect(created.json).toMatchObject({
      permission_level: "CAN_MANAGE",
      creator: emu.userName,
      route_optimized: false,
    });
    expect((await get("ep1")).state).toMatchObject({ config_update: "IN_PROGRESS" });
    const inv = await call(emu, "POST", "/serving-endpoints/ep1/invocations", { instances: [1] });
    expect(inv.status).toBe(503);
    expect(inv.headers.get("retry-after")).toBe("1");
    emu.admin.advanceClock(10_000);
    const ready = await get("ep1");
    expect(ready.state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });
    expect(ready.pending_config).toBeUndefined();
    expect(ready.config).toMatchObject({ config_version: 1 });
  });

  it("keeps serving the old config during an update, then switches to version 2", async () => {
    const upd = await call(emu, "PUT", "/api/2.0/serving-endpoints/ep1/config", {
      served_entities: [{ entity_name: "cat.sch.m", entity_version: "2", workload_size: "Small" }],
    });
    expect(upd.status).toBe(200);
    expect(upd.json).toMatchObject({ config: { config_version: 1 }, pending_config: { config_version: 2 } });
    const again = await call(emu, "PUT", "/api/2.0/serving-endpoints/ep1/config", {
      served_entities: [{ entity_name: "cat.sch.m", entity_version: "3", workload_size: "Small" }],
    });
    expect(again.status).toBe(409);
    const during = await call(emu, "POST", "/serving-endpoints/ep1/invocations", { instances: [1] });
    expect(during.headers.get("served-model-name")).toBe("m-1");
    emu.admin.advanceClock(10_000);
    const after = await get("ep1");
    const entities = (after.config as { served_entities: { name: string }[] }).served_entities;
    expect(entities.map((e) => e.name)).toEqual(["m-2"]);
  });

  it("ends an update in UPDATE_FAILED when the admin API asks for it", async () => {
    emu.admin.failNextUpdate("ep1");
    await call(emu, "PUT", "/api/2.0/serving-endpoints/ep1/config", {
      served_entities: [{ entity_name: "cat.sch.m", entity_version: "4", workload_size: "Small" }],
    });
    emu.admin.advanceClock(10_000);
    const failed = await get("ep1");
    expect(failed.state).toMatchObject({ ready: "READY", config_update: "UPDATE_FAILED" });
    expect(failed.config).toMatchObject({ config_version: 2 });
  });

  it("never echoes plaintext credentials", async () => {
    const res = await call(emu, "POST", "/api/2.0/serving-endpoints", {
      name: "ext",
      config: {
        served_entities: [
          {
            external_model: {
              name: "gpt-4o-mini",
              provider: "openai",
              task: "llm/v1/chat",
              openai_config: { openai_api_key_plaintext: "sk-very-secret" },
            },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("sk-very-secret");
    emu.admin.advanceClock(10_000);
    const got = await call(emu, "GET", "/api/2.0/serving-endpoints/ext");
    expect(got.text).not.toContain("sk-very-secret");
    expect(got.json.endpoint_type).toBe("EXTERNAL_MODEL");
  });

  it("treats foundation endpoints as read-only and READY", async () => {
    const fm = await get("databricks-meta-llama-3-3-70b-instruct");
    expect(fm).toMatchObject({
      endpoint_type: "FOUNDATION_MODEL_API",
      task: "llm/v1/chat",
      state: { ready: "READY" },
    });
    const del = await call(
      emu,
      "DELETE",
      "/api/2.0/serving-endpoints/databricks-meta-llama-3-3-70b-instruct",
    );
    expect(del.status).toBe(403);
    expect(del.json.error_code).toBe("PERMISSION_DENIED");
  });

  it("enforces CAN_VIEW / CAN_MANAGE from the permissions API", async () => {
    const ep = await get("ep1");
    const asViewer = { token: VIEWER.token };
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints/ep1", undefined, asViewer)).status).toBe(403);
    const patched = await call(emu, "PATCH", `/api/2.0/permissions/serving-endpoints/${String(ep.id)}`, {
      access_control_list: [{ user_name: VIEWER.userName, permission_level: "CAN_VIEW" }],
    });
    expect(patched.status).toBe(200);
    const viewed = await call(emu, "GET", "/api/2.0/serving-endpoints/ep1", undefined, asViewer);
    expect(viewed.json.permission_level).toBe("CAN_VIEW");
    const list = await call(emu, "GET", "/api/2.0/serving-endpoints", undefined, asViewer);
    const names = (list.json.endpoints as { name: string }[]).map((e) => e.name);
    expect(names).toContain("ep1");
    expect(names).not.toContain("ext");
    expect((await call(emu, "DELETE", "/api/2.0/serving-endpoints/ep1", undefined, asViewer)).status).toBe(
      403,
    );
    expect(
      (await call(emu, "POST", "/serving-endpoints/ep1/invocations", { instances: [1] }, asViewer)).status,
    ).toBe(403);
  });
});
