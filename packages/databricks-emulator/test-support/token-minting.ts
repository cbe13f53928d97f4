/**
 * The OAuth minting proof (trust boundary 8, issue 14) shared by `src/auth/token-minting.int.test.ts` (5,000 mints,
 * in `npm test`) and `src/auth/token-minting.soak.test.ts` (30,000 mints, `npm run test:soak`): minting does not
 * rewrite the workspace state (tokens go to an append-only journal), so after `mints` mints workspace.json has not
 * grown and the latency of an acknowledged write is within 2x of its own baseline measured in the same run; the
 * first token minted still authenticates, also after a restart.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { EmulatorHandle } from "../src/options.js";
import { startEmulator } from "../src/server.js";
import { call } from "./client.js";

export const MINTER = { clientId: "minter", clientSecret: "minter-secret" };
const BASIC = `Basic ${Buffer.from(`${MINTER.clientId}:${MINTER.clientSecret}`).toString("base64")}`;

/** One client-credentials mint for {@link MINTER}; returns the access token. */
export const mint = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/oidc/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: BASIC },
    body: "grant_type=client_credentials&scope=all-apis",
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Latency of an acknowledged write (each one saves the workspace state): the lowest median of `batches` batches of
 * 10, so that load from other processes (which only ever adds time) does not decide the comparison; what a
 * bigger state costs shows in every batch.
 */
const writeLatency = async (emu: EmulatorHandle, batches: number): Promise<number> => {
  const medians: number[] = [];
  let key = 0; // the same keys each time: the state holds ten secrets, measured before and after alike
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

/**
 * Starts an emulator on `dir`, mints `mints` tokens (32 in flight) between two write-latency measurements, asserts
 * the state file and the write latency did not grow and that the first token works before and after a restart.
 * Returns the restarted emulator (the caller closes it).
 */
export async function mintsLeaveStateAlone(dir: string, mints: number): Promise<EmulatorHandle> {
  let emu = await startEmulator({ dataDir: dir, servicePrincipals: [MINTER], foundationModels: false });
  try {
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s" });
    await writeLatency(emu, 1); // warm-up
    const before = await writeLatency(emu, 5);
    const sizeBefore = statSync(join(dir, "workspace.json")).size;

    const mintStart = performance.now();
    let minted = 0;
    let first = "";
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (minted < mints) {
          minted++;
          const t = await mint(emu.url);
          first ||= t;
        }
      }),
    );
    const mintSeconds = (performance.now() - mintStart) / 1000;
    const after = await writeLatency(emu, 5);
    const n = mints.toLocaleString("en-US");
    console.log(
      `[figures] median write ${before.toFixed(2)} ms before, ${after.toFixed(2)} ms after ${n} mints (${mintSeconds.toFixed(1)} s); workspace.json ${sizeBefore} -> ${statSync(join(dir, "workspace.json")).size} bytes`,
    );
    expect(statSync(join(dir, "workspace.json")).size).toBeLessThan(sizeBefore + 512);
    expect(
      after,
      `median write ${before.toFixed(2)} ms before, ${after.toFixed(2)} ms after ${n} mints`,
    ).toBeLessThanOrEqual(2 * before);
    expect((await call({ url: emu.url, token: first }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );

    // Live tokens survive a restart.
    await emu.close();
    emu = await startEmulator({ dataDir: dir, servicePrincipals: [MINTER], foundationModels: false });
    expect((await call({ url: emu.url, token: first }, "GET", "/api/2.0/preview/scim/v2/Me")).status).toBe(
      200,
    );
    return emu;
  } catch (e) {
    await emu.close();
    throw e;
  }
}
