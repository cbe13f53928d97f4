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

const dir = mkdtempSync(join(tmpdir(), "dbx-crash-soak-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("soak: kill -9 during writes, 20 times in a row: nothing acknowledged is lost, state file always valid", async () => {
  const f = await crashLoop(dir, 20);
  console.log("[figures] crash soak", JSON.stringify(f));
  expect(f.missing).toBe(0);
  expect(f.stateFileValidEveryRound).toBe(true);
}, 600_000);
