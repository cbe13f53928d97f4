/**
 * Service principals against a started emulator: DatabricksVectorSearch (through VectorSearchClient) queries the
 * index data-plane URL with an index-scoped token; a principal without SELECT gets a typed 403.
 */
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TopicEmbeddings } from "../../test-support/vector-search-data-plane.js";
import { PermissionDeniedError } from "../errors.js";
import { VectorSearchClient } from "./client.js";
import { VectorSearchRetrieverTool } from "./retriever-tool.js";
import { DatabricksVectorSearch } from "./vector-store.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
const INDEX = "main.sp.pets";
const READER = { clientId: "vs-reader", clientSecret: "vs-reader-secret-0123456789" };
const WRITER = { clientId: "vs-writer", clientSecret: "vs-writer-secret-0123456789" };
const STRANGER = { clientId: "vs-stranger", clientSecret: "vs-stranger-secret-0123456789" };
const DATA_PLANE = `/api/2.0/vector-search/data-plane/indexes/${INDEX}`;

const storeFor = (sp: { clientId: string; clientSecret: string }) =>
  new DatabricksVectorSearch({
    indexName: INDEX,
    embeddings: new TopicEmbeddings(),
    textColumn: "text",
    host: emu.url,
    ...sp,
    maxRetries: 0,
  });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 1, servicePrincipals: [READER, WRITER, STRANGER] });
  const admin = new VectorSearchClient({ host: emu.url, token: emu.token, maxRetries: 0 });
  await admin.createEndpoint("sp-ep");
  await admin.createDirectAccessIndex({
    name: INDEX,
    endpointName: "sp-ep",
    primaryKey: "id",
    schema: { id: "string", text: "string", v: "array<float>" },
    embeddingVectorColumn: { name: "v", dimension: 3 },
  });
  emu.admin.advanceClock(10);
  await admin.waitForIndex(INDEX, { pollIntervalMs: 5 });
  await admin.upsert(INDEX, [
    { id: "c", text: "a cat", v: [1, 0, 0] },
    { id: "d", text: "a dog", v: [0, 1, 0] },
  ]);
  await admin.httpClient.request({
    method: "PATCH",
    path: `/api/2.0/vector-search/indexes/${INDEX}/permissions`,
    body: {
      changes: [
        { principal: READER.clientId, add: ["SELECT"] },
        { principal: WRITER.clientId, add: ["SELECT", "MODIFY"] },
      ],
    },
  });
  emu.admin.resetStats();
});
afterAll(async () => {
  await emu?.close();
});

describe("Vector Search as a service principal", () => {
  it("DatabricksVectorSearch queries the data-plane URL with a token scoped to the index", async () => {
    const store = storeFor(READER);
    const docs = await store.similaritySearch("cat", 1);
    expect(docs.map((d) => d.pageContent)).toEqual(["a cat"]);
    const log = emu.admin.stats().log.filter((e) => e.principal === READER.clientId);
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toContain(`POST ${DATA_PLANE}/query 200`);
    // No data call went to the workspace URL.
    expect(log.some((e) => e.path === `/api/2.0/vector-search/indexes/${INDEX}/query`)).toBe(false);
    // The data plane accepts only index-scoped OAuth tokens: the emulator's 403 for any other token proves the
    // library sent a scoped one.
    const pat = await fetch(`${emu.url}${DATA_PLANE}/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
      body: JSON.stringify({ columns: ["id"], query_vector: [1, 0, 0] }),
    });
    expect(pat.status).toBe(403);
  });

  it("the retriever tool gets the same routing through VectorSearchClient", async () => {
    emu.admin.resetStats();
    const tool = new VectorSearchRetrieverTool({
      indexName: INDEX,
      embeddings: new TopicEmbeddings(),
      textColumn: "text",
      host: emu.url,
      ...READER,
    });
    const out = await tool.invoke({ query: "dog" });
    expect(String(out)).toContain("a dog");
    expect(emu.admin.stats().log.map((e) => e.path)).toContain(`${DATA_PLANE}/query`);
  });

  it("writes use a WriteVectorIndex token; a read-only principal's upsert is refused with a typed 403", async () => {
    const writer = storeFor(WRITER);
    await writer.addVectors([[0, 0, 1]], [{ pageContent: "a fish", metadata: { id: "f" } }], { ids: ["f"] });
    expect(emu.admin.stats().log.map((e) => `${e.method} ${e.path} ${e.status}`)).toContain(
      `POST ${DATA_PLANE}/upsert-data 200`,
    );
    expect((await storeFor(READER).similaritySearch("fish", 1)).map((d) => d.pageContent)).toEqual([
      "a fish",
    ]);
    const denied = await storeFor(READER)
      .addVectors([[0, 0, 1]], [{ pageContent: "x", metadata: {} }], { ids: ["x"] })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect((denied as PermissionDeniedError).errorCode).toBe("PERMISSION_DENIED");
    expect(String((denied as Error).message)).not.toContain(READER.clientSecret);
  });

  it("a service principal without a grant gets PermissionDeniedError", async () => {
    const e = await storeFor(STRANGER)
      .similaritySearch("cat", 1)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect((e as PermissionDeniedError).status).toBe(403);
    expect((e as Error).message).toMatch(/does not have SELECT/);
    expect(JSON.stringify(e)).not.toContain(STRANGER.clientSecret);
  });
});
