/**
 * Trust boundary 2 (issue 14): user-supplied stored fields have depth and size limits (400 naming the field),
 * and a write whose persistence fails changes nothing in memory, so the emulator never serves state that a
 * restart would not load.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, customEndpointBody } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const DEEP = "__deep__";
/** A marker for `rawWithDeep`; the body is built as text because JSON.stringify itself overflows on it. */
const deep = (_levels: 5000): string => DEEP;
/** `body` as JSON text with the marker replaced by `{"a":{"a":...}}` 5,000 levels deep (~30 KB). */
const rawWithDeep = (body: unknown): { raw: string } => ({
  raw: JSON.stringify(body).replace(`"${DEEP}"`, `${'{"a":'.repeat(5000)}"x"${"}".repeat(5000)}`),
});

const models = { "cat.sch.m": { predict: () => [1] } };

describe("stored field limits", () => {
  let emu: EmulatorHandle;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emu-fields-"));
    emu = await startEmulator({ dataDir: dir, transitionMs: 0, models, foundationModels: false });
    expect((await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("ok"))).status).toBe(
      200,
    );
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (res: { status: number; json: Record<string, unknown> }, field: string) => {
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(String(res.json.message)).toContain(`Field '${field}' is nested more than 32 levels deep`);
  };

  it.each(["description", "email_notifications", "telemetry_config", "tags", "ai_gateway"])(
    "refuses a 5,000-level %s at create with the field named",
    async (field) => {
      const res = await call(
        emu,
        "POST",
        "/api/2.0/serving-endpoints",
        undefined,
        rawWithDeep({ ...customEndpointBody(`deep-${field.replace(/_/g, "-")}`), [field]: deep(5000) }),
      );
      refused(res, field);
    },
  );

  it("refuses deep values on every update route and stores nothing", async () => {
    const send = (method: string, path: string, body: unknown) =>
      call(emu, method, `/api/2.0/serving-endpoints/ok/${path}`, undefined, rawWithDeep(body));
    refused(await send("PATCH", "notifications", { email_notifications: deep(5000) }), "email_notifications");
    refused(await send("PUT", "ai-gateway", { guardrails: deep(5000) }), "ai_gateway.guardrails");
    refused(await send("PATCH", "tags", { add_tags: deep(5000) }), "add_tags");
    refused(
      await send("PUT", "config", {
        served_entities: [{ entity_name: "cat.sch.m", entity_version: "1", environment_vars: deep(5000) }],
      }),
      "config.served_entities",
    );
    const ep = await call(emu, "GET", "/api/2.0/serving-endpoints/ok");
    expect(ep.json.email_notifications).toBeUndefined();
    expect(ep.json.ai_gateway).toBeUndefined();
  });

  it("refuses an oversized description with the field named", async () => {
    const res = await call(emu, "POST", "/api/2.0/serving-endpoints", {
      ...customEndpointBody("big"),
      description: "d".repeat(300 * 1024),
    });
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toBe("Field 'description' is larger than 256 KiB; send less.");
  });

  it("bounds the principals stored in endpoint, cluster and secret ACLs", async () => {
    const long = `${"u".repeat(600)}@example.com`;
    const ep = await call(emu, "GET", "/api/2.0/serving-endpoints/ok");
    const endpointAcl = await call(
      emu,
      "PATCH",
      `/api/2.0/permissions/serving-endpoints/${String(ep.json.id)}`,
      {
        access_control_list: [{ user_name: long, permission_level: "CAN_QUERY" }],
      },
    );
    expect(endpointAcl.status).toBe(400);
    expect(endpointAcl.json.message).toBe(
      "access_control_list[0].user_name must be a string of 1 to 512 characters.",
    );
    const clusterAcl = await call(emu, "PATCH", `/api/2.0/permissions/clusters/${emu.defaultClusterId}`, {
      access_control_list: [{ user_name: long, permission_level: "CAN_ATTACH_TO" }],
    });
    expect(clusterAcl.status).toBe(400);
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "acl-limits" });
    const secretAcl = await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "acl-limits",
      principal: long,
      permission: "READ",
    });
    expect(secretAcl.status).toBe(400);
    expect(secretAcl.json.message).toBe("Field 'principal' is longer than 512 characters.");
  });

  it("keeps accepting and persisting writes after refusing (the store is not poisoned)", async () => {
    const res = await call(emu, "POST", "/api/2.0/serving-endpoints", {
      ...customEndpointBody("after"),
      description: "fine",
    });
    expect(res.status, res.text).toBe(200);
    await emu.close();
    emu = await startEmulator({ dataDir: dir, transitionMs: 0, models, foundationModels: false });
    const back = await call(emu, "GET", "/api/2.0/serving-endpoints/after");
    expect(back.json.description).toBe("fine");
  });
});

describe("a write whose persistence fails", () => {
  it("answers 500 and changes nothing in memory; the next write after the fault lands and survives a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-rollback-"));
    let emu = await startEmulator({ dataDir: dir, transitionMs: 0, models, foundationModels: false });
    try {
      await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
      // Make the atomic rename fail: workspace.json becomes a non-empty directory.
      const file = join(dir, "workspace.json");
      rmSync(file);
      mkdirSync(file);
      writeFileSync(join(file, "block"), "");

      const created = await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("lost"));
      expect(created.status).toBe(500);
      expect(created.json.error_code).toBe("INTERNAL_ERROR");
      expect((await call(emu, "GET", "/api/2.0/serving-endpoints/lost")).status).toBe(404);
      const put = await call(emu, "POST", "/api/2.0/secrets/put", {
        scope: "s",
        key: "k",
        string_value: "v",
      });
      expect(put.status).toBe(500);
      const list = await call(emu, "GET", "/api/2.0/secrets/list?scope=s");
      expect(list.json).toEqual({});
      const deleted = await call(emu, "POST", "/api/2.0/secrets/scopes/delete", { scope: "s" });
      expect(deleted.status).toBe(500);
      expect((await call(emu, "GET", "/api/2.0/secrets/scopes/list")).json).toEqual({
        scopes: [{ name: "s", backend_type: "DATABRICKS" }],
      });
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

      rmSync(file, { recursive: true });
      expect((await call(emu, "POST", "/api/2.0/serving-endpoints", customEndpointBody("kept"))).status).toBe(
        200,
      );
      await emu.close();
      emu = await startEmulator({ dataDir: dir, transitionMs: 0, models, foundationModels: false });
      expect((await call(emu, "GET", "/api/2.0/serving-endpoints/kept")).status).toBe(200);
      expect((await call(emu, "GET", "/api/2.0/serving-endpoints/lost")).status).toBe(404);
      expect((await call(emu, "GET", "/api/2.0/secrets/scopes/list")).json).toEqual({
        scopes: [{ name: "s", backend_type: "DATABRICKS" }],
      });
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
