import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildStale,
  LIBRARY_PACKAGES,
  removeCompiledTrees,
  runExample,
} from "../packages/langchain-databricks-cli/test-support/processes.js";

// The examples run compiled, against the built packages (runExample): dist/ current with src/ first.
beforeAll(() => buildStale(LIBRARY_PACKAGES), 180_000);
afterAll(removeCompiledTrees);

describe("06_lakebase_memory.ts: the thread survives a process restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "lakebase-example-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { LAKEBASE_EXAMPLE_DATA_DIR: dir };

  it("the second process continues from the first one's checkpoint", { timeout: 120_000 }, async () => {
    const first = await runExample("examples/06_lakebase_memory.ts", ["My name is Ada."], {
      env,
      timeoutMs: 90_000,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("created Lakebase instance agent-memory");
    expect(first.stdout).toContain("starting thread example-thread");
    expect(first.stdout).toContain("thread example-thread now has 2 messages");

    const second = await runExample("examples/06_lakebase_memory.ts", ["What did I tell you?"], {
      env,
      timeoutMs: 90_000,
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain("created Lakebase instance");
    expect(second.stdout).toContain("continuing thread example-thread");
    expect(second.stdout).toContain("thread example-thread now has 4 messages");
  });
});
