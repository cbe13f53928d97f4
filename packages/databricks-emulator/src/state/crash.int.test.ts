import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { builtCli } from "../../test-support/cli-bin.js";
import { crashLoop } from "../../test-support/crash.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

const dir = mkdtempSync(join(tmpdir(), "dbx-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("kill -9 of the CLI during a stream of writes, 3 times: every acknowledged endpoint and secret survives", async () => {
  const f = await crashLoop(dir, 3);
  console.log("[figures] crash", JSON.stringify(f));
  expect(f.acknowledgedEndpoints + f.acknowledgedSecrets).toBeGreaterThanOrEqual(3 * 20);
  expect(f.missing).toBe(0);
  expect(f.stateFileValidEveryRound).toBe(true);
}, 90_000);
