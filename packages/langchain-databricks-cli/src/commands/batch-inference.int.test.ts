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
