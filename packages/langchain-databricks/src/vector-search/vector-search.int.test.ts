/**
 * VectorSearchClient, DatabricksVectorSearch and VectorSearchRetrieverTool against a started emulator.
 */
import { Document } from "@langchain/core/documents";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { startEmulator } from "databricks-emulator";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TopicEmbeddings } from "../../test-support/vector-search-data-plane.js";
import { ChatDatabricks } from "../chat-models/chat-databricks.js";
import { DatabricksEmbeddings } from "../embeddings.js";
import { BadRequestError, DatabricksConfigError, NotFoundError, PermissionDeniedError } from "../errors.js";
import { VectorSearchClient, VectorSearchIndexNotReadyError } from "./client.js";
import { VectorSearchRetrieverTool } from "./retriever-tool.js";
import { DatabricksVectorSearch } from "./vector-store.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
let vs: VectorSearchClient;
const TRANSITION = 60_000;

/** 3-d deterministic embeddings: one axis per topic word. */

const SELF = "main.lc.pets";
const MANAGED = "main.lc.managed";
const schema = { id: "string", text: "string", kind: "string", url: "string", n: "int", v: "array<float>" };

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: TRANSITION,
    users: [{ userName: "other@example.com" }],
  });
  vs = new VectorSearchClient({ host: emu.url, token: emu.token, maxRetries: 0 });
});
afterAll(async () => {
  await emu?.close();
});

describe("VectorSearchClient", () => {
  it("creates an endpoint and waits for it with progress", async () => {
    const ep = await vs.createEndpoint("lc-ep");
    expect(ep.endpoint_status?.state).toBe("PROVISIONING");
    const states: string[] = [];
    const done = vs.waitForEndpoint("lc-ep", {
      pollIntervalMs: 5,
      onProgress: (p) => {
        states.push(p.state);
        if (p.state === "PROVISIONING") emu.admin.advanceClock(TRANSITION + 1);
      },
    });
    expect((await done).endpoint_status?.state).toBe("ONLINE");
    expect(states).toEqual(["PROVISIONING", "ONLINE"]);
    expect((await vs.listEndpoints()).map((e) => e.name)).toEqual(["lc-ep"]);
    await expect(vs.getEndpoint("missing")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("creates indexes, refuses data calls until online with a typed error, then waits", async () => {
    const idx = await vs.createDirectAccessIndex({
      name: SELF,
      endpointName: "lc-ep",
      primaryKey: "id",
      schema,
      embeddingVectorColumn: { name: "v", dimension: 3 },
    });
    expect(idx.status?.ready).toBe(false);
    await expect(vs.upsert(SELF, [{ id: "x", text: "x", v: [0, 0, 0] }])).rejects.toBeInstanceOf(
      VectorSearchIndexNotReadyError,
    );
    await vs.createDirectAccessIndex({
      name: MANAGED,
      endpointName: "lc-ep",
      primaryKey: "id",
      schema: { id: "string", text: "string", kind: "string" },
      embeddingSourceColumn: { name: "text", modelEndpointName: "databricks-gte-large-en" },
    });
    const seen: string[] = [];
    const ready = vs.waitForIndex(SELF, {
      pollIntervalMs: 5,
      onProgress: (p) => {
        seen.push(p.state);
        emu.admin.advanceClock(TRANSITION + 1);
      },
    });
    expect((await ready).status?.detailed_state).toBe("ONLINE_DIRECT_ACCESS");
    expect(seen).toEqual(["PROVISIONING_INITIAL_SNAPSHOT", "ONLINE_DIRECT_ACCESS"]);
    expect((await vs.listIndexes("lc-ep")).map((i) => i.name).sort()).toEqual([MANAGED, SELF]);
  });

  it("upserts in batches with progress, scans in key order and pages long queries", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      id: `bulk-${String(i).padStart(4, "0")}`,
      text: `bulk row ${i}`,
      kind: "bulk",
      n: i,
      v: [0, 0, -1 - i / 2500],
    }));
    const progress: number[] = [];
    const r = await vs.upsert(SELF, rows, { batchSize: 1000, onProgress: (done) => progress.push(done) });
    expect(r).toEqual({ status: "SUCCESS", result: { success_row_count: 2500, failed_primary_keys: [] } });
    expect(progress).toEqual([1000, 2000, 2500]);
    const page = await vs.scan(SELF, { numResults: 2 });
    expect(page.rows.map((x) => x.id)).toEqual(["bulk-0000", "bulk-0001"]);
    const next = await vs.scan(SELF, { numResults: 2, lastPrimaryKey: page.lastPrimaryKey });
    expect(next.rows.map((x) => x.id)).toEqual(["bulk-0002", "bulk-0003"]);
    const q = await vs.query(SELF, { columns: ["id", "n"], queryVector: [0, 0, -1], numResults: 2200 });
    expect(q.pages).toBe(3);
    expect(q.rows).toHaveLength(2200);
    expect(q.columns).toEqual(["id", "n", "score"]);
    expect(q.rows[0]?.[0]).toBe("bulk-0000");
    const one = await vs.query(
      SELF,
      { columns: ["id"], queryVector: [0, 0, -1], numResults: 2200 },
      { allPages: false },
    );
    expect(one.rows).toHaveLength(1000);
    // The vector store follows the pages too: k beyond one page.
    const store = new DatabricksVectorSearch({
      indexName: SELF,
      embeddings: new TopicEmbeddings(),
      textColumn: "text",
      host: emu.url,
      token: emu.token,
    });
    const many = await store.similaritySearchVectorWithScore([0, 0, -1], 1500, { kind: "bulk" });
    expect(many).toHaveLength(1500);
    expect(new Set(many.map(([d]) => d.id)).size).toBe(1500);
    expect(many[1499]?.[0].id).toBe("bulk-1499");
    const del = await vs.deleteRows(SELF, rows.map((x) => x.id).slice(0, 2500));
    expect(del.status).toBe("SUCCESS");
    expect((await vs.getIndex(SELF)).status?.indexed_row_count).toBe(0);
  });

  it("maps bad input to typed errors naming the field", async () => {
    await expect(vs.query(SELF, { columns: ["id", "nope"], queryVector: [0, 0, 1] })).rejects.toThrow(
      /columns: unknown column 'nope'/,
    );
    await expect(vs.query(SELF, { columns: ["id"], queryVector: [0, 1] })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(vs.upsert(SELF, [{ id: "a", text: "t", v: [1] }])).rejects.toThrow(/embedding_dimension 3/);
    await expect(vs.syncIndex(SELF)).rejects.toThrow(/DIRECT_ACCESS/);
    await expect(vs.query(SELF, { columns: [] })).rejects.toBeInstanceOf(DatabricksConfigError);
  });
});

describe("DatabricksVectorSearch", () => {
  const docs = [
    new Document({ pageContent: "cat one", metadata: { kind: "cat", url: "u1", n: 1 } }),
    new Document({ pageContent: "cat two", metadata: { kind: "cat", url: "u2", n: 2, ignored: { a: 1 } } }),
    new Document({ pageContent: "cat and dog", metadata: { kind: "mix", url: "u3", n: 3 } }),
    new Document({ pageContent: "dog", metadata: { kind: "dog", url: "u4", n: 4 } }),
    new Document({ pageContent: "fish", metadata: { kind: "fish", url: "u5", n: 5 } }),
  ];
  const store = () =>
    new DatabricksVectorSearch({
      indexName: SELF,
      embeddings: new TopicEmbeddings(),
      textColumn: "text",
      columns: ["kind", "n"],
      docUri: "url",
      host: emu.url,
      token: emu.token,
      maxRetries: 0,
    });

  it("adds documents (embedded, ids returned, unknown metadata dropped) and deletes by id", async () => {
    const s = store();
    const ids = await s.addDocuments(docs, { ids: ["d1", "d2", "d3", "d4", "d5"] });
    expect(ids).toEqual(["d1", "d2", "d3", "d4", "d5"]);
    const extra = await s.addVectors([[0, 0, 0.1]], [new Document({ pageContent: "tmp" })]);
    expect(extra).toHaveLength(1);
    await s.delete({ ids: extra });
    expect((await vs.getIndex(SELF)).status?.indexed_row_count).toBe(5);
    await expect(s.addVectors([[1, 2]], [new Document({ pageContent: "x" })])).rejects.toThrow(
      /vectors\[0\] has 2 dimensions; index main.lc.pets expects 3/,
    );
  });

  it("similaritySearch honours k, filters and maps text, doc_uri and id", async () => {
    const s = store();
    const top = await s.similaritySearch("cat", 2);
    expect(top.map((d) => d.pageContent)).toEqual(["cat one", "cat two"]);
    // As in Python: the index primary key stays in metadata; it is also the Document id.
    expect(top[0]?.metadata).toEqual({ id: "d1", kind: "cat", n: 1, doc_uri: "u1" });
    expect(top[0]?.id).toBe("d1");
    const filtered = await s.similaritySearch("cat", 4, { "n >": 2 });
    expect(filtered.map((d) => d.id)).toEqual(["d3", "d4", "d5"]);
    const inList = await s.similaritySearch("cat", 4, { kind: ["dog", "fish"] });
    expect(inList.map((d) => d.id).sort()).toEqual(["d4", "d5"]);
  });

  it("scores: descending, 1 for an exact match, scoreThreshold drops the rest", async () => {
    const s = store();
    const scored = await s.similaritySearchWithScore("cat", 5);
    expect(scored[0]?.[1]).toBe(1);
    const scores = scored.map(([, x]) => x);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const byVector = await s.similaritySearchVectorWithScore([0, 0, 1], 1);
    expect(byVector[0]?.[0].pageContent).toBe("fish");
    const strict = await s.search("cat", { k: 5, scoreThreshold: 0.99 });
    expect(strict.map(([d]) => d.id)).toEqual(["d1", "d2"]);
  });

  it("maxMarginalRelevanceSearch trades relevance for diversity", async () => {
    const s = store();
    const plain = await s.similaritySearch("cat", 2);
    expect(plain.map((d) => d.pageContent)).toEqual(["cat one", "cat two"]);
    const mmr = await s.maxMarginalRelevanceSearch("cat", { k: 2, fetchK: 5, lambda: 0.3 }, undefined);
    expect(mmr[0]?.pageContent).toBe("cat one");
    expect(mmr[1]?.pageContent).not.toBe("cat two");
    expect(mmr[1]?.metadata.v).toBeUndefined();
  });

  it("asRetriever, HYBRID and reranker options; call options win over instance fields", async () => {
    const s = store();
    const retriever = s.asRetriever({ k: 1, filter: { kind: "dog" } });
    expect((await retriever.invoke("cat")).map((d) => d.id)).toEqual(["d4"]);
    const hybrid = await s.search("fish", { k: 1, queryType: "HYBRID" });
    expect(hybrid[0]?.[0].pageContent).toBe("fish");
    const reranked = await s.search("dog", {
      k: 2,
      reranker: { columnsToRerank: ["text"] },
    });
    expect(reranked.map(([d]) => d.pageContent)).toEqual(["dog", "cat and dog"]);
  });

  it("managed-embedding indexes are queried by text; settings are validated against the index", async () => {
    const managed = new DatabricksVectorSearch({
      indexName: MANAGED,
      host: emu.url,
      token: emu.token,
      maxRetries: 0,
    });
    // A direct-access index with managed embeddings: its source column is the text column.
    expect(await managed.similaritySearch("x")).toEqual([]);
    await expect(
      new DatabricksVectorSearch({
        indexName: MANAGED,
        embeddings: new TopicEmbeddings(),
        host: emu.url,
        token: emu.token,
      }).similaritySearch("x"),
    ).resolves.toEqual([]);
    const m2 = new DatabricksVectorSearch({
      indexName: MANAGED,
      columns: ["kind"],
      host: emu.url,
      token: emu.token,
      maxRetries: 0,
    });
    emu.admin.advanceClock(TRANSITION + 1);
    await m2.addDocuments([
      new Document({
        pageContent: "Vector search indexes embeddings for retrieval",
        metadata: { kind: "vs" },
      }),
      new Document({ pageContent: "Bread needs flour, water and salt", metadata: { kind: "food" } }),
    ]);
    const hits = await m2.similaritySearch("vector search retrieval", 1);
    expect(hits[0]?.metadata.kind).toBe("vs");
    await expect(m2.maxMarginalRelevanceSearch("x", { k: 1 }, undefined)).rejects.toThrow(
      /managed embeddings/,
    );
    const wrong = new DatabricksVectorSearch({
      indexName: SELF,
      embeddings: new TopicEmbeddings(),
      textColumn: "body",
      host: emu.url,
      token: emu.token,
    });
    await expect(wrong.similaritySearch("x")).rejects.toThrow(/Column "body" is not in index main.lc.pets/);
    expect(() => new DatabricksVectorSearch({ indexName: "nodots", host: emu.url })).toThrow(
      DatabricksConfigError,
    );
    const denied = new DatabricksVectorSearch({
      indexName: SELF,
      embeddings: new TopicEmbeddings(),
      textColumn: "text",
      host: emu.url,
      token: emu.users[0]?.token,
      maxRetries: 0,
    });
    await expect(denied.similaritySearch("cat")).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("works with DatabricksEmbeddings from the workspace's embedding endpoint", async () => {
    await vs.createDirectAccessIndex({
      name: "main.lc.gte",
      endpointName: "lc-ep",
      primaryKey: "id",
      schema: { id: "string", text: "string", v: "array<float>" },
      embeddingVectorColumn: { name: "v", dimension: 1024 },
    });
    emu.admin.advanceClock(TRANSITION + 1);
    const s = new DatabricksVectorSearch({
      indexName: "main.lc.gte",
      embeddings: new DatabricksEmbeddings({
        model: "databricks-gte-large-en",
        host: emu.url,
        token: emu.token,
      }),
      textColumn: "text",
      host: emu.url,
      token: emu.token,
    });
    await s.addDocuments([
      new Document({ pageContent: "The refund policy allows returns within 30 days" }),
      new Document({ pageContent: "Our office is closed on public holidays" }),
    ]);
    const [hit] = await s.similaritySearch("how do refunds and returns work", 1);
    expect(hit?.pageContent).toMatch(/refund policy/);
  });
});

describe("VectorSearchRetrieverTool", () => {
  const base = {
    indexName: SELF,
    embeddings: new TopicEmbeddings(),
    textColumn: "text",
    docUri: "url",
    host: "",
  };

  it("names itself from the index, describes the index columns and returns JSON with scores and doc URIs", async () => {
    const tool = await VectorSearchRetrieverTool.create({
      ...base,
      host: emu.url,
      token: emu.token,
      numResults: 2,
    });
    expect(tool.name).toBe("main__lc__pets");
    expect(tool.description).toContain("Columns: id, text, kind, url, n.");
    const out = JSON.parse(await tool.invoke({ query: "cat" })) as {
      page_content: string;
      metadata: Record<string, unknown>;
    }[];
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({
      page_content: "cat one",
      metadata: { id: "d1", doc_uri: "u1", score: 1 },
      id: "d1",
    });
  });

  it("fixed filters apply to every call; dynamic filters come from the model and fixed ones win", async () => {
    const fixed = new VectorSearchRetrieverTool({
      ...base,
      host: emu.url,
      token: emu.token,
      filters: { kind: "dog" },
    });
    const r = JSON.parse(await fixed.invoke({ query: "cat" })) as { page_content: string }[];
    expect(r.map((x) => x.page_content)).toEqual(["dog"]);
    const dyn = await VectorSearchRetrieverTool.create({
      ...base,
      host: emu.url,
      token: emu.token,
      dynamicFilter: true,
    });
    expect(JSON.stringify(dyn.schema)).toContain("Filterable columns: id, text, kind, url, n.");
    const d = JSON.parse(await dyn.invoke({ query: "cat", filters: [{ key: "n >=", value: 4 }] })) as {
      id: string;
    }[];
    expect(d.map((x) => x.id)).toEqual(["d4", "d5"]);
    expect(
      () => new VectorSearchRetrieverTool({ ...base, dynamicFilter: true, filters: { kind: "x" } }),
    ).toThrow(/dynamicFilter cannot be combined/);
    expect(() => new VectorSearchRetrieverTool({ ...base, toolName: "bad name!" })).toThrow(
      /toolName must match/,
    );
  });

  it("runs inside createAgent: the model calls the tool and answers from the retrieved passages", async () => {
    const tool = new VectorSearchRetrieverTool({
      ...base,
      host: emu.url,
      token: emu.token,
      toolName: "pet_docs_search",
      toolDescription: "Search the pet documentation passages about cats, dogs and fish.",
      numResults: 2,
    });
    const model = new ChatDatabricks({
      model: "databricks-meta-llama-3-3-70b-instruct",
      host: emu.url,
      token: emu.token,
      maxRetries: 0,
    });
    const agent = createAgent({ model, tools: [tool] });
    const result = await agent.invoke({
      messages: [{ role: "user", content: "Search the pet documentation about cats" }],
    });
    const toolMessages = result.messages.filter((m) => ToolMessage.isInstance(m));
    expect(toolMessages).toHaveLength(1);
    const passages = JSON.parse(String(toolMessages[0]?.content)) as { page_content: string }[];
    expect(passages.length).toBe(2);
    const final = result.messages.at(-1);
    expect(AIMessage.isInstance(final)).toBe(true);
    expect(final?.text.length).toBeGreaterThan(0);
  });
});
