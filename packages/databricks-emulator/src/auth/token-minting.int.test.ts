/**
 * Trust boundary 8 (issue 14): minting OAuth tokens does not rewrite the workspace state (tokens go to an
 * append-only journal), so 30k mints leave write latency within 2x of its own baseline; expired tokens are pruned
 * and the journal compacted; live tokens still survive a restart.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const SP = { clientId: "minter", clientSecret: "minter-secret" };
const BASIC = `Basic ${Buffer.from(`${SP.clientId}:${SP.clientSecret}`).toString("base64")}`;

const mint = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/oidc/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: BASIC },
    body: "grant_type=client_credentials&scope=all-apis",
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("OAuth token minting and the workspace state", () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-mint-"));
  let emu: EmulatorHandle;
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Latency of an acknowledged write (each one saves the workspace state): the lowest median of `batches` batches of
   * 10, so that load from other processes (which only ever adds time) does not decide the comparison; what a
   * bigger state costs shows in every batch.
   */
  const writeLatency = async (batches: number): Promise<number> => {
    const medians: number[] = [];
    let key = 0;
    for (let b = 0; b < batches; b++) {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        const res = await call(emu, "POST", "/api/2.0/secrets/put", {
          scope: "s",
          key: `k${key++}`,
          string_value: "v",
        });
        times.push(performance.now() - t);
        expect(res.status).toBe(200);
      }
      medians.push(median(times));
    }
    return Math.min(...medians);
  };

  it("30k mints leave the state file and write latency where they were", { timeout: 180_000 }, async () => {
    emu = await startEmulator({ dataDir: dir, servicePrincipals: [SP], foundationModels: false });
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
    await writeLatency(1); // warm-up
    const before = await writeLatency(5);
    const sizeBefore = statSync(join(dir, "workspace.json")).size;

    const mintStart = performance.now();
    let minted = 0;
    let first = "";
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (minted < 30_000) {
          minted++;
          const t = await mint(emu.url);
          first ||= t;
        }
      }),
    );
    const mintSeconds = (performance.now() - mintStart) / 1000;
    const after = await writeLatency(5);
    console.log(
      `[figures] median write ${before.toFixed(2)} ms before, ${after.toFixed(2)} ms after 30,000 mints (${mintSeconds.toFixed(1)} s); workspace.json ${sizeBefore} -> ${statSync(join(dir, "workspace.json")).size} bytes`,
    );
    expect(statSync(join(dir, "workspace.json")).size).toBeLessThan(sizeBefore + 512);
    expect(
      after,
      `median write ${before.toFixed(2)} ms before, ${after.toFixed(2)} ms after 30k mints`,
    ).toBeLessThanOrEqual(2 * before);
    expect((await call({ url: emu.url, token: first }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );

    // Live tokens survive a restart.
    await emu.close();
    emu = await startEmulator({ dataDir: dir, servicePrincipals: [SP], foundationModels: false });
    expect((await call({ url: emu.url, token: first }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );
  });

  it("prunes expired tokens: once they expire, the next mint compacts the journal to the live ones", async () => {
    const old = await mint(emu.url);
    emu.admin.advanceClock(3601 * 1000);
    const fresh = await mint(emu.url);
    const lines = readFileSync(join(dir, "oauth-tokens.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { token: string }).token)).toEqual([fresh]);
    expect((await call({ url: emu.url, token: old }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(403);
    expect((await call({ url: emu.url, token: fresh }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );
  });
});
