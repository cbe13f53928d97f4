/**
 * `spec/conformance-cases.md`, failure paths clients must survive: UPDATE_FAILED (case 34), injected 429 (case 81) and
 * 503 (case 82), plus the admin API's stream faults. Retry behaviour of the official JS SDK is checked in
 * src/databricks-sdk.int.test.ts; here the wire shapes the retrying clients depend on are asserted.
 */
import { describe, expect, it } from "vitest";
import {
  asRecord,
  callEmulator,
  createReady,
  customEndpoint,
  dig,
  expectError,
  parseStrictSse,
  useEmulator,
  waitForEndpoint,
} from "../../test-support/conformance.js";
import { sdkClient } from "../../test-support/sdk-client.js";

const model = { predict: (records: unknown) => (Array.isArray(records) ? records.map(() => 7) : [7]) };
const LLAMA = "databricks-meta-llama-3-3-70b-instruct";
const v = (version: string) => ({
  served_entities: [
    {
      entity_name: "cat.sch.m",
      entity_version: version,
      workload_size: "Small",
      scale_to_zero_enabled: true,
    },
  ],
});

describe("config update failure", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, transitionMs: 60_000 });

  it("case 34: an injected failure ends the update in UPDATE_FAILED; the old config keeps serving", async () => {
    await createReady(h, customEndpoint("ep1"));
    h.emu.admin.failNextUpdate("ep1");
    const put = await h.call("PUT", "/api/2.0/serving-endpoints/ep1/config", v("2"));
    expect(put.status, put.text).toBe(200);
    const final = await waitForEndpoint(h, "ep1");
    expect(final.state).toMatchObject({ config_update: "UPDATE_FAILED", ready: "READY" });
    expect(dig(final, "config", "config_version")).toBe(1);
    expect(dig(final, "pending_config", "served_entities", 0, "state", "deployment")).toBe(
      "DEPLOYMENT_FAILED",
    );
    const inv = await h.call("POST", "/serving-endpoints/ep1/invocations", { dataframe_records: [{ a: 1 }] });
    expect(inv.status, inv.text).toBe(200);
    expect(inv.headers.get("served-model-name")).toBe("m-1");
  });

  it("case 34b: a new config update after a failure is accepted and succeeds", async () => {
    const put = await h.call("PUT", "/api/2.0/serving-endpoints/ep1/config", v("3"));
    expect(put.status, put.text).toBe(200);
    const final = await waitForEndpoint(h, "ep1");
    expect(final.state).toMatchObject({ config_update: "NOT_UPDATING", ready: "READY" });
    expect(dig(final, "config", "served_entities", 0, "name")).toBe("m-3");
  });
});

describe("injected 429 and 503", () => {
  const h = useEmulator({ models: { "cat.sch.m": model }, faults: true });

  it("case 81: a 429 injected once -> REQUEST_LIMIT_EXCEEDED with integer Retry-After, then success", async () => {
    await createReady(h, customEndpoint("ep1"));
    h.emu.admin.setFaults([
      { path: "/serving-endpoints/ep1/invocations", status: 429, times: 1, retryAfter: 1 },
    ]);
    const body = { dataframe_records: [{ a: 1 }] };
    const first = await h.call("POST", "/serving-endpoints/ep1/invocations", body);
    expectError(first, 429, "REQUEST_LIMIT_EXCEEDED");
    expect(first.headers.get("retry-after")).toBe("1");
    const second = await h.call("POST", "/serving-endpoints/ep1/invocations", body);
    expect(second.status, second.text).toBe(200);
    h.emu.admin.clearFaults();
  });

  it("case 81b: the official JS SDK's query() retries an injected 429 and succeeds (retry seen in the log)", async () => {
    h.emu.admin.resetStats();
    h.emu.admin.setFaults([
      { path: "/serving-endpoints/ep1/invocations", status: 429, times: 1, retryAfter: 1 },
    ]);
    const w = await sdkClient(h.emu.url, { token: h.emu.token });
    const res = await w.servingEndpoints.query({ name: "ep1", dataframe_records: [{ a: 1 }] });
    expect(res.predictions).toEqual([7]);
    const statuses = h.emu.admin
      .stats()
      .log.filter((e) => e.path === "/serving-endpoints/ep1/invocations")
      .map((e) => e.status);
    expect(statuses).toEqual([429, 200]);
    h.emu.admin.clearFaults();
  });

  it("case 82: a persistent 503 -> TEMPORARILY_UNAVAILABLE with Retry-After on every attempt", async () => {
    h.emu.admin.resetStats();
    h.emu.admin.setFaults([{ path: "/serving-endpoints/ep1/invocations", status: 503 }]);
    // What the Go SDK does with a 503: retry. Three bounded attempts, each must be a retryable envelope.
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await h.call("POST", "/serving-endpoints/ep1/invocations", {
        dataframe_records: [{ a: 1 }],
      });
      expectError(res, 503, "TEMPORARILY_UNAVAILABLE");
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    expect(h.emu.admin.stats().byStatus["503"]).toBeGreaterThanOrEqual(3);
    h.emu.admin.clearFaults();
    const ok = await h.call("POST", "/serving-endpoints/ep1/invocations", { dataframe_records: [{ a: 1 }] });
    expect(ok.status).toBe(200);
  });

  it("case 82b: the HTTP admin API (faults: true) injects a 503 and clears it", async () => {
    const base = { url: h.emu.url, token: h.emu.token };
    const put = await callEmulator(base, "PUT", "/__emulator/faults", {
      rules: [{ path: "/api/2.0/serving-endpoints", method: "GET", status: 503, times: 1 }],
    });
    expect(put.status, put.text).toBe(200);
    expectError(await h.call("GET", "/api/2.0/serving-endpoints"), 503, "TEMPORARILY_UNAVAILABLE");
    expect((await h.call("GET", "/api/2.0/serving-endpoints")).status).toBe(200);
    const del = await callEmulator(base, "DELETE", "/__emulator/faults");
    expect(del.status).toBe(200);
  });

  it("a stream reset mid-way truncates the SSE without [DONE]; the next stream is whole", async () => {
    h.emu.admin.setFaults([
      { path: `/serving-endpoints/${LLAMA}/invocations`, resetAfterEvents: 2, times: 1 },
    ]);
    const truncated = await fetch(`${h.emu.url}/serving-endpoints/${LLAMA}/invocations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${h.emu.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Tell me a long story" }], stream: true }),
      signal: AbortSignal.timeout(20_000),
    })
      .then((r) => r.text())
      .then(
        (text) => text,
        () => "",
      );
    expect(truncated).not.toContain("[DONE]");
    const whole = await h.call("POST", `/serving-endpoints/${LLAMA}/invocations`, {
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(parseStrictSse(whole.text).done).toBe(true);
  });
});

describe("admin API is off by default", () => {
  const h = useEmulator();

  it("without faults: true the /__emulator routes do not exist (404 envelope)", async () => {
    const res = await h.call("PUT", "/__emulator/faults", { rules: [{ status: 503 }] });
    expect(res.status).toBe(404);
    asRecord(res.json);
    expect((await h.call("GET", "/api/2.0/serving-endpoints")).status).toBe(200);
  });
});
