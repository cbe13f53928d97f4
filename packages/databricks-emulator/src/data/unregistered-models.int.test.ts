/**
 * A custom-model endpoint whose model was never registered with the emulator: the config update fails
 * (UPDATE_FAILED, NOT_READY, DEPLOYMENT_FAILED with a message and build logs naming how to register it), and
 * scoring-server input validation (e.g. two input formats in one body) is a 400 before any model is needed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  asRecord,
  callEmulator,
  customEndpoint,
  dig,
  expectError,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";
import { startEmulator } from "../index.js";

const model = { predict: (records: unknown[]) => records.map(() => 1) };
const HOW_TO = /startEmulator\(\{ models: \{ "cat\.sch\.missing": .*--models FILE/;
const EXACTLY_ONE =
  "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}.";

describe("an endpoint serving an unregistered custom model", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, transitionMs: 1_000 });

  it("create: the update ends UPDATE_FAILED / NOT_READY, the entity DEPLOYMENT_FAILED naming how to register", async () => {
    const res = await h.call(
      "POST",
      "/api/2.0/serving-endpoints",
      customEndpoint("unloaded", "cat.sch.missing"),
    );
    expect(res.status, res.text).toBe(200);
    const ep = await waitForEndpoint(h, "unloaded");
    expect(ep.state).toMatchObject({ ready: "NOT_READY", config_update: "UPDATE_FAILED" });
    expect(ep.config).toBeUndefined();
    const state = asRecord(dig(ep, "pending_config", "served_entities", 0, "state"));
    expect(state.deployment).toBe("DEPLOYMENT_FAILED");
    expect(String(state.deployment_state_message)).toMatch(
      /No custom model is registered with the emulator for entity_name 'cat\.sch\.missing'/,
    );
    expect(String(state.deployment_state_message)).toMatch(HOW_TO);
  });

  it("its build logs say the build failed and how to register the model", async () => {
    const served = String(
      dig(
        (await h.call("GET", "/api/2.0/serving-endpoints/unloaded")).json,
        "pending_config",
        "served_entities",
        0,
        "name",
      ),
    );
    const logs = await h.call(
      "GET",
      `/api/2.0/serving-endpoints/unloaded/served-models/${served}/build-logs`,
    );
    expect(logs.status, logs.text).toBe(200);
    expect(String(dig(logs.json, "logs"))).toMatch(/Build failed: No custom model is registered/);
    expect(String(dig(logs.json, "logs"))).toMatch(HOW_TO);
  });

  it("queries are refused as for any endpoint that is not ready (never a 500)", async () => {
    const inv = await h.call("POST", "/serving-endpoints/unloaded/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(inv.status).toBeGreaterThanOrEqual(400);
    expect(inv.status).toBeLessThan(500);
    expectError(inv, inv.status);
  });

  it("updating a READY endpoint to an unregistered model fails the update and keeps serving the old config", async () => {
    expect((await h.call("POST", "/api/2.0/serving-endpoints", customEndpoint("good"))).status).toBe(200);
    await waitForEndpoint(h, "good");
    const upd = await h.call("PUT", "/api/2.0/serving-endpoints/good/config", {
      served_entities: [
        {
          entity_name: "cat.sch.missing",
          entity_version: "2",
          workload_size: "Small",
          scale_to_zero_enabled: true,
        },
      ],
    });
    expect(upd.status, upd.text).toBe(200);
    const ep = await waitForEndpoint(h, "good");
    expect(ep.state).toMatchObject({ ready: "READY", config_update: "UPDATE_FAILED" });
    const inv = await h.call("POST", "/serving-endpoints/good/invocations", {
      dataframe_records: [{ a: 1 }],
    });
    expect(inv.status, inv.text).toBe(200);
    expect(inv.json).toEqual({ predictions: [1] });
  });

  it("two input formats in one body -> 400 BAD_REQUEST with the scoring server's text", async () => {
    const inv = await h.call("POST", "/serving-endpoints/good/invocations", {
      dataframe_records: [{ a: 1 }],
      instances: [1],
    });
    expectError(
      inv,
      400,
      "BAD_REQUEST",
      `${EXACTLY_ONE} Received dictionary with input fields: ['dataframe_records', 'instances']`,
    );
  });
});

describe("a READY endpoint whose model is gone after a restart without it", () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-unregistered-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("validates the input first (400), then says the model is not registered (never a bare 500 for bad input)", async () => {
    const first = await startEmulator({
      port: 0,
      dataDir: dir,
      transitionMs: 0,
      models: { "cat.sch.m": model },
    });
    try {
      const res = await callEmulator(first, "POST", "/api/2.0/serving-endpoints", customEndpoint("kept"));
      expect(res.status, res.text).toBe(200);
      const ready = await callEmulator(first, "GET", "/api/2.0/serving-endpoints/kept");
      expect(dig(ready.json, "state", "ready")).toBe("READY");
    } finally {
      await first.close();
    }
    const second = await startEmulator({ port: 0, dataDir: dir, transitionMs: 0 });
    try {
      const bad = await callEmulator(second, "POST", "/serving-endpoints/kept/invocations", {
        dataframe_split: { columns: ["a"], data: [[1]] },
        inputs: [1],
      });
      expectError(
        bad,
        400,
        "BAD_REQUEST",
        `${EXACTLY_ONE} Received dictionary with input fields: ['dataframe_split', 'inputs']`,
      );
      const notList = await callEmulator(second, "POST", "/serving-endpoints/kept/invocations", {
        instances: 5,
      });
      expectError(notList, 400, "BAD_REQUEST", "Failed to parse input from JSON: instances must be a list.");
      const ok = await callEmulator(second, "POST", "/serving-endpoints/kept/invocations", {
        dataframe_records: [{ a: 1 }],
      });
      expect(String(asRecord(ok.json).message)).toMatch(
        /Register it with startEmulator\(\{ models \}\) or --models FILE/,
      );
    } finally {
      await second.close();
    }
  });
});
