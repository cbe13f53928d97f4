import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

let emu: Awaited<ReturnType<typeof startEmulator>>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

const run = async (args: string[], options: Parameters<typeof fakeIO>[0] = {}) => {
  const io = fakeIO(options);
  const code = await runCli(["--host", emu.url, "--token", emu.token, ...args], io);
  return { code, out: io.out(), err: io.err() };
};

it("batch-inference writes the output table, prints the report and resumes on a second run", async () => {
  const args = [
    "batch-inference",
    "-w",
    emu.warehouseId,
    "-e",
    "databricks-meta-llama-3-3-70b-instruct",
    "--source-query",
    "SELECT range AS id, 'question ' || range AS q FROM range(4)",
    "--input-column",
    "q",
    "-k",
    "id",
    "-o",
    "main.default.cli_answers",
  ];
  const first = await run(args, { stderrIsTTY: true });
  expect(first.code, first.err).toBe(0);
  expect(JSON.parse(first.out)).toMatchObject({ created: true, inserted: 4, totalRows: 4, errors: 0 });
  expect(first.err).toContain("ai_query [");
  expect(first.err).toContain("batch-inference: 4 rows written to main.default.cli_answers");
  const second = await run(args);
  expect(JSON.parse(second.out)).toMatchObject({ created: false, inserted: 0, totalRows: 4 });
  expect(second.err).not.toContain("ai_query [");
});

it("batch-inference needs exactly one source and one request form", async () => {
  const bad = await run([
    "batch-inference",
    "-e",
    "x",
    "-o",
    "main.default.o",
    "-k",
    "id",
    "--input-column",
    "q",
  ]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain("exactly one of --source-table or --source-query");
});

interface StatementBody {
  status?: { state?: string; error?: { message?: string } };
  result?: { data_array?: unknown[][] };
}

/** Runs a SQL statement on the emulator's warehouse and returns the response body. */
async function statement(text: string): Promise<StatementBody> {
  const res = await fetch(`${emu.url}/api/2.0/sql/statements`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body: JSON.stringify({ statement: text, warehouse_id: emu.warehouseId }),
  });
  return (await res.json()) as StatementBody;
}

/** Runs a SQL statement that must succeed and returns its rows. */
async function sql(text: string): Promise<unknown[][]> {
  const body = await statement(text);
  expect(body.status?.state, JSON.stringify(body)).toBe("SUCCEEDED");
  return body.result?.data_array ?? [];
}

const fromTable = (table: string, output: string) => [
  "batch-inference",
  "-w",
  emu.warehouseId,
  "-e",
  "databricks-meta-llama-3-3-70b-instruct",
  "--source-table",
  table,
  "--request-expression",
  "concat('Answer briefly: ', q)",
  "-k",
  "id",
  "-o",
  output,
];

it("--source-table with --request-expression; --no-progress keeps a terminal free of the bar", async () => {
  await sql("CREATE TABLE main.default.cli_questions (id BIGINT, q STRING)");
  await sql("INSERT INTO main.default.cli_questions VALUES (1, 'why'), (2, 'how')");
  const r = await run(
    [...fromTable("main.default.cli_questions", "main.default.cli_expr_answers"), "--no-progress"],
    {
      stderrIsTTY: true,
    },
  );
  expect(r.code, r.err).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ created: true, inserted: 2, totalRows: 2, errors: 0 });
  expect(r.err).not.toContain("ai_query [");
  expect(r.err).toMatch(
    /^batch-inference: 2 rows written to main\.default\.cli_expr_answers \(2 in total, 0 with errors\) in \d+\.\ds\n$/,
  );
  expect(
    (await sql("SELECT id FROM main.default.cli_expr_answers ORDER BY id")).map((row) => Number(row[0])),
  ).toEqual([1, 2]);
});

it("a missing source table is the service's error (exit 3), not an interrupt", async () => {
  const r = await run(fromTable("main.default.no_such_table", "main.default.cli_never"));
  expect(r.code).toBe(3);
  expect(r.err).toMatch(/^Error: .*no_such_table/);
  expect(r.err).not.toContain("interrupted");
});

it("Ctrl-C: exit 130, says the statement was canceled, and no output table is written", async () => {
  await sql("CREATE TABLE main.default.cli_q2 (id BIGINT, q STRING)");
  await sql("INSERT INTO main.default.cli_q2 VALUES (1, 'why')");
  const io = fakeIO();
  // Ctrl-C as soon as the command listens for it.
  const onInterrupt = io.onInterrupt.bind(io);
  io.onInterrupt = (listener) => {
    const off = onInterrupt(listener);
    queueMicrotask(() => io.interrupt());
    return off;
  };
  const code = await runCli(
    ["--host", emu.url, "--token", emu.token, ...fromTable("main.default.cli_q2", "main.default.cli_q2_out")],
    io,
  );
  expect(code, io.err()).toBe(130);
  expect(io.err()).toBe(
    "batch-inference: interrupted; the statement was canceled and nothing was written.\n",
  );
  expect(io.out()).toBe("");
  const out = await statement("SELECT * FROM main.default.cli_q2_out");
  expect(out.status?.state).toBe("FAILED");
  expect(out.status?.error?.message).toContain("TABLE_OR_VIEW_NOT_FOUND");
});

it("--input-column and --request-expression together are a usage error", async () => {
  const r = await run([...fromTable("main.default.t", "main.default.o"), "--input-column", "q"]);
  expect(r).toEqual({
    code: 1,
    out: "",
    err: "Error: batch-inference: pass exactly one of --input-column or --request-expression.\n",
  });
});
