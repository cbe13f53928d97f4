/** The official @databricks/sdk-experimental drives Vector Search unchanged: endpoint waiter, indexes, data, query. */
import { expect, it } from "vitest";
import { useEmulator } from "../../test-support/conformance.js";
import { sdkClient } from "../../test-support/sdk-client.js";

const h = useEmulator({ transitionMs: 0, foundationModels: false });

it("endpoints (create + waiter, get, list), indexes, upsert, query, next page, scan (delete-data: SDK quirk)", async () => {
  const w = await sdkClient(h.emu.url, { token: h.emu.token });
  const waiter = await w.vectorSearchEndpoints.createEndpoint({ name: "sdk-ep", endpoint_type: "STANDARD" });
  const ep = await waiter.wait();
  expect(ep.endpoint_status?.state).toBe("ONLINE");
  const names: string[] = [];
  for await (const e of w.vectorSearchEndpoints.listEndpoints({})) names.push(String(e.name));
  expect(names).toEqual(["sdk-ep"]);

  const idx = await w.vectorSearchIndexes.createIndex({
    name: "main.sdk.idx",
    endpoint_name: "sdk-ep",
    primary_key: "id",
    index_type: "DIRECT_ACCESS",
    direct_access_index_spec: {
      embedding_vector_columns: [{ name: "v", embedding_dimension: 2 }],
      schema_json: JSON.stringify({ id: "long", text: "string", v: "array<float>" }),
    },
  });
  expect(idx.name).toBe("main.sdk.idx");
  const got = await w.vectorSearchIndexes.getIndex({ index_name: "main.sdk.idx" });
  expect(got.status?.ready).toBe(true);
  const listed: string[] = [];
  for await (const i of w.vectorSearchIndexes.listIndexes({ endpoint_name: "sdk-ep" }))
    listed.push(String(i.name));
  expect(listed).toEqual(["main.sdk.idx"]);

  const rows = Array.from({ length: 1200 }, (_, i) => ({ id: i, text: `t${i}`, v: [i / 1200, 1] }));
  const up = await w.vectorSearchIndexes.upsertDataVectorIndex({
    index_name: "main.sdk.idx",
    inputs_json: JSON.stringify(rows),
  });
  expect(up.status).toBe("SUCCESS");
  expect(up.result?.success_row_count).toBe(1200);

  const q = await w.vectorSearchIndexes.queryIndex({
    index_name: "main.sdk.idx",
    columns: ["id", "text"],
    query_vector: [1, 1],
    num_results: 1100,
    filters_json: JSON.stringify({ "id >=": 0 }),
  });
  expect(q.manifest?.columns?.map((c) => c.name)).toEqual(["id", "text", "score"]);
  expect(q.result?.row_count).toBe(1000);
  expect(q.result?.data_array?.[0]?.[0]).toBe(1199);
  const next = await w.vectorSearchIndexes.queryNextPage({
    index_name: "main.sdk.idx",
    endpoint_name: "sdk-ep",
    page_token: q.next_page_token as string,
  });
  expect(next.result?.row_count).toBe(100);

  const scan = await w.vectorSearchIndexes.scanIndex({ index_name: "main.sdk.idx", num_results: 2 });
  expect(scan.last_primary_key).toBe("1");
  expect(scan.data?.[0]?.fields?.[0]).toEqual({ key: "id", value: { number_value: 0 } });

  // SDK quirk: deleteDataVectorIndex builds its query string only when there is a payload, and a DELETE has none,
  // so the keys never leave the client; the emulator answers as for any delete without keys.
  await expect(
    w.vectorSearchIndexes.deleteDataVectorIndex({ index_name: "main.sdk.idx", primary_keys: ["0", "1"] }),
  ).rejects.toThrow(/primary_keys is required/);
  expect(
    (await w.vectorSearchIndexes.getIndex({ index_name: "main.sdk.idx" })).status?.indexed_row_count,
  ).toBe(1200);
  await w.vectorSearchIndexes.deleteIndex({ index_name: "main.sdk.idx" });
  await w.vectorSearchEndpoints.deleteEndpoint({ endpoint_name: "sdk-ep" });
  await expect(w.vectorSearchEndpoints.getEndpoint({ endpoint_name: "sdk-ep" })).rejects.toMatchObject({
    errorCode: "RESOURCE_DOES_NOT_EXIST",
  });
});
