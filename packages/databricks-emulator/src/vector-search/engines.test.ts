import { describe, expect, it } from "vitest";
import { makeIdentity } from "../auth/identity.js";
import { ApiError } from "../errors.js";
import { Clock } from "../util/clock.js";
import {
  compileFilterString,
  compileFiltersJson,
  likeMatch,
  parseFilterKey,
  type Schema,
} from "./filters.js";
import {
  bm25Scores,
  l2Score,
  l2Scores,
  RRF_K,
  reciprocalRankFusion,
  rerankScore,
  textTokens,
  topK,
  VectorMatrix,
} from "./ranking.js";
import type { SourceTables } from "./source-tables.js";
import { VectorSearchStore } from "./store.js";

const schema: Schema = { id: "int", name: "string", price: "double", tags: "array<string>", ok: "boolean" };
const rows = [
  { id: 1, name: "red car", price: 5, tags: ["a"], ok: true },
  { id: 2, name: "reddish car", price: 15, tags: ["b", "c"], ok: false },
  { id: 3, name: "blue", price: 25, tags: [], ok: true },
];
const pick = (p: ((r: Record<string, unknown>) => boolean) | undefined) =>
  rows.filter((r) => !p || p(r)).map((r) => r.id);

const apiError = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("expected an ApiError");
};

describe("filters_json", () => {
  it("parses keys into columns and operators", () => {
    expect(parseFilterKey("price >=")).toEqual({ columns: ["price"], op: ">=" });
    expect(parseFilterKey("a OR b")).toEqual({ columns: ["a", "b"], op: "=" });
    expect(parseFilterKey("name like")).toEqual({ columns: ["name"], op: "LIKE" });
    expect(apiError(() => parseFilterKey("a AND b")).message).toMatch(/malformed filter key 'a AND b'/);
    expect(apiError(() => parseFilterKey("a OR")).message).toMatch(/dangling OR/);
  });

  it("evaluates every operator, lists, booleans and array columns", () => {
    expect(pick(compileFiltersJson({ "price <": 15 }, schema))).toEqual([1]);
    expect(pick(compileFiltersJson({ "price <=": 15, "price >": 1 }, schema))).toEqual([1, 2]);
    expect(pick(compileFiltersJson({ id: [1, 3] }, schema))).toEqual([1, 3]);
    expect(pick(compileFiltersJson({ "id NOT": 2 }, schema))).toEqual([1, 3]);
    expect(pick(compileFiltersJson({ ok: false }, schema))).toEqual([2]);
    expect(pick(compileFiltersJson({ tags: "c" }, schema))).toEqual([2]);
    expect(pick(compileFiltersJson({ "name LIKE": "red" }, schema))).toEqual([1]);
    expect(pick(compileFiltersJson({ "name LIKE": "red%" }, schema))).toEqual([1, 2]);
    expect(pick(compileFiltersJson({ "name OR price": ["blue", 15] }, schema))).toEqual([2, 3]);
    expect(pick(compileFiltersJson([{ "id >": 1 }, { ok: true }], schema))).toEqual([3]);
    expect(compileFiltersJson({}, schema)).toBeUndefined();
  });

  it("names the offending column or key", () => {
    expect(apiError(() => compileFiltersJson({ colour: 1 }, schema)).message).toMatch(
      /unknown column 'colour'/,
    );
    expect(apiError(() => compileFiltersJson({ "price <": [1, 2] }, schema)).message).toMatch(/single value/);
    expect(apiError(() => compileFiltersJson({ "tags >": "a" }, schema)).message).toMatch(
      /array column 'tags'/,
    );
    expect(apiError(() => compileFiltersJson({ id: { a: 1 } }, schema)).message).toMatch(
      /filters_json\['id'\]/,
    );
    expect(apiError(() => compileFiltersJson("x", schema)).message).toMatch(/must encode a JSON object/);
  });

  it("LIKE without wildcards matches whole tokens only", () => {
    expect(likeMatch("a red car", "red")).toBe(true);
    expect(likeMatch("a reddish car", "red")).toBe(false);
    expect(likeMatch("a red car", "red car")).toBe(true);
    expect(likeMatch("a red sports car", "red car")).toBe(false);
  });
});

describe("filter_string", () => {
  it("supports comparisons, IN, LIKE, IS NULL, NOT, AND/OR and parentheses", () => {
    expect(pick(compileFilterString("price < 20 AND ok = true", schema))).toEqual([1]);
    expect(pick(compileFilterString("id IN (1, 3) OR name LIKE 'reddish'", schema))).toEqual([1, 2, 3]);
    expect(pick(compileFilterString("NOT (id = 1) AND name != 'blue'", schema))).toEqual([2]);
    expect(pick(compileFilterString("name NOT LIKE 'red%'", schema))).toEqual([3]);
    expect(pick(compileFilterString("name IS NOT NULL AND id NOT IN (2)", schema))).toEqual([1, 3]);
    expect(pick(compileFilterString("name = 'it''s'", schema))).toEqual([]);
  });

  it("reports syntax errors with positions and unknown columns by name", () => {
    expect(apiError(() => compileFilterString("price <", schema)).message).toMatch(/expected a value/);
    expect(apiError(() => compileFilterString("colour = 'x'", schema)).message).toMatch(
      /unknown column 'colour'/,
    );
    expect(apiError(() => compileFilterString("id = 1 id", schema)).message).toMatch(
      /unexpected 'id' at position 7/,
    );
    expect(apiError(() => compileFilterString("name = 'x", schema)).message).toMatch(/unterminated/);
  });
});

describe("ranking", () => {
  it("scores 1/(1+L2) with one dot-product pass, including after deletes", () => {
    const m = new VectorMatrix(2, 1);
    m.push([0, 0]);
    m.push([3, 4]);
    m.push([1, 0]);
    const s = l2Scores(m, [0, 0]);
    expect(Array.from(s)).toEqual([1, 1 / 6, 0.5]);
    expect(l2Score([0, 0], [3, 4])).toBe(1 / 6);
    expect(m.remove(0)).toBe(2);
    expect(Array.from(m.row(0))).toEqual([1, 0]);
    expect(Array.from(l2Scores(m, [0, 0]))).toEqual([0.5, 1 / 6]);
  });

  it("top-k keeps the best k, ties by lowest slot", () => {
    const scores = [0.5, 0.9, 0.5, 0.1, 0.9];
    const all = [0, 1, 2, 3, 4];
    expect(topK(all, 5, (i) => scores[i] as number, 3)).toEqual([1, 4, 0]);
    expect(topK(all, 5, (i) => scores[i] as number, 10)).toEqual([1, 4, 0, 2, 3]);
    expect(topK(all, 5, (i) => scores[i] as number, 0)).toEqual([]);
  });

  it("BM25 prefers rarer terms and shorter documents; zero without matches", () => {
    const docs = ["red car", "red red car with a long tail of words", "blue boat"].map(textTokens);
    const s = bm25Scores("red", docs);
    expect(s[0]).toBeGreaterThan(0);
    expect(s[2]).toBe(0);
    expect(s[0]).toBeGreaterThan(s[1] as number);
    const rare = bm25Scores("boat", docs);
    expect(rare[2]).toBeGreaterThan(s[0] as number);
  });

  it("reciprocal rank fusion sums 1/(60+rank)", () => {
    const f = reciprocalRankFusion([
      [7, 8],
      [8, 9],
    ]);
    expect(f.get(8)).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(f.get(7)).toBeCloseTo(1 / (RRF_K + 1));
    expect(f.get(9)).toBeCloseTo(1 / (RRF_K + 2));
  });

  it("local reranker: share of distinct query tokens present", () => {
    expect(rerankScore("red bike", "a red bike")).toBe(1);
    expect(rerankScore("red bike", "red car")).toBe(0.5);
    expect(rerankScore("", "x")).toBe(0);
  });
});

describe("DELTA_SYNC through the SourceTables interface", () => {
  const admin = makeIdentity("user", "admin@x", { admin: true });
  const table = {
    columns: [
      { name: "id", type: "bigint" },
      { name: "body", type: "string" },
      { name: "emb", type: "array<float>" },
    ],
    rows: [
      { id: 1, body: "alpha", emb: [1, 0] },
      { id: 2, body: "beta", emb: [0, 1] },
    ],
  };
  const tables: SourceTables = { readTable: async () => table };
  const clock = new Clock();
  const store = new VectorSearchStore({
    clock,
    transitionMs: 0,
    sourceTables: tables,
    embed: (_ep, texts) => ({ dim: 2, vectors: texts.map((t) => (t === "alpha" ? [1, 0] : [0, 1])) }),
    onChange: () => {},
  });
  store.createEndpoint(admin, { name: "ep" });

  it("loads self-managed vectors, syncs new rows and refuses writes", async () => {
    const idx = await store.createIndex(admin, {
      name: "c.s.self",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DELTA_SYNC",
      delta_sync_index_spec: {
        source_table: "c.s.t",
        pipeline_type: "TRIGGERED",
        embedding_vector_columns: [{ name: "emb", embedding_dimension: 2 }],
      },
    });
    expect(store.dataOf(idx).size).toBe(2);
    expect(store.detailedState(idx)).toBe("ONLINE_NO_PENDING_UPDATE");
    table.rows.push({ id: 3, body: "gamma", emb: [1, 1] });
    await store.sync(idx, admin);
    expect(store.dataOf(idx).size).toBe(3);
    expect(apiError(() => store.upsert(admin, idx, "[]")).message).toMatch(
      /DELTA_SYNC index.*Write to the source table/,
    );
    expect(apiError(() => store.deleteRows(idx, ["1"])).message).toMatch(/DELTA_SYNC/);
  });

  it("embeds the source column for managed indexes (CONTINUOUS reports its state)", async () => {
    const idx = await store.createIndex(admin, {
      name: "c.s.managed",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DELTA_SYNC",
      delta_sync_index_spec: {
        source_table: "c.s.t",
        pipeline_type: "CONTINUOUS",
        columns_to_sync: ["body"],
        embedding_source_columns: [{ name: "body", embedding_model_endpoint_name: "e" }],
      },
    });
    expect(Object.keys(idx.schema)).toEqual(["id", "body"]);
    expect(Array.from(store.dataOf(idx).matrix.row(0))).toEqual([1, 0]);
    expect(store.detailedState(idx)).toBe("ONLINE_CONTINUOUS_UPDATE");
  });
});
