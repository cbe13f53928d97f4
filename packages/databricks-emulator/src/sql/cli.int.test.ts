/** The CLI's SQL side: `--table`, the DATABRICKS_WAREHOUSE_ID banner line, and durability across `kill -9`. */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { builtCli } from "../../test-support/cli-bin.js";
import { spawnEmulatorCli } from "../../test-support/cli-process.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

const dir = mkdtempSync(join(tmpdir(), "uc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  out: string;
  url: string;
  token: string;
  warehouseId: string;
}

const start = async (args: string[]): Promise<Running> => {
  const run = spawnEmulatorCli(["start", "--port", "0", ...args]);
  const found = (out: string) => ({
    url: /DATABRICKS_HOST=(\S+)/.exec(out)?.[1],
    token: /DATABRICKS_TOKEN=(\S+)/.exec(out)?.[1],
    warehouseId: /DATABRICKS_WAREHOUSE_ID=(\S+)/.exec(out)?.[1],
  });
  const ready = await run.until((out) => {
    const f = found(out);
    return Boolean(f.url && f.token && f.warehouseId && out.includes("OpenAI-compatible local base:"));
  });
  if (ready === "exited")
    throw new Error(`CLI exited early (${String(await run.exited)}): ${run.out()}${run.err()}`);
  const out = run.out();
  const { url, token, warehouseId } = found(out) as { url: string; token: string; warehouseId: string };
  return { child: run.child, out, url, token, warehouseId };
};

const sql = async (r: Running, statement: string) => {
  const res = await fetch(`${r.url}/api/2.0/sql/statements`, {
    method: "POST",
    headers: { Authorization: `Bearer ${r.token}`, "content-type": "application/json" },
    body: JSON.stringify({ statement, warehouse_id: r.warehouseId }),
  });
  return (await res.json()) as { status: { state: string }; result?: { data_array?: unknown[][] } };
};

it("loads --table files, prints the warehouse id, and keeps tables across kill -9 on --data-dir", async () => {
  const csv = join(dir, "cities.csv");
  writeFileSync(csv, "name,population\nParis,2100000\nLyon,520000\n");
  const dataDir = join(dir, "data");
  const first = await start(["--data-dir", dataDir, "--table", `main.geo.cities=${csv}`]);
  try {
    expect(first.out).toMatch(/ {2}DATABRICKS_WAREHOUSE_ID=[0-9a-f]{16}\n/);
    const r = await sql(first, "SELECT name FROM main.geo.cities ORDER BY population DESC");
    expect(r.result?.data_array).toEqual([["Paris"], ["Lyon"]]);
    expect(
      (await sql(first, "CREATE TABLE main.geo.visits AS SELECT 'Paris' AS city, 3 AS n")).status.state,
    ).toBe("SUCCEEDED");
  } finally {
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
  }
  const second = await start(["--data-dir", dataDir]);
  try {
    expect(second.warehouseId).toBe(first.warehouseId);
    const r = await sql(
      second,
      "SELECT c.name, v.n FROM main.geo.cities c JOIN main.geo.visits v ON v.city = c.name",
    );
    expect(r.result?.data_array).toEqual([["Paris", "3"]]);
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  }
});

it("rejects a malformed --table with a usage error", async () => {
  const run = spawnEmulatorCli(["start", "--table", "just-a-name"]);
  const code = await run.exited;
  const err = run.err();
  expect(code).toBe(2);
  expect(err).toContain("--table takes catalog.schema.name=FILE");
});
