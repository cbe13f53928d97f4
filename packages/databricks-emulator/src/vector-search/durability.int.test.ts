/** Vector Search state under --data-dir survives kill -9: every acknowledged upsert and delete is there after restart. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import { kill9, type Running, startCli } from "../../test-support/crash.js";

const V = "/api/2.0/vector-search";
const dir = mkdtempSync(join(tmpdir(), "vs-durable-"));
let running: Running | undefined;
afterAll(async () => {
  if (running) await kill9(running);
  rmSync(dir, { recursive: true, force: true });
});

it("kill -9 after acknowledged writes: endpoint, index and rows come back identical", async () => {
  running = await startCli(dir);
  const t = running.target;
  expect((await call(t, "POST", `${V}/endpoints`, { name: "ep", endpoint_type: "STANDARD" })).status).toBe(
    200,
  );
  const created = await call(t, "POST", `${V}/indexes`, {
    name: "c.s.idx",
    endpoint_name: "ep",
    primary_key: "id",
    index_type: "DIRECT_ACCESS",
    direct_access_index_spec: {
      embedding_vector_columns: [{ name: "v", embedding_dimension: 4 }],
      schema_json: JSON.stringify({ id: "string", text: "string", v: "array<float>" }),
    },
  });
  expect(created.status, created.text).toBe(200);
  const rows = Array.from({ length: 300 }, (_, i) => ({
    id: `r${i}`,
    text: `row ${i}`,
    v: [i, i / 2, 1, -i],
  }));
  for (let b = 0; b < 3; b++) {
    const up = await call(t, "POST", `${V}/indexes/c.s.idx/upsert-data`, {
      inputs_json: JSON.stringify(rows.slice(b * 100, b * 100 + 100)),
    });
    expect(up.json.status, up.text).toBe("SUCCESS");
  }
  expect(
    (await call(t, "DELETE", `${V}/indexes/c.s.idx/delete-data`, { primary_keys: ["r0", "r1"] })).status,
  ).toBe(200);
  const q = { columns: ["id", "text", "v"], query_vector: [10, 5, 1, -10], num_results: 5 };
  const before = await call(t, "POST", `${V}/indexes/c.s.idx/query`, q);
  expect(before.status, before.text).toBe(200);
  await kill9(running);

  running = await startCli(dir);
  const after = await call(running.target, "POST", `${V}/indexes/c.s.idx/query`, q);
  expect(after.json).toEqual(before.json);
  const idx = await call(running.target, "GET", `${V}/indexes/c.s.idx`);
  expect((idx.json.status as { indexed_row_count: number }).indexed_row_count).toBe(298);
  const ep = await call(running.target, "GET", `${V}/endpoints/ep`);
  expect((ep.json.endpoint_status as { state: string }).state).toBe("ONLINE");
});
