// The goals of issues 3, 4, 6 and 7 as data. Each refers to a ratio key a suite records; the report evaluates
// them, so changing a goal never means touching measurement code.
import type { Goal, GoalResult, SuiteResult } from "./types.js";

export const GOALS: readonly Goal[] = [
  {
    key: "latency.ours_over_floor",
    op: "<=",
    threshold: 1.25,
    issue: 6,
    description: "ChatDatabricks.invoke per call <= 1.25x the LangChain floor",
  },
  {
    key: "latency.ours_over_raw",
    op: "<=",
    threshold: 2.5,
    issue: 7,
    description: "ChatDatabricks.invoke vs raw undici.request (reported, not gated)",
    informational: true,
  },
  {
    key: "latency.chatopenai_over_ours",
    op: ">=",
    threshold: 3,
    issue: 6,
    description: "ChatDatabricks.invoke at least 3x faster than ChatOpenAI",
  },
  {
    key: "latency.peer_over_ours",
    op: ">=",
    threshold: 3,
    issue: 7,
    description: "ChatDatabricks.invoke at least 3x faster than @databricks/langchainjs",
  },
  {
    key: "latency.query_over_raw",
    op: "<=",
    threshold: 1.15,
    issue: 4,
    description: "ServingEndpointsClient.query round trip <= 1.15x raw undici.request",
  },
  {
    key: "stream.ttft_ours_over_raw",
    op: "<=",
    threshold: 1.2,
    issue: 7,
    description: "Streaming time to first token <= 1.2x raw",
  },
  {
    key: "latency.ours_over_floor",
    op: "<=",
    threshold: 1.1,
    issue: 13,
    description: "ChatDatabricks.invoke per call <= 1.10x the LangChain floor (issue 13 tightens #6's 1.25x)",
  },
  {
    key: "stream.ttft_ours_over_raw",
    op: "<=",
    threshold: 1.1,
    issue: 13,
    description: "Streaming time to first token <= 1.1x raw (issue 13 tightens #7's 1.2x)",
  },
  {
    key: "concurrency.c1.ours_over_floor",
    op: ">=",
    threshold: 0.95,
    issue: 13,
    description: "Chat invoke throughput at 1 in flight >= 0.95x the LangChain floor's",
  },
  {
    key: "concurrency.c4.ours_over_floor",
    op: ">=",
    threshold: 0.95,
    issue: 13,
    description: "Chat invoke throughput at 4 in flight >= 0.95x the LangChain floor's",
  },
  {
    key: "concurrency.c16.ours_over_floor",
    op: ">=",
    threshold: 0.95,
    issue: 13,
    description: "Chat invoke throughput at 16 in flight >= 0.95x the LangChain floor's",
  },
  {
    key: "concurrency.c64.ours_over_floor",
    op: ">=",
    threshold: 0.95,
    issue: 13,
    description: "Chat invoke throughput at 64 in flight >= 0.95x the LangChain floor's",
  },
  {
    key: "embeddings.ours_over_openai",
    op: ">=",
    threshold: 1.5,
    issue: 7,
    description: "Embeddings throughput >= 1.5x OpenAIEmbeddings (each at its defaults)",
  },
  {
    key: "footprint.import_overhead_ms",
    op: "<=",
    threshold: 50,
    issue: 7,
    description: "Cold import overhead of ChatDatabricks over @langchain/core <= 50 ms",
  },
  {
    key: "footprint.bundle_overhead_kb",
    op: "<=",
    threshold: 50,
    issue: 7,
    description: "Bundle overhead of ChatDatabricks over @langchain/core <= 50 KB min+gz",
  },
  {
    key: "server.emulator_auth_over_bare",
    op: ">=",
    threshold: 0.6,
    issue: 13,
    description: "Emulator req/s on chat invocations (with auth) >= 0.6x bare node:http",
  },
  {
    key: "server.emulator_noauth_over_bare",
    op: ">=",
    threshold: 0.5,
    issue: 3,
    description: "Emulator req/s on chat invocations (auth off) >= 0.5x bare node:http",
  },
  {
    key: "memory.heap_growth",
    op: "<=",
    threshold: 1.1,
    issue: 7,
    description: "Heap after GC at the last invoke <= 1.10x heap after 10% of the invokes",
  },
  {
    key: "uc.batch_client_over_statement",
    op: "<=",
    threshold: 1.1,
    issue: 15,
    description: "Batch ai_query over 10,000 rows: client end-to-end <= 1.1x the statement's execution time",
  },
  {
    key: "uc.download_sequential_over_parallel",
    op: ">=",
    threshold: 3,
    issue: 15,
    description: "1,000,000 x 3 EXTERNAL_LINKS download: parallel >= 3x faster than one chunk at a time",
  },
  {
    key: "uc.tool_over_statement",
    op: "<=",
    threshold: 1.15,
    issue: 15,
    description: "UCFunctionToolkit tool call <= 1.15x a bare statement execution",
  },
  {
    key: "vector_search.similarity_over_raw",
    op: "<=",
    threshold: 1.15,
    issue: 16,
    description:
      "DatabricksVectorSearch.similaritySearch per call <= 1.15x a raw undici query on the same index",
  },
  {
    key: "vector_search.query_over_scan",
    op: "<=",
    threshold: 2,
    issue: 16,
    description: "Emulator query over 100,000 x 1,024 <= 2x a bare Float32Array dot-product scan (same run)",
  },
  {
    key: "vector_search.rag_over_parts",
    op: "<=",
    threshold: 1.1,
    issue: 16,
    description: "RAG chain (retriever + ChatDatabricks) <= 1.10x the same two calls made by hand",
  },
  {
    key: "lakebase.checkpoint_ours_over_plain",
    op: "<=",
    threshold: 1.1,
    issue: 17,
    description:
      "Checkpoint put+get through LakebasePool <= 1.1x PostgresSaver on a plain pg pool (same endpoint)",
  },
  {
    key: "lakebase.p99_rotation_over_steady",
    op: "<=",
    threshold: 2,
    issue: 17,
    description: "Checkpoint read p99 during a credential rotation within 2x of p99 outside one",
  },
];

/** Evaluate every goal against the ratios recorded by the suites (first suite recording a key wins). */
export function evaluateGoals(suites: readonly SuiteResult[], goals: readonly Goal[] = GOALS): GoalResult[] {
  const ratios = new Map<string, number>();
  for (const suite of suites) {
    for (const r of suite.ratios) if (!ratios.has(r.key)) ratios.set(r.key, r.value);
  }
  return goals.map((goal) => {
    const value = ratios.get(goal.key);
    if (value === undefined || !Number.isFinite(value))
      return { ...goal, value: null, verdict: "not measured" };
    const ok = goal.op === "<=" ? value <= goal.threshold : value >= goal.threshold;
    return { ...goal, value, verdict: ok ? "met" : "missed" };
  });
}
