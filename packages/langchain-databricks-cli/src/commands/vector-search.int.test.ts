/** The `vector-search` CLI group against a started emulator, in-process with captured output. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { useCliSession } from "../../test-support/cli-session.js";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

const session = useCliSession({ transitionMs: 0 }, "ldb-vs-cli-");
const { run, expectUsageError } = session;

/** create-index flags of a direct-access index with self-managed 2-dimensional vectors. */
const SELF_MANAGED_2D = [
  "--primary-key",
  "id",
  "--schema",
  '{"id":"string","text":"string","v":"array<float>"}',
  "--vector-column",
  "v",
  "--dimension",
  "2",
];

/** Runs a SQL statement on the emulator's warehouse (the source tables of DELTA_SYNC indexes). */
async function sql(statement: string): Promise<void> {
  const res = await fetch(`${session.emulator.url}/api/2.0/sql/statements`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ statement, warehouse_id: session.emulator.warehouseId }),
  });
  const body = (await res.json()) as { status?: { state?: string } };
  expect(body.status?.state, JSON.stringify(body)).toBe("SUCCEEDED");
}

it("create-index (creating the endpoint), upsert from JSONL with progress, query, list, delete", async () => {
  const created = await run([
    "vector-search",
    "create-index",
    "main.cli.docs",
    "--endpoint",
    "cli-ep",
    "--create-endpoint",
    ...SELF_MANAGED_2D,
    "--wait",
  ]);
  expect(created.code, created.err).toBe(0);
  expect(created.out).toBe("Created endpoint cli-ep.\nCreated index main.cli.docs on endpoint cli-ep.\n");
  expect(created.err).toContain("index main.cli.docs: ONLINE_DIRECT_ACCESS");
  const lines = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ id: `r${i}`, text: `row ${i}`, v: [i, 1] }),
  );
  writeFileSync(join(session.dir, "rows.jsonl"), `${lines.join("\n")}\n`);
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
  writeFileSync(join(session.dir, "bad.jsonl"), '{"id":"a"}\nnot json\n');
  const bad = await run(["vs", "upsert", "a.b.c", "bad.jsonl"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('line 2 of "bad.jsonl" is not valid JSON');
  const missing = await run(["vs", "query", "main.none.idx", "--columns", "id", "--text", "x"]);
  expect(missing.code).toBe(3);
  expect(missing.err).toContain("Index main.none.idx does not exist");
});

it("create-index refuses inconsistent flags before creating anything", async () => {
  const base = ["vs", "create-index", "main.cli.bad", "--endpoint", "cli-bad-ep", "--primary-key", "id"];
  await expectUsageError(
    [...base, "--source-column", "text"],
    "create-index: --source-column needs --embedding-endpoint.",
  );
  await expectUsageError(
    base,
    "create-index: a DIRECT_ACCESS index needs --schema (or give --source-table).",
  );
  await expectUsageError([...base, "--schema", "{id: string}"], '--schema must be JSON, got "{id: string}".');
  await expectUsageError(
    [...base, "--schema", '["id","string"]'],
    "create-index: --schema must be a JSON object of column -> type.",
  );
  await expectUsageError(
    [...base, "--source-table", "main.default.t", "--pipeline", "HOURLY"],
    "create-index: --pipeline must be TRIGGERED or CONTINUOUS.",
  );
  // None of them reached the service: no endpoint and no index exist.
  expect((await run(["vs", "list", "--json"])).out).not.toContain("main.cli.bad");
  const get = await run(["vs", "get", "main.cli.bad"]);
  expect(get.code).toBe(3);
});

it("query and upsert refuse bad input with the flag or line named", async () => {
  const q = ["vs", "query", "main.cli.none", "--columns", "id"];
  await expectUsageError(q, "query: give --text or --vector.");
  await expectUsageError([...q, "--vector", "[1,"], '--vector must be JSON, got "[1,".');
  await expectUsageError([...q, "--vector", '["a"]'], "query: --vector must be a JSON list of numbers.");
  await expectUsageError([...q, "--vector", '{"x":1}'], "query: --vector must be a JSON list of numbers.");
  await expectUsageError(
    [...q, "--text", "x", "--type", "fuzzy"],
    "query: --type must be ANN, HYBRID or FULL_TEXT.",
  );
  await expectUsageError([...q, "--text", "x", "--filters", "{id:"], '--filters must be JSON, got "{id:".');

  await expectUsageError(
    ["vs", "upsert", "main.cli.none", "nope.jsonl"],
    'upsert: cannot read "nope.jsonl" (ENOENT).',
  );
  writeFileSync(join(session.dir, "array.jsonl"), '{"id":"a"}\n\n[1,2]\n');
  await expectUsageError(
    ["vs", "upsert", "main.cli.none", "array.jsonl"],
    'upsert: line 3 of "array.jsonl" must be a JSON object.',
  );
  writeFileSync(join(session.dir, "blank.jsonl"), "\n  \n");
  await expectUsageError(
    ["vs", "upsert", "main.cli.none", "blank.jsonl"],
    'upsert: "blank.jsonl" has no rows.',
  );
  await expectUsageError(["vs", "upsert", "main.cli.none", "-"], 'upsert: "-" has no rows.', { stdin: "" });
});

it("direct access: an existing endpoint is reused, --json output, stdin upsert with a bar on a TTY, query forms", async () => {
  const make = (name: string) => [
    "vs",
    "create-index",
    name,
    "--endpoint",
    "cli-ep2",
    "--create-endpoint",
    ...SELF_MANAGED_2D,
  ];
  const first = await run(make("main.cli.one"));
  expect(first.code, first.err).toBe(0);
  expect(first.out).toBe("Created endpoint cli-ep2.\nCreated index main.cli.one on endpoint cli-ep2.\n");
  const second = await run([...make("main.cli.two"), "--json"]);
  expect(second.code, second.err).toBe(0);
  // The endpoint existed: no second "Created endpoint" line, and stdout is the index as one JSON document.
  const created = JSON.parse(second.out) as { name: string; index_type: string; endpoint_name: string };
  expect(created).toMatchObject({
    name: "main.cli.two",
    index_type: "DIRECT_ACCESS",
    endpoint_name: "cli-ep2",
  });

  const rows = ["a", "b", "c"]
    .map((id, i) => JSON.stringify({ id, text: `text ${id}`, v: [i, 1] }))
    .join("\n");
  const up = await run(["vs", "upsert", "main.cli.two", "-"], { stdin: rows, stderrIsTTY: true });
  expect(up.code, up.err).toBe(0);
  expect(up.out).toBe("SUCCESS: 3 rows upserted into main.cli.two.\n");
  // On a terminal: a bar instead of the line-per-batch log.
  expect(up.err).toContain("upserting [");
  expect(up.err).toContain("3/3");
  expect(up.err).not.toContain("upserted 3/3");

  // A row without its primary key is reported, the others written.
  const partial = await run(["vs", "upsert", "main.cli.two", "-"], {
    stdin: `${JSON.stringify({ text: "no id", v: [0, 0] })}\n${JSON.stringify({ id: "d", text: "text d", v: [3, 1] })}\n`,
  });
  expect(partial.code, partial.err).toBe(0);
  expect(partial.out).toBe("PARTIAL_SUCCESS: 1 rows upserted into main.cli.two, 1 failed.\n");

  const waited = await run(["vs", "wait", "main.cli.two"]);
  expect(waited.code, waited.err).toBe(0);
  expect(waited.out).toBe("Index main.cli.two is ONLINE_DIRECT_ACCESS with 4 rows.\n");
  const got = await run(["vs", "get", "main.cli.two"]);
  expect((JSON.parse(got.out) as { status: { indexed_row_count: number } }).status.indexed_row_count).toBe(4);

  const q = await run([
    "vs",
    "query",
    "main.cli.two",
    "--columns",
    " id , v ",
    "--vector",
    "[2,1]",
    "-k",
    "1",
    "--type",
    "ann",
  ]);
  expect(q.code, q.err).toBe(0);
  // Non-string cells are printed as JSON.
  expect(q.out).toBe("id\tv\tscore\nc\t[2,1]\t1\n");

  const listed = await run(["vs", "list", "--endpoint", "cli-ep2", "--json"]);
  expect((JSON.parse(listed.out) as { name: string }[]).map((i) => i.name).sort()).toEqual([
    "main.cli.one",
    "main.cli.two",
  ]);
  for (const name of ["main.cli.one", "main.cli.two"]) {
    expect((await run(["vs", "delete-index", name])).out).toBe(`Deleted index ${name}.\n`);
  }
  expect((await run(["vs", "list", "--endpoint", "cli-ep2"])).out).toBe("(no indexes)\n");
});

it("delta sync: --source-table with managed embeddings, sync --wait picks up new rows, query by text", async () => {
  await sql("CREATE TABLE main.default.cli_docs (id BIGINT, body STRING)");
  await sql(
    "INSERT INTO main.default.cli_docs VALUES (1, 'vector search finds similar documents'), (2, 'bread recipes with flour')",
  );
  const created = await run([
    "vs",
    "create-index",
    "main.default.cli_docs_idx",
    "--endpoint",
    "cli-ep3",
    "--create-endpoint",
    "--primary-key",
    "id",
    "--source-table",
    "main.default.cli_docs",
    "--pipeline",
    "TRIGGERED",
    "--source-column",
    "body",
    "--embedding-endpoint",
    "databricks-gte-large-en",
    "--wait",
    "--json",
  ]);
  expect(created.code, created.err).toBe(0);
  const index = JSON.parse(created.out) as {
    index_type: string;
    delta_sync_index_spec: { source_table: string; pipeline_type: string };
    status: { indexed_row_count: number };
  };
  expect(index.index_type).toBe("DELTA_SYNC");
  expect(index.delta_sync_index_spec).toMatchObject({
    source_table: "main.default.cli_docs",
    pipeline_type: "TRIGGERED",
  });
  expect(index.status.indexed_row_count).toBe(2);
  // --json keeps stdout to the index document: the endpoint note goes to stderr.
  expect(created.err).toContain("Created endpoint cli-ep3.\n");
  expect(created.err).toContain("endpoint cli-ep3: ONLINE");

  await sql("INSERT INTO main.default.cli_docs VALUES (3, 'search engines rank similar documents')");
  const synced = await run(["vs", "sync", "main.default.cli_docs_idx", "--wait"]);
  expect(synced.code, synced.err).toBe(0);
  expect(synced.out).toBe("Synced index main.default.cli_docs_idx.\n");
  expect(synced.err).toContain("index main.default.cli_docs_idx: ONLINE");
  const waited = await run(["vs", "wait", "main.default.cli_docs_idx"]);
  expect(waited.out).toMatch(/^Index main\.default\.cli_docs_idx is ONLINE\w* with 3 rows\.\n$/);
  // Without --wait: the sync is started, nothing is waited for or printed on stderr.
  await sql("INSERT INTO main.default.cli_docs VALUES (4, 'cats sleep all afternoon')");
  const started = await run(["vs", "sync", "main.default.cli_docs_idx"]);
  expect(started).toEqual({ code: 0, out: "Synced index main.default.cli_docs_idx.\n", err: "" });
  expect((await run(["vs", "wait", "main.default.cli_docs_idx"])).out).toMatch(/ with 4 rows\.\n$/);

  const q = await run([
    "vs",
    "query",
    "main.default.cli_docs_idx",
    "--columns",
    "id,body",
    "--text",
    "bread flour",
    "-k",
    "1",
    "--type",
    "HYBRID",
    "--json",
  ]);
  expect(q.code, q.err).toBe(0);
  const res = JSON.parse(q.out) as { columns: string[]; rows: unknown[][] };
  expect(res.columns.slice(0, 2)).toEqual(["id", "body"]);
  expect(res.rows.map((r) => r[0])).toEqual([2]);
});

it("--create-endpoint with a bad token is an authentication failure, not an attempt to create", async () => {
  const io = fakeIO({ cwd: session.dir });
  const code = await runCli(
    [
      "--host",
      session.emulator.url,
      "--token",
      "dapi-wrong",
      "vs",
      "create-index",
      "main.cli.x",
      "--endpoint",
      "cli-ep4",
      "--create-endpoint",
      "--primary-key",
      "id",
      "--schema",
      '{"id":"string"}',
    ],
    io,
  );
  expect(code, io.err()).toBe(2);
  expect(io.out()).toBe("");
  expect(io.err()).not.toContain("dapi-wrong");
  const list = await run(["vs", "list", "--endpoint", "cli-ep4"]);
  expect(list.code).toBe(3);
  expect(list.err).toContain("cli-ep4");
});
