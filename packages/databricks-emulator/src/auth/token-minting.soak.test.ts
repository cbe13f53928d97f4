/**
 * The long form of `token-minting.int.test.ts` (`npm run test:soak`): 30,000 OAuth mints leave workspace.json's size
 * where it was and write latency within 2x of its own baseline; the first token survives a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, it } from "vitest";
import { mintsLeaveStateAlone } from "../../test-support/token-minting.js";

const dir = mkdtempSync(join(tmpdir(), "emu-mint-soak-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("soak: 30k mints leave the state file and write latency where they were", {
  timeout: 300_000,
}, async () => {
  const emu = await mintsLeaveStateAlone(dir, 30_000);
  await emu.close();
});
