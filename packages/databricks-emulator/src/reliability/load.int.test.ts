import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";
import { loadRun } from "./load.js";

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

it("bounded load: 64 connections for 5 s -> zero errors, zero non-2xx, heap stable", async () => {
  const f = await loadRun(emu, 5);
  console.log("[figures] load", JSON.stringify(f));
  expect(f.requests).toBeGreaterThan(500);
  expect(f.errors).toBe(0);
  expect(f.non2xx).toBe(0);
  // A leak grows with requests served; allow GC noise and the bounded request log (5,000 entries).
  expect(f.heapAfterSecondHalfMb - f.heapAfterFirstHalfMb).toBeLessThan(25);
}, 30_000);
