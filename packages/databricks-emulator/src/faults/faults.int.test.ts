import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, sseData } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const FM = "/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations";
const hi = { messages: [{ role: "user", content: "hi" }], max_tokens: 30 };

describe("fault injection", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ faults: true });
  });
  afterAll(() => emu.close());

  it("injects a 429 for the first N matching requests, with and without Retry-After", async () => {
    emu.admin.setFaults([{ path: "/serving-endpoints/", status: 429, times: 1 }]);
    const first = await call(emu, "POST", FM, hi);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(first.json.error_code).toBe("REQUEST_LIMIT_EXCEEDED");
    expect((await call(emu, "POST", FM, hi)).status).toBe(200);
    emu.admin.setFaults([{ status: 503, retryAfter: null, times: 1 }]);
    const noHeader = await call(emu, "GET", "/api/2.0/serving-endpoints");
    expect(noHeader.status).toBe(503);
    expect(noHeader.headers.get("retry-after")).toBeNull();
    emu.admin.clearFaults();
  });

  it("makes rate-based faults reproducible with a seed", async () => {
    const run = async () => {
      emu.admin.setFaults([{ path: "/api/2.0/serving-endpoints", status: 503, rate: 0.5 }], 42);
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await call(emu, "GET", "/api/2.0/serving-endpoints")).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([200, 503]));
    emu.admin.clearFaults();
  });

  it("resets a stream after N events and can emit malformed SSE", async () => {
    emu.admin.setFaults([{ path: FM, resetAfterEvents: 2, times: 1 }]);
    await expect(call(emu, "POST", FM, { ...hi, stream: true })).rejects.toThrow();
    emu.admin.setFaults([{ path: FM, malformedSse: true, times: 1 }]);
    const bad = await call(emu, "POST", FM, { ...hi, stream: true });
    const data = sseData(bad.text);
    expect(() => JSON.parse(data[0]!)).toThrow();
    expect(data.at(-1)).toBe("[DONE]");
    emu.admin.clearFaults();
  });

  it("truncates JSON bodies on demand", async () => {
    emu.admin.setFaults([{ path: FM, malformedJson: true, times: 1 }]);
    const res = await call(emu, "POST", FM, hi);
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
    emu.admin.clearFaults();
  });

  it("never answers when asked, until the client gives up", async () => {
    emu.admin.setFaults([{ path: "/api/2.0/serving-endpoints", neverAnswer: true, times: 1 }]);
    const hung = fetch(`${emu.url}/api/2.0/serving-endpoints`, {
      headers: { authorization: `Bearer ${emu.token}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints")).status).toBe(200);
    emu.admin.clearFaults();
  });

  it("logs requests with body hashes so duplicate sends are visible", async () => {
    emu.admin.resetStats();
    await call(emu, "POST", FM, hi);
    await call(emu, "POST", FM, hi);
    await call(emu, "POST", FM, { ...hi, max_tokens: 5 });
    const s = emu.admin.stats();
    expect(s.byRoute["POST /serving-endpoints/:name/invocations"]).toBe(3);
    const hashes = s.log.map((e) => e.bodySha256);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);
    expect(s.log[0]).toMatchObject({ method: "POST", path: FM, status: 200, principal: emu.userName });
  });

  it("exposes the same controls over HTTP under /__emulator", async () => {
    const set = await call(emu, "PUT", "/__emulator/faults", { rules: [{ status: 504, times: 1 }] });
    expect(set.status).toBe(200);
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints")).status).toBe(504);
    const stats = await call(emu, "GET", "/__emulator/stats");
    expect(stats.json.byStatus).toMatchObject({ "504": 1 });
    const bad = await call(emu, "PUT", "/__emulator/faults", { rules: [{ status: 99 }] });
    expect(bad.status).toBe(400);
    await call(emu, "POST", "/__emulator/tokens/expire", {});
    expect((await call(emu, "GET", "/api/2.0/serving-endpoints")).status).toBe(403);
  });

  it("keeps the admin routes off unless enabled", async () => {
    const plain = await startEmulator({});
    try {
      const res = await call(plain, "GET", "/__emulator/stats");
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
