import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chatStorm } from "../../test-support/storm.js";

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

it("soak: 10 x 1,000 chat calls under 30% 429 (some Retry-After: 1) + 10% 503 (10 seeds): all succeed, nothing re-sent after success, Retry-After honoured", async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const f = await chatStorm(emu, 1_000, seed);
    console.log("[figures] storm soak", JSON.stringify(f));
    expect(f.succeeded).toBe(1_000);
    expect(f.status200).toBe(1_000);
    expect(f.sent200).toBe(1_000);
    expect(f.resentAfterSuccess).toBe(0);
    // 1 s, less what Node's timer clock can lag real time (whole ms, cached per loop tick): seen 999.4-1,000.6 ms.
    // Ignoring the header would show as a few ms of backoff.
    expect(f.minWaitAfterRetryAfter1Ms).toBeGreaterThanOrEqual(995);
  }
}, 300_000);
