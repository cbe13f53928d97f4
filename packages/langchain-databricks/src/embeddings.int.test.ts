import { describe, expect, test } from "vitest";
import { useEmulator } from "../test-support/emulator.js";
import { DatabricksEmbeddings, type DatabricksEmbeddingsInput } from "./embeddings.js";

const h = useEmulator();

const make = (extra: Partial<DatabricksEmbeddingsInput> = {}) =>
  new DatabricksEmbeddings({
    endpoint: "databricks-bge-large-en",
    host: h.emu.url,
    token: h.emu.token,
    ...extra,
  });

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe.each(["databricks-bge-large-en", "databricks-gte-large-en"])(
  "DatabricksEmbeddings on %s",
  (endpoint) => {
    test("embed_query: a non-empty list of floats, same length for every query", async () => {
      const e = make({ endpoint });
      const foo = await e.embedQuery("foo");
      const bar = await e.embedQuery("bar");
      expect(foo.length).toBeGreaterThan(0);
      expect(typeof foo[0]).toBe("number");
      expect(bar).toHaveLength(foo.length);
    });

    test("embed_documents: 3 texts -> 3 float vectors of the same length, in input order", async () => {
      const e = make({ endpoint });
      const docs = await e.embedDocuments(["foo", "bar", "baz"]);
      expect(docs).toHaveLength(3);
      for (const v of docs) {
        expect(v.length).toBe(docs[0]!.length);
        expect(v.every((x) => typeof x === "number")).toBe(true);
      }
      expect(docs[1]).toEqual(await e.embedQuery("bar"));
    });
  },
);

test("batches run over both routes and keep order across batches", async () => {
  const texts = Array.from({ length: 23 }, (_, i) => `document number ${i} about topic ${i % 5}`);
  const viaOpenAI = await make({ batchSize: 5, maxConcurrency: 3 }).embedDocuments(texts);
  const viaInvocations = await make({ batchSize: 7, route: "invocations" }).embedDocuments(texts);
  expect(viaOpenAI).toHaveLength(23);
  expect(viaInvocations).toEqual(viaOpenAI);
  // Each vector belongs to its own text: it is closest to itself.
  const single = await make().embedQuery(texts[17]!);
  const best = viaOpenAI.map((v) => cosine(v, single)).reduce((bi, s, i, arr) => (s > arr[bi]! ? i : bi), 0);
  expect(best).toBe(17);
});

test("empty input -> [] and no request", async () => {
  h.emu.admin.resetStats();
  expect(await make().embedDocuments([])).toEqual([]);
  expect(h.emu.admin.stats().total).toBe(0);
});

test("seed example: embed_query('hello')[:3] prints three floats", async () => {
  const vector = await make().embedQuery("hello");
  const head = vector.slice(0, 3);
  expect(head).toHaveLength(3);
  expect(head.every((x) => Number.isFinite(x))).toBe(true);
});
