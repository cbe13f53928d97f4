/**
 * The query engine of one index (pure over its data): parse the request, filter, score (ANN, HYBRID,
 * FULL_TEXT), threshold, rerank and cut. Wire shapes: packages/databricks-emulator/spec/vector-search.md
 * sections "Query" and "Scores".
 */
import { invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import { compileFilterString, compileFiltersJson, type Predicate, type Schema } from "./filters.js";
import type { IndexData } from "./index-data.js";
import { bm25Scores, l2Scores, reciprocalRankFusion, rerankScore, topK } from "./ranking.js";

export const MAX_RESULTS = 10_000;
export const PAGE_SIZE = 1000;
export const TEXT_QUERY_CAP = 200;
export const RERANK_WINDOW = 50;
export const RERANK_TEXT_CHARS = 2000;

export type QueryType = "ANN" | "HYBRID" | "FULL_TEXT";

export interface ParsedQuery {
  columns: string[];
  numResults: number;
  queryType: QueryType;
  queryText?: string;
  queryVector?: number[];
  predicate?: Predicate;
  scoreThreshold: number;
  rerankColumns?: string[];
  debugLevel: number;
}

/** What the engine needs to know about the index it runs on. */
export interface QueryTarget {
  name: string;
  schema: Schema;
  /** The embedding vector column (self-managed) if any; returned as a column when requested. */
  vectorColumn?: string;
  dim: number;
  /** Managed embeddings: queries by text are embedded with this. */
  managed: boolean;
  hasVectors: boolean;
  /** Whether any column feeds full-text search (string columns, or the managed source column). */
  hasText: boolean;
  storageOptimized: boolean;
  subtype?: string;
}

const KNOWN = new Set([
  "columns",
  "query_text",
  "query",
  "query_vector",
  "num_results",
  "query_type",
  "filters_json",
  "filter_string",
  "score_threshold",
  "reranker",
  "columns_to_rerank",
  "debug_level",
  "query_columns",
  "sort_columns",
  "facets",
  "endpoint_name",
]);

const strList = (v: unknown, field: string): string[] => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw invalidParameter(`${field} must be a list of column names.`);
  }
  return v as string[];
};

const checkColumns = (cols: string[], t: QueryTarget, field: string): void => {
  for (const c of cols) {
    if (t.schema[c] === undefined && c !== t.vectorColumn) {
      throw invalidParameter(
        `${field}: unknown column '${c}' for index '${t.name}'. Known columns: ${Object.keys(t.schema).join(", ")}.`,
      );
    }
  }
};

/** Validates a query body against the index; every error is 400 INVALID_PARAMETER_VALUE naming the field. */
export const parseQuery = (body: JsonObject, t: QueryTarget): ParsedQuery => {
  for (const k of Object.keys(body)) {
    if (!KNOWN.has(k)) throw invalidParameter(`Unknown field '${k}' in the query request.`);
  }
  if (body.columns === undefined || body.columns === null) {
    throw invalidParameter("columns is required: list the columns to return.");
  }
  const columns = strList(body.columns, "columns");
  if (columns.length === 0) throw invalidParameter("columns must name at least one column.");
  checkColumns(columns, t, "columns");
  const n = body.num_results ?? 10;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw invalidParameter(`num_results must be a positive integer, got ${JSON.stringify(n)}.`);
  }
  if (n > MAX_RESULTS) throw invalidParameter(`num_results must be at most ${MAX_RESULTS}, got ${n}.`);
  const rawType = body.query_type ?? "ANN";
  if (typeof rawType !== "string") throw invalidParameter("query_type must be a string.");
  const queryType = rawType.toUpperCase() as QueryType;
  if (!["ANN", "HYBRID", "FULL_TEXT"].includes(queryType)) {
    throw invalidParameter(`query_type must be one of ANN, HYBRID, FULL_TEXT; got '${rawType}'.`);
  }
  const text = body.query_text ?? body.query;
  if (text !== undefined && text !== null && typeof text !== "string") {
    throw invalidParameter("query_text must be a string.");
  }
  const queryText = typeof text === "string" && text !== "" ? text : undefined;
  let queryVector: number[] | undefined;
  if (body.query_vector !== undefined && body.query_vector !== null) {
    const v = body.query_vector;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
      throw invalidParameter("query_vector must be a list of numbers.");
    }
    if (v.length !== t.dim) {
      throw invalidParameter(
        `query_vector has ${v.length} dimensions but index '${t.name}' has embedding dimension ${t.dim}.`,
      );
    }
    queryVector = v as number[];
  }
  if (queryType !== "ANN" && t.subtype === "VECTOR") {
    throw invalidParameter(`query_type ${queryType} is not supported by index '${t.name}' (subtype VECTOR).`);
  }
  if (queryType !== "FULL_TEXT" && !t.hasVectors) {
    throw invalidParameter(
      `query_type ${queryType} is not supported by index '${t.name}': it has no embeddings.`,
    );
  }
  if (queryType !== "ANN" && !t.hasText) {
    throw invalidParameter(
      `query_type ${queryType} is not supported by index '${t.name}': it has no text columns to search.`,
    );
  }
  if (queryType === "ANN" && !queryVector && !(t.managed && queryText)) {
    throw invalidParameter(
      t.managed
        ? "query_text or query_vector is required for an ANN query."
        : `query_vector is required: index '${t.name}' uses self-managed embeddings.`,
    );
  }
  if (queryType !== "ANN" && !queryText) {
    throw invalidParameter(`query_text is required for query_type ${queryType}.`);
  }
  if (queryType === "HYBRID" && !queryVector && !t.managed) {
    throw invalidParameter(`query_vector is required for a HYBRID query on a self-managed index.`);
  }
  let predicate: Predicate | undefined;
  const fj = body.filters_json;
  const fs = body.filter_string;
  if (fj !== undefined && fj !== null && fj !== "") {
    if (t.storageOptimized) {
      throw invalidParameter(
        "filters_json is not supported on STORAGE_OPTIMIZED endpoints; use filter_string.",
      );
    }
    let decoded: unknown = fj;
    if (typeof fj === "string") {
      try {
        decoded = JSON.parse(fj);
      } catch {
        throw invalidParameter("filters_json is not valid JSON.");
      }
    }
    predicate = compileFiltersJson(decoded, t.schema);
  }
  if (fs !== undefined && fs !== null && fs !== "") {
    if (typeof fs !== "string") throw invalidParameter("filter_string must be a string.");
    if (!t.storageOptimized) {
      throw invalidParameter(
        "filter_string is only supported on STORAGE_OPTIMIZED endpoints; use filters_json.",
      );
    }
    predicate = compileFilterString(fs, t.schema);
  }
  const st = body.score_threshold ?? 0;
  if (typeof st !== "number" || !Number.isFinite(st))
    throw invalidParameter("score_threshold must be a number.");
  let rerankColumns: string[] | undefined;
  if (body.reranker !== undefined && body.reranker !== null) {
    const r = body.reranker;
    if (!isObject(r)) throw invalidParameter("reranker must be an object.");
    if (r.model !== undefined && typeof r.model !== "string")
      throw invalidParameter("reranker.model must be a string.");
    const params = r.parameters;
    if (!isObject(params) || params.columns_to_rerank === undefined) {
      throw invalidParameter("reranker.parameters.columns_to_rerank is required.");
    }
    rerankColumns = strList(params.columns_to_rerank, "reranker.parameters.columns_to_rerank");
  } else if (body.columns_to_rerank !== undefined && body.columns_to_rerank !== null) {
    rerankColumns = strList(body.columns_to_rerank, "columns_to_rerank");
  }
  if (rerankColumns) {
    checkColumns(rerankColumns, t, "columns_to_rerank");
    if (!queryText) throw invalidParameter("query_text is required when reranking.");
  }
  const dl = body.debug_level ?? 0;
  if (typeof dl !== "number" || !Number.isInteger(dl))
    throw invalidParameter("debug_level must be an integer.");
  return {
    columns,
    numResults: n,
    queryType,
    ...(queryText !== undefined ? { queryText } : {}),
    ...(queryVector ? { queryVector } : {}),
    ...(predicate ? { predicate } : {}),
    scoreThreshold: st,
    ...(rerankColumns ? { rerankColumns } : {}),
    debugLevel: dl,
  };
};

/** One scored hit: a slot of the index data and its score. */
export interface Hit {
  slot: number;
  score: number;
}

/**
 * Runs a parsed query. `vector` is the query vector (given, or the embedded query text for managed indexes).
 * Results are ordered by score descending, ties by primary key insertion slot.
 */
export const runQuery = (data: IndexData, q: ParsedQuery, vector: ArrayLike<number> | undefined): Hit[] => {
  const n = data.size;
  const cand: number[] = [];
  for (let s = 0; s < n; s++) {
    if (!q.predicate || q.predicate((data.rows[s] as { values: Record<string, unknown> }).values))
      cand.push(s);
  }
  const limit = q.queryType === "ANN" ? q.numResults : Math.min(q.numResults, TEXT_QUERY_CAP);
  const want = q.rerankColumns ? Math.max(limit, RERANK_WINDOW) : limit;
  let hits: Hit[];
  if (q.queryType === "ANN") {
    const scores = l2Scores(data.matrix, vector as ArrayLike<number>);
    const pass = q.scoreThreshold > 0 ? cand.filter((s) => (scores[s] as number) >= q.scoreThreshold) : cand;
    hits = topK(pass, pass.length, (s) => scores[s] as number, want).map((slot) => ({
      slot,
      score: scores[slot] as number,
    }));
  } else {
    const docs = cand.map((s) => data.tokensOf(s));
    const bm = bm25Scores(q.queryText as string, docs);
    const textIdx: number[] = [];
    for (let i = 0; i < cand.length; i++) if ((bm[i] as number) > 0) textIdx.push(i);
    const textRank = topK(textIdx, textIdx.length, (i) => bm[i] as number, TEXT_QUERY_CAP).map(
      (i) => cand[i] as number,
    );
    if (q.queryType === "FULL_TEXT") {
      const bySlot = new Map(cand.map((s, i) => [s, bm[i] as number]));
      hits = textRank.map((slot) => ({ slot, score: bySlot.get(slot) as number }));
    } else {
      const scores = l2Scores(data.matrix, vector as ArrayLike<number>);
      const vecRank = topK(cand, cand.length, (s) => scores[s] as number, TEXT_QUERY_CAP);
      const fused = reciprocalRankFusion([vecRank, textRank]);
      const items = [...fused.keys()];
      hits = topK(items, items.length, (s) => fused.get(s) as number, TEXT_QUERY_CAP).map((slot) => ({
        slot,
        score: fused.get(slot) as number,
      }));
    }
    if (q.scoreThreshold > 0) hits = hits.filter((h) => h.score >= q.scoreThreshold);
    hits = hits.slice(0, want);
  }
  if (q.rerankColumns) {
    const cols = q.rerankColumns;
    const window = hits.slice(0, RERANK_WINDOW).map((h, i) => {
      const values = (data.rows[h.slot] as { values: Record<string, unknown> }).values;
      const text = cols
        .map((c) => (values[c] === undefined || values[c] === null ? "" : String(values[c])))
        .join(" ")
        .slice(0, RERANK_TEXT_CHARS);
      return { slot: h.slot, score: rerankScore(q.queryText as string, text), i };
    });
    window.sort((a, b) => b.score - a.score || a.i - b.i);
    hits = [...window.map(({ slot, score }) => ({ slot, score })), ...hits.slice(RERANK_WINDOW)];
  }
  return hits.slice(0, limit);
};
