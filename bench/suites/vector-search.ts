// Vector Search (issue 16): (1) DatabricksVectorSearch.similaritySearch per call vs a raw undici query request on
// the same index; (2) the emulator's query over N rows x 1024 dims vs a bare Float32Array dot-product scan over the
// same data in the same process; upsert of N rows in batches as rows/s with memory; (3) a RAG chain (retriever +
// ChatDatabricks) vs the sum of the two calls measured alone.
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { ourExport } from "../lib/load.js";
import { closeAll, errorMessage, runInterleaved, type Subject } from "../lib/measure.js";
import { addLatency, addRatio, emptyResult } from "../lib/result.js";
import { median, pairedRatio, round, summarize } from "../lib/stats.js";
import { startEmulatorTarget } from "../lib/target.js";
import type { Suite, SuiteContext, SuiteResult, Target } from "../lib/types.js";

export interface VectorSearchOptions {
  /** Rows of the small managed-embedding index used for the per-call comparisons. */
  smallRows: number;
  /** Rows x 1024 dims of the large self-managed index. */
  largeRows: number;
  dim: number;
  upsertBatch: number;
  warmup: number;
  rounds: number;
  iterations: number;
  /** Queries timed on the large index (and bare scans). */
  largeQueries: number;
}

export function vectorSearchOptions(quick: boolean): VectorSearchOptions {
  return quick
    ? {
        smallRows: 200,
        largeRows: 2_000,
        dim: 1024,
        upsertBatch: 500,
        warmup: 3,
        rounds: 2,
        iterations: 10,
        largeQueries: 2,
      }
    : {
        // About two minutes on 2 cores, most of it generating and upserting the 100,000 x 1,024 rows.
        smallRows: 1_000,
        largeRows: 100_000,
        dim: 1024,
        upsertBatch: 500,
        warmup: 10,
        rounds: 4,
        iterations: 40,
        largeQueries: 5,
      };
}

const V = "/api/2.0/vector-search";

/** Deterministic pseudo-random floats (mulberry32), rounded to 4 decimals so request bodies stay small. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function api(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await request(`${target.url}${path}`, {
    method: method as "POST",
    headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.body.json()) as Record<string, unknown>;
  if (res.statusCode !== 200)
    throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

const TOPICS = ["refund", "vacation", "invoice", "laptop", "security", "travel", "payroll", "holiday"];
const smallText = (i: number) =>
  `policy note ${i} about ${TOPICS[i % TOPICS.length]} and ${TOPICS[(i * 3) % TOPICS.length]} for team ${i % 11}`;

async function setup(target: Target, opts: VectorSearchOptions): Promise<void> {
  await api(target, "POST", `${V}/endpoints`, { name: "bench-vs", endpoint_type: "STANDARD" });
  await api(target, "POST", `${V}/indexes`, {
    name: "bench.vs.small",
    endpoint_name: "bench-vs",
    primary_key: "id",
    index_type: "DIRECT_ACCESS",
    direct_access_index_spec: {
      schema_json: JSON.stringify({ id: "int", text: "string", team: "int" }),
      embedding_source_columns: [{ name: "text", embedding_model_endpoint_name: target.embeddingEndpoint }],
    },
  });
  for (let i = 0; i < opts.smallRows; i += 500) {
    const rows = Array.from({ length: Math.min(500, opts.smallRows - i) }, (_, j) => ({
      id: i + j,
      text: smallText(i + j),
      team: (i + j) % 11,
    }));
    await api(target, "POST", `${V}/indexes/bench.vs.small/upsert-data`, {
      inputs_json: JSON.stringify(rows),
    });
  }
}

/** (1) similaritySearch vs the same request sent with raw undici. */
async function perCall(ctx: SuiteContext, target: Target, opts: VectorSearchOptions, result: SuiteResult) {
  const Store =
    await ourExport<
      new (
        f: Record<string, unknown>,
      ) => { similaritySearch(q: string, k: number): Promise<unknown[]> }
    >("DatabricksVectorSearch");
  if (!Store.ok) {
    result.skippedSubjects.push({ subject: "DatabricksVectorSearch", reason: Store.reason });
    return;
  }
  const store = new Store.value({
    indexName: "bench.vs.small",
    host: target.url,
    token: target.token,
    maxRetries: 0,
  });
  const query = "how are refunds for a laptop handled";
  const columns = ["id", "text"];
  const rawBody = JSON.stringify({ columns, num_results: 4, query_text: query });
  const subjects: Subject[] = [
    {
      name: "raw undici POST /query",
      call: async () => {
        const res = await request(`${target.url}${V}/indexes/bench.vs.small/query`, {
          method: "POST",
          headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
          body: rawBody,
        });
        const j = (await res.body.json()) as { result?: { data_array?: unknown[][] } };
        if (res.statusCode !== 200 || (j.result?.data_array?.length ?? 0) !== 4)
          throw new Error("raw query failed");
      },
    },
    {
      name: "DatabricksVectorSearch.similaritySearch",
      call: async () => {
        const docs = await store.similaritySearch(query, 4);
        if (docs.length !== 4) throw new Error("similaritySearch returned the wrong count");
      },
    },
  ];
  const r = await runInterleaved(subjects, opts);
  for (const [name, reason] of r.failures) result.skippedSubjects.push({ subject: name, reason });
  const raw = r.results.get("raw undici POST /query");
  const ours = r.results.get("DatabricksVectorSearch.similaritySearch");
  if (raw)
    addLatency(result, "raw undici POST /query", `query (${opts.smallRows} rows)`, summarize(raw.samples));
  if (ours)
    addLatency(
      result,
      "DatabricksVectorSearch.similaritySearch",
      `k=4 (${opts.smallRows} rows)`,
      summarize(ours.samples),
    );
  if (raw && ours) {
    addRatio(
      result,
      "vector_search.similarity_over_raw",
      "similaritySearch / raw undici query",
      pairedRatio(ours.roundMedians, raw.roundMedians),
    );
  }
  ctx.log(`vector-search: per-call done`);
}

/** (3) A RAG chain vs its two calls measured alone. */
async function rag(ctx: SuiteContext, target: Target, opts: VectorSearchOptions, result: SuiteResult) {
  const Store =
    await ourExport<
      new (
        f: Record<string, unknown>,
      ) => { asRetriever(k: number): { invoke(q: string): Promise<{ pageContent: string }[]> } }
    >("DatabricksVectorSearch");
  const Chat =
    await ourExport<
      new (
        f: Record<string, unknown>,
      ) => { invoke(input: string): Promise<{ content: unknown }> }
    >("ChatDatabricks");
  if (!Store.ok || !Chat.ok) {
    result.skippedSubjects.push({
      subject: "RAG chain",
      reason: Store.ok ? (Chat as { reason: string }).reason : Store.reason,
    });
    return;
  }
  const { RunnableLambda, RunnableSequence } = await import("@langchain/core/runnables");
  const retriever = new Store.value({
    indexName: "bench.vs.small",
    host: target.url,
    token: target.token,
    maxRetries: 0,
  }).asRetriever(4);
  const chat = new Chat.value({
    model: target.chatEndpoint,
    host: target.url,
    token: target.token,
    maxRetries: 0,
    maxTokens: 32,
  });
  const question = "how are refunds for a laptop handled";
  const prompt = (docs: { pageContent: string }[]) =>
    `Answer from the context.\nContext:\n${docs.map((d) => d.pageContent).join("\n")}\nQuestion: ${question}`;
  const fixedDocs = await retriever.invoke(question);
  const fixedPrompt = prompt(fixedDocs);
  const chain = RunnableSequence.from([
    retriever as never,
    RunnableLambda.from((docs: { pageContent: string }[]) => prompt(docs)),
    chat as never,
  ]);
  // "The two calls' own costs": the same two calls made back to back by hand (no Runnable machinery), and, for
  // reference, each call alone in its own loop.
  const subjects: Subject[] = [
    { name: "retriever.invoke", call: () => retriever.invoke(question) },
    { name: "ChatDatabricks.invoke (same prompt)", call: () => chat.invoke(fixedPrompt) },
    {
      name: "retriever then chat, by hand",
      call: async () => chat.invoke(prompt(await retriever.invoke(question))),
    },
    { name: "RAG chain (retriever -> prompt -> chat)", call: () => chain.invoke(question) },
  ];
  const r = await runInterleaved(subjects, {
    ...opts,
    iterations: Math.max(5, Math.floor(opts.iterations / 2)),
  });
  for (const [name, reason] of r.failures) result.skippedSubjects.push({ subject: name, reason });
  const ret = r.results.get("retriever.invoke");
  const llm = r.results.get("ChatDatabricks.invoke (same prompt)");
  const manual = r.results.get("retriever then chat, by hand");
  const ch = r.results.get("RAG chain (retriever -> prompt -> chat)");
  for (const [name, s] of [
    ["retriever.invoke", ret],
    ["ChatDatabricks.invoke (same prompt)", llm],
    ["retriever then chat, by hand", manual],
    ["RAG chain", ch],
  ] as const) {
    if (s) addLatency(result, name, "per call", summarize(s.samples));
  }
  if (manual && ch) {
    addRatio(
      result,
      "vector_search.rag_over_parts",
      "RAG chain / (retriever then chat by hand)",
      pairedRatio(ch.roundMedians, manual.roundMedians),
    );
  }
  if (ret && llm && ch) {
    const parts = ret.roundMedians.map((v, i) => v + (llm.roundMedians[i] as number));
    addRatio(
      result,
      "vector_search.rag_over_isolated_parts",
      "RAG chain / (retriever alone + chat alone, each in its own loop)",
      pairedRatio(ch.roundMedians, parts),
    );
    result.notes.push(
      "Each call alone runs on a warm connection of its own client; alternating the vector-search client and the chat client (by hand or in the chain) costs a few ms more on the in-process emulator, so the gated ratio compares the chain with the same two calls made by hand.",
    );
  }
  ctx.log("vector-search: RAG done");
}

/** (2) Upsert rows/s with memory, then query time over the large index vs a bare Float32Array dot-product scan. */
async function large(ctx: SuiteContext, target: Target, opts: VectorSearchOptions, result: SuiteResult) {
  const name = "bench.vs.large";
  await api(target, "POST", `${V}/indexes`, {
    name,
    endpoint_name: "bench-vs",
    primary_key: "id",
    index_type: "DIRECT_ACCESS",
    direct_access_index_spec: {
      schema_json: JSON.stringify({ id: "int", v: "array<float>" }),
      embedding_vector_columns: [{ name: "v", embedding_dimension: opts.dim }],
    },
  });
  const rand = rng(16);
  // The same data as one Float32Array for the bare scan.
  const bare = new Float32Array(opts.largeRows * opts.dim);
  global.gc?.();
  const before = process.memoryUsage();
  let upsertMs = 0;
  for (let i = 0; i < opts.largeRows; i += opts.upsertBatch) {
    const n = Math.min(opts.upsertBatch, opts.largeRows - i);
    const rows = new Array(n);
    for (let j = 0; j < n; j++) {
      const v = new Array(opts.dim);
      for (let d = 0; d < opts.dim; d++) {
        const x = Math.round((rand() * 2 - 1) * 1e4) / 1e4;
        v[d] = x;
        bare[(i + j) * opts.dim + d] = x;
      }
      rows[j] = { id: i + j, v };
    }
    const body = { inputs_json: JSON.stringify(rows) };
    const t0 = performance.now();
    await api(target, "POST", `${V}/indexes/${name}/upsert-data`, body);
    upsertMs += performance.now() - t0;
  }
  const after = process.memoryUsage();
  const rowsPerSec = (opts.largeRows / upsertMs) * 1000;
  result.measurements.push({
    subject: "emulator upsert-data",
    metric: `${opts.largeRows} rows x ${opts.dim} dims, batches of ${opts.upsertBatch}`,
    unit: "rows/s",
    value: round(rowsPerSec, 1),
  });
  result.measurements.push({
    subject: "memory (bench + in-process emulator)",
    metric: "RSS growth over the upserts",
    unit: "MB",
    value: round((after.rss - before.rss) / 1e6, 1),
  });
  const vectorMb = (opts.largeRows * opts.dim * 4) / 1e6;
  result.notes.push(
    `Upsert: ${round(rowsPerSec, 0)} rows/s; RSS +${round((after.rss - before.rss) / 1e6, 0)} MB while the vectors themselves are ${round(vectorMb, 0)} MB as float32 (held twice here: the index and the bare-scan copy).`,
  );

  const q = Array.from({ length: opts.dim }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4);
  const qf = Float32Array.from(q);
  // The tightest plain loop: locals only, one multiply-add per element (no norms, no top-k).
  const rowsN = opts.largeRows;
  const dim = opts.dim;
  const bareScan = (): Float64Array => {
    const out = new Float64Array(rowsN);
    const data = bare;
    const qv = qf;
    for (let r = 0, off = 0; r < rowsN; r++, off += dim) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += (data[off + d] as number) * (qv[d] as number);
      out[r] = dot;
    }
    return out;
  };
  const queryBody = JSON.stringify({ columns: ["id"], query_vector: q, num_results: 10 });
  const queryOnce = async () => {
    const res = await request(`${target.url}${V}/indexes/${name}/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
      body: queryBody,
    });
    const j = (await res.body.json()) as { result?: { row_count?: number } };
    if (res.statusCode !== 200 || j.result?.row_count !== 10)
      throw new Error(`large query failed: ${res.statusCode}`);
  };
  await queryOnce();
  bareScan();
  bareScan();
  const scanTimes: number[] = [];
  const queryTimes: number[] = [];
  for (let i = 0; i < opts.largeQueries; i++) {
    // Alternate, so background load lands on both alike.
    let t0 = performance.now();
    bareScan();
    scanTimes.push(performance.now() - t0);
    t0 = performance.now();
    await queryOnce();
    queryTimes.push(performance.now() - t0);
  }
  addLatency(
    result,
    "bare Float32Array dot-product scan",
    `${opts.largeRows} x ${opts.dim}`,
    summarize(scanTimes),
  );
  addLatency(
    result,
    "emulator query over HTTP (top 10)",
    `${opts.largeRows} x ${opts.dim}`,
    summarize(queryTimes),
  );
  addRatio(
    result,
    "vector_search.query_over_scan",
    "emulator query / bare dot-product scan",
    median(queryTimes) / median(scanTimes),
  );
  ctx.log("vector-search: large done");
}

export const vectorSearchSuite: Suite = {
  id: "vector-search",
  title: "Vector Search: similaritySearch vs raw, exact search vs a bare scan, upsert rate, RAG overhead",
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const result = emptyResult("vector-search", this.title);
    const opts = vectorSearchOptions(ctx.config.quick);
    // Our own in-process emulator: its memory is this process's, and its indexes do not outlive the suite.
    const started = await startEmulatorTarget({ transitionMs: 0, requestLog: false });
    if (typeof started === "string") return { ...result, status: "skipped", reason: started };
    const target = started;
    try {
      await setup(target, opts);
      await perCall(ctx, target, opts, result);
      await rag(ctx, target, opts, result);
      await large(ctx, target, opts, result);
    } catch (err) {
      return { ...result, status: "error", reason: errorMessage(err) };
    } finally {
      await closeAll([]);
      await target.close();
    }
    return result;
  },
};
