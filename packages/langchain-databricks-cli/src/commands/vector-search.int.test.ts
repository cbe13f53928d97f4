/** The `vector-search` CLI group against a started emulator, in-process with captured output. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

let emu: Awaited<ReturnType<typeof startEmulator>>;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ transitionMs: 0 });
  dir = mkdtempSync(join(tmpdir(), "ldb-vs-cli-"));
});
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const io = fakeIO({ cwd: dir });
  const code = await runCli(["--host", emu.url, "--token", emu.token, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

it("create-index (creating the endpoint), upsert from JSONL with progress, query, list, delete", async () => {
  const created = await run([
    "vector-search",
    "create-index",
    "main.cli.docs",
    "--endpoint",
    "cli-ep",
    "--create-endpoint",
    "--primary-key",
    "id",
    "--schema",
    '{"id":"string","text":"string","v":"array<float>"}',
    "--vector-column",
    "v",
    "--dimension",
    "2",
    "--wait",
  ]);
  expect(created.code, created.err).toBe(0);
  expect(created.out).toBe("Created endpoint cli-ep.\nCreated index main.cli.docs on endpoint cli-ep.\n");
  expect(created.err).toContain("index main.cli.docs: ONLINE_DIRECT_ACCESS");
  const lines = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ id: `r${i}`, text: `row ${i}`, v: [i, 1] }),
  );
  writeFileSync(join(dir, "rows.jsonl"), `${lines.join("\n")}\n`);
  const up = await run(["vs", "upsert", "main.cli.docs", "rows.jsonl", "--batch-size", "2"]);
  expect(up.code, up.err).toBe(0);
  expect(up.err).toBe("upserted 2/5\nupserted 4/5\nupserted 5/5\n");
  expect(up.out).toBe("SUCCESS: 5 rows upserted into main.cli.docs.\n");
  const q = await run([
    "vs",
    "query",
    "main.cli.docs",
    "--columns",
    "id,text",
    "--vector",
    "[4,1]",
    "-k",
    "2",
  ]);
  expect(q.code, q.err).toBe(0);
  expect(q.out.split("\n")[0]).toBe("id\ttext\tscore");
  expect(q.out.split("\n")[1]).toBe("r4\trow 4\t1");
  const filtered = await run([
    "vs",
    "query",
    "main.cli.docs",
    "--columns",
    "id",
    "--vector",
    "[0,1]",
    "--filters",
    '{"id": ["r2", "r3"]}',
    "--json",
  ]);
  expect((JSON.parse(filtered.out) as { rows: unknown[][] }).rows.map((r) => r[0])).toEqual(["r2", "r3"]);
  expect((await run(["vs", "list"])).out).toBe("main.cli.docs\tDIRECT_ACCESS\tcli-ep\n");
  expect((await run(["vs", "delete-index", "main.cli.docs"])).out).toBe("Deleted index main.cli.docs.\n");
});

it("bad input: missing --dimension, bad JSONL, service errors with the field named", async () => {
  const noDim = await run([
    "vs",
    "create-index",
    "a.b.c",
    "--endpoint",
    "e",
    "--primary-key",
    "id",
    "--vector-column",
    "v",
  ]);
  expect(noDim.code).toBe(1);
  expect(noDim.err).toContain("--vector-column needs --dimension");
  writeFileSync(join(dir, "bad.jsonl"), '{"id":"a"}\nnot json\n');
  const bad = await run(["vs", "upsert", "a.b.c", "bad.jsonl"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('line 2 of "bad.jsonl" is not valid JSON');
  const missing = await run(["vs", "query", "main.none.idx", "--columns", "id", "--text", "x"]);
  expect(missing.code).toBe(3);
  expect(missing.err).toContain("Index main.none.idx does not exist");
});
