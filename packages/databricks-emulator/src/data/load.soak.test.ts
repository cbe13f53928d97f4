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

it("soak: 64 connections for 60 s -> zero errors, zero non-2xx, p99 < 1 s, >= 0.2x a bare node:http baseline, heap stable", async () => {
  const baseline = await baselineRun(5);
  const f = await loadRun(emu, 60);
  console.log("[figures] load soak baseline", JSON.stringify(baseline));
  console.log(
    "[figures] load soak",
    JSON.stringify(f),
    `share of baseline ${(f.rps / baseline.rps).toFixed(2)}`,
  );
  expect(f.errors).toBe(0);
  expect(f.non2xx).toBe(0);
  expect(f.p99ms).toBeLessThan(1_000);
  expect(f.rps / baseline.rps).toBeGreaterThanOrEqual(0.2);
  expect(f.heapAfterSecondHalfMb - f.heapAfterFirstHalfMb).toBeLessThan(25);
}, 120_000);
