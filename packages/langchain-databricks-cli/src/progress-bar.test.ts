import { describe, expect, it } from "vitest";
import { fakeIO } from "../test-support/fake-io.js";
import { progressBar } from "./progress-bar.js";

const FORMAT = "embedding [{bar}] {value}/{total} {state}";

describe("progressBar", () => {
  it("draws on a terminal stderr with the format's tokens, and restores the cursor on stop", async () => {
    const io = fakeIO({ stderrIsTTY: true });
    const bar = await progressBar(io, { format: FORMAT, total: 4, payload: { state: "PENDING" } });
    expect(bar).toBeDefined();
    bar?.update(3, { state: "RUNNING" });
    bar?.stop();
    expect(io.err()).toContain("embedding [");
    expect(io.err()).toContain("3/4 RUNNING");
    // cli-progress hides the cursor while running and shows it again on stop.
    expect(io.err()).toContain("\u001b[?25l");
    expect(io.err()).toContain("\u001b[?25h");
    expect(io.out()).toBe("");
  });

  it("shows nothing when stderr is not a terminal, or when disabled", async () => {
    const plain = fakeIO();
    expect(await progressBar(plain, { format: FORMAT, total: 4 })).toBeUndefined();
    const disabled = fakeIO({ stderrIsTTY: true });
    expect(await progressBar(disabled, { format: FORMAT, total: 4, enabled: false })).toBeUndefined();
    expect(plain.err()).toBe("");
    expect(disabled.err()).toBe("");
  });
});
