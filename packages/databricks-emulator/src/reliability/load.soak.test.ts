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

it("soak: 64 connections for 60 s -> zero errors, zero non-2xx, heap stable", async () => {
  const f = await loadRun(emu, 60);
  console.log("[figures] load soak", JSON.stringify(f));
  expect(f.errors).toBe(0);
  expect(f.non2xx).toBe(0);
  expect(f.heapAfterSecondHalfMb - f.heapAfterFirstHalfMb).toBeLessThan(25);
}, 120_000);
