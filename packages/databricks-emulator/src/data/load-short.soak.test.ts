// A wall-clock load test: in the soak run only (`npm run test:soak`), never in `npm test`, where a busy machine
// would turn it red for nothing (it failed 2 of 2 runs under CPU contention at 0.19x of the 0.2x floor).
import { afterAll, beforeAll, expect, it } from "vitest";
import { baselineRun, loadRun } from "../../test-support/load.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

/**
 * Generous on purpose: on a quiet 2-core box p99 is tens of ms, on one shared with other test runs (load average
 * 4-6) it was 85-210 ms; an event-loop stall or a lock held across requests (seconds) still shows.
 */
const P99_LIMIT_MS = 1_000;
/**
 * The emulator does real work per request (tokenizer, engines, auth, JSON envelopes) but must keep this share of
 * what a bare node:http server manages on the same machine at the same moment (measured: 0.38-0.57 on a busy 2-core box).
 */
const MIN_SHARE_OF_BASELINE = 0.2;

it("bounded load: 64 connections for 5 s -> zero errors, p99 and throughput within bounds of a bare node:http baseline, heap stable", async () => {
  const baseline = await baselineRun(2);
  const f = await loadRun(emu, 5);
  const share = f.rps / baseline.rps;
  console.log("[figures] load baseline", JSON.stringify(baseline));
  console.log("[figures] load", JSON.stringify(f), `share of baseline ${share.toFixed(2)}`);
  expect(f.requests).toBeGreaterThan(500);
  expect(f.errors).toBe(0);
  expect(f.non2xx).toBe(0);
  expect(f.p99ms).toBeLessThan(P99_LIMIT_MS);
  expect(share).toBeGreaterThanOrEqual(MIN_SHARE_OF_BASELINE);
  // A leak grows with requests served; allow GC noise and the bounded request log (5,000 entries).
  expect(f.heapAfterSecondHalfMb - f.heapAfterFirstHalfMb).toBeLessThan(25);
}, 30_000);
