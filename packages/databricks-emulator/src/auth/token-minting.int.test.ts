/**
 * Trust boundary 8 (issue 14): minting OAuth tokens does not rewrite the workspace state (tokens go to an
 * append-only journal), so 5,000 mints leave workspace.json's size where it was and write latency within 2x of its
 * own baseline (`npm run test:soak` does the same with 30,000: `token-minting.soak.test.ts`); expired tokens are
 * pruned and the journal compacted; live tokens still survive a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import { mint, mintsLeaveStateAlone } from "../../test-support/token-minting.js";
import type { EmulatorHandle } from "../options.js";

describe("OAuth token minting and the workspace state", () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-mint-"));
  let emu: EmulatorHandle | undefined;
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("5,000 mints leave the state file and write latency where they were", { timeout: 180_000 }, async () => {
    emu = await mintsLeaveStateAlone(dir, 5_000);
  });

  it("prunes expired tokens: once they expire, the next mint compacts the journal to the live ones", async () => {
    const live = emu as EmulatorHandle;
    const old = await mint(live.url);
    live.admin.advanceClock(3601 * 1000);
    const fresh = await mint(live.url);
    const lines = readFileSync(join(dir, "oauth-tokens.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { token: string }).token)).toEqual([fresh]);
    expect((await call({ url: live.url, token: old }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      403,
    );
    expect((await call({ url: live.url, token: fresh }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );
  });
});
