import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { describe, expect, it } from "vitest";
import {
  errorResponse,
  jsonResponse,
  mockFetch,
  type RecordedCall,
  testAuth,
} from "../../test-support/mock-fetch.js";
import { DatabricksConfigError, NotFoundError } from "../errors.js";
import type { VectorIndex } from "./types.js";
import { DatabricksVectorSearch } from "./vector-store.js";

const INDEX = "c.s.i";
const API = "/api/2.0/vector-search/indexes";

const selfManaged: VectorIndex = {
  name: INDEX,
  endpoint_name: "ep",
  primary_key: "id",
  index_type: "DIRECT_ACCESS",
  direct_access_index_spec: {
    schema_json: JSON.stringify({
      id: "string",
      text: "string",
      url: "string",
      v: "array<float>",
      lang: "string",
    }),
    embedding_vector_columns: [{ name: "v", embedding_dimension: 2 }],
  },
};

const managedSync: VectorIndex = {
  name: INDEX,
  endpoint_name: "ep",
  primary_key: "id",
  index_type: "DELTA_SYNC",
  delta_sync_index_spec: {
    source_table: "c.s.src",
    embedding_source_columns: [{ name: "text", embedding_model_endpoint_name: "emb" }],
  },
};

const managedDirect: VectorIndex = {
  name: INDEX,
  endpoint_name: "ep",
  primary_key: "id",
  index_type: "DIRECT_ACCESS",
  direct_access_index_spec: {
    schema_json: "{broken",
    embedding_source_columns: [{ name: "text", embedding_model_endpoint_name: "emb" }],
  },
};

const embeddings: EmbeddingsInterface = {
  embedQuery: async () => [1, 0],
  embedDocuments: async (texts: string[]) => texts.map((_t, i) => [i, 1]),
};

/** A workspace serving one index description, query results and upserts; records every call. */
const workspace = (index: VectorIndex, query: (call: RecordedCall) => Response = () => jsonResponse({})) =>
  mockFetch((call) => {
    if (call.method === "GET" && call.path === `${API}/${INDEX}`) return jsonResponse(index);
    if (call.path.endsWith("/upsert-data")) {
      const rows = JSON.parse(call.body.inputs_json as string) as unknown[];
      return jsonResponse({ status: "SUCCESS", result: { success_row_count: rows.length } });
    }
    if (call.path.endsWith("/delete-data")) return jsonResponse({ status: "SUCCESS", result: {} });
    return query(call);
  });

const configError = async (p: Promise<unknown>): Promise<string> => {
  const e = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatabricksConfigError);
  return (e as Error).message;
};

describe("DatabricksVectorSearch settings are checked against the index", () => {
  it("rejects a mismatched endpoint, and extra settings for a managed delta-sync index", async () => {
    const m = workspace(managedSync);
    const wrongEp = new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX, endpoint: "other" });
    expect(await configError(wrongEp.describe())).toBe(
      'endpoint "other" does not match the index\'s endpoint "ep" (the endpoint can be omitted).',
    );
    const withText = new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX, textColumn: "body" });
    expect(await configError(withText.describe())).toBe(
      'textColumn must not be given for index c.s.i: it embeds its source column "text".',
    );
    const withEmb = new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX, embeddings });
    expect(await configError(withEmb.describe())).toBe(
      "embeddings must not be given for index c.s.i: it computes embeddings itself (managed embeddings).",
    );
  });

  it("requires textColumn and embeddings for a self-managed index, and known column names", async () => {
    const m = workspace(selfManaged);
    expect(
      await configError(
        new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX, embeddings }).describe(),
      ),
    ).toBe("textColumn is required for self-managed index c.s.i.");
    expect(
      await configError(
        new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX, textColumn: "text" }).describe(),
      ),
    ).toBe("embeddings are required for self-managed index c.s.i.");
    const badCol = new DatabricksVectorSearch({
      ...testAuth(m),
      indexName: INDEX,
      textColumn: "text",
      embeddings,
      columns: ["nope"],
    });
    expect(await configError(badCol.describe())).toBe(
      'Column "nope" is not in index c.s.i; its columns are id, text, url, v, lang.',
    );
  });

  it("a failed description is not cached: the next call asks again", async () => {
    let n = 0;
    const m = mockFetch(() =>
      n++ === 0 ? errorResponse(404, "RESOURCE_DOES_NOT_EXIST", "no index") : jsonResponse(managedSync),
    );
    const store = new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX });
    await expect(store.describe()).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.describe()).sourceTable).toBe("c.s.src");
    expect(await store.describe()).toBe(await store.describe());
    expect(m.calls).toHaveLength(2);
  });

  it("a store without embeddings explains itself when asked to embed", async () => {
    const store = new DatabricksVectorSearch({ indexName: INDEX, host: "http://127.0.0.1:9", token: "t" });
    expect(store._vectorstoreType()).toBe("databricks_vector_search");
    const msg = "This DatabricksVectorSearch has no `embeddings`: its index embeds text itself.";
    await expect(store.embeddings.embedQuery("q")).rejects.toThrow(msg);
    await expect(store.embeddings.embedDocuments(["q"])).rejects.toThrow(msg);
  });
});

describe("DatabricksVectorSearch queries", () => {
  const result = (columns: string[], rows: unknown[][]) =>
    jsonResponse({ manifest: { columns: columns.map((name) => ({ name })) }, result: { data_array: rows } });

  it("FULL_TEXT on a self-managed index sends text only; HYBRID sends text and vector", async () => {
    const m = workspace(selfManaged, () =>
      result(["id", "text", "url", "lang", "score"], [["1", "hello", "http://d/1", "en", 0.5]]),
    );
    const store = new DatabricksVectorSearch({
      ...testAuth(m),
      indexName: INDEX,
      textColumn: "text",
      embeddings,
      docUri: "url",
      primaryKey: "id",
      columns: ["lang"],
      includeScore: true,
      scoreThreshold: 0.1,
    });
    const [[doc, score]] = (await store.search("hello", {
      queryType: "FULL_TEXT",
      k: 2,
      filter: "lang = 'en'",
    })) as [[Document, number]];
    expect(score).toBe(0.5);
    expect(doc.pageContent).toBe("hello");
    expect(doc.id).toBe("1");
    expect(doc.metadata).toEqual({ doc_uri: "http://d/1", chunk_id: "1", lang: "en", score: 0.5 });
    const first = m.calls.find((c) => c.path.endsWith("/query"))!;
    expect(first.body).toEqual({
      columns: ["id", "text", "lang", "url"],
      num_results: 2,
      query_text: "hello",
      query_type: "FULL_TEXT",
      filter_string: "lang = 'en'",
      score_threshold: 0.1,
    });
    await store.search("hello", { queryType: "HYBRID" });
    const second = m.calls.filter((c) => c.path.endsWith("/query"))[1]!;
    expect([second.body.query_text, second.body.query_vector, second.body.query_type]).toEqual([
      "hello",
      [1, 0],
      "HYBRID",
    ]);
  });

  it("vector search with a filter object; a null text is empty page content; no id without a key", async () => {
    const m = workspace(selfManaged, () => result(["text", "lang", "score"], [[null, "de", 0.25]]));
    const store = new DatabricksVectorSearch({
      ...testAuth(m),
      indexName: INDEX,
      textColumn: "text",
      embeddings,
    });
    const [[doc, score]] = (await store.similaritySearchVectorWithScore([0, 1], 3, { lang: "de" })) as [
      [Document, number],
    ];
    expect([doc.pageContent, doc.id, doc.metadata, score]).toEqual(["", undefined, { lang: "de" }, 0.25]);
    const q = m.calls.find((c) => c.path.endsWith("/query"))!;
    expect(q.body).toEqual({
      columns: ["id", "text"],
      num_results: 3,
      query_vector: [0, 1],
      filters_json: '{"lang":"de"}',
    });
  });

  it("maximal marginal relevance needs vectors; an empty candidate list gives no documents", async () => {
    const managed = new DatabricksVectorSearch({ ...testAuth(workspace(managedSync)), indexName: INDEX });
    expect(await configError(managed.maxMarginalRelevanceSearch("q", { k: 1 }))).toBe(
      "maxMarginalRelevanceSearch needs the index's vectors: index c.s.i uses managed embeddings and has no vector column.",
    );
    const m = workspace(selfManaged, () => result(["id", "text", "v", "score"], []));
    const store = new DatabricksVectorSearch({
      ...testAuth(m),
      indexName: INDEX,
      textColumn: "text",
      embeddings,
    });
    expect(await store.maxMarginalRelevanceSearch("q", { k: 1, fetchK: 5, filter: { lang: "en" } })).toEqual(
      [],
    );
    expect(m.calls.find((c) => c.path.endsWith("/query"))!.body).toMatchObject({
      num_results: 5,
      columns: ["id", "text", "v"],
    });
  });

  it("MMR keeps the vector column in metadata when it was requested as a column", async () => {
    const m = workspace(selfManaged, () =>
      result(
        ["id", "text", "v", "score"],
        [
          ["1", "a", [1, 0], 0.9],
          ["2", "b", [0, 1], 0.1],
        ],
      ),
    );
    const store = new DatabricksVectorSearch({
      ...testAuth(m),
      indexName: INDEX,
      textColumn: "text",
      embeddings,
      columns: ["v"],
    });
    const docs = await store.maxMarginalRelevanceSearch("q", { k: 1 });
    expect(docs.map((d) => [d.pageContent, d.metadata])).toEqual([["a", { id: "1", v: [1, 0] }]]);
  });
});

describe("DatabricksVectorSearch writes", () => {
  it("refuses writes to a delta-sync index and deletes without ids", async () => {
    const store = new DatabricksVectorSearch({ ...testAuth(workspace(managedSync)), indexName: INDEX });
    expect(await configError(store.addDocuments([new Document({ pageContent: "x" })]))).toBe(
      "Index c.s.i is a DELTA_SYNC index: add rows to its source table c.s.src and sync it; only DIRECT_ACCESS indexes take writes.",
    );
    const direct = new DatabricksVectorSearch({ ...testAuth(workspace(managedDirect)), indexName: INDEX });
    expect(await configError(direct.delete({ ids: [] }))).toBe("delete needs { ids: [...] }.");
    expect(await configError(direct.delete())).toBe("delete needs { ids: [...] }.");
    expect(await configError(direct.addVectors([[1]], [new Document({ pageContent: "x" })]))).toBe(
      "Index c.s.i computes its own embeddings; use addDocuments.",
    );
  });

  it("managed direct-access writes keep every metadata key (no schema) and use given ids", async () => {
    const m = workspace(managedDirect);
    const store = new DatabricksVectorSearch({ ...testAuth(m), indexName: INDEX });
    const ids = await store.addDocuments([new Document({ pageContent: "hello", metadata: { any: 1 } })], {
      ids: ["k1"],
    });
    expect(ids).toEqual(["k1"]);
    const up = m.calls.find((c) => c.path.endsWith("/upsert-data"))!;
    expect(JSON.parse(up.body.inputs_json as string)).toEqual([{ any: 1, id: "k1", text: "hello" }]);
    expect(
      await configError(store.addDocuments([new Document({ pageContent: "a" })], { ids: ["1", "2"] })),
    ).toBe("ids has 2 entries for 1 documents.");
    await store.delete({ ids: ["k1"] });
    expect(m.calls.find((c) => c.path.endsWith("/delete-data"))!.body).toEqual({ primary_keys: ["k1"] });
  });

  it("fromTexts embeds and writes schema columns only; vector count and dimension are checked", async () => {
    const m = workspace(selfManaged);
    const fields = { ...testAuth(m), indexName: INDEX, textColumn: "text" };
    const store = await DatabricksVectorSearch.fromTexts(
      ["a", "b"],
      { lang: "en", junk: true },
      embeddings,
      fields,
    );
    const up = m.calls.find((c) => c.path.endsWith("/upsert-data"))!;
    const rows = JSON.parse(up.body.inputs_json as string) as Record<string, unknown>[];
    expect(rows.map((r) => [r.lang, r.junk, r.text, r.v])).toEqual([
      ["en", undefined, "a", [0, 1]],
      ["en", undefined, "b", [1, 1]],
    ]);
    const doc = new Document({ pageContent: "x" });
    expect(await configError(store.addVectors([[1, 2]], [doc, doc]))).toBe("Got 1 vectors for 2 documents.");
    expect(await configError(store.addVectors([[1, 2, 3]], [doc]))).toBe(
      "vectors[0] has 3 dimensions; index c.s.i expects 2.",
    );
  });
});
