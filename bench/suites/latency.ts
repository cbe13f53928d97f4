// Suite 1: per-call latency of one chat invoke, every client against the same target, interleaved rounds.
import { type Made, makeChatSubjects, NAMES } from "../lib/chat-subjects.js";
import { closeAll, runInterleaved, type Subject } from "../lib/measure.js";
import { addLatency, addRatio, emptyResult } from "../lib/result.js";
import { pairedRatio, summarize } from "../lib/stats.js";
import type { Suite, SuiteResult } from "../lib/types.js";

export interface LatencyOptions {
  warmup: number;
  rounds: number;
  iterations: number;
  /** Restrict to these subject names (tests use the raw ones only); all when absent. */
  subjects?: readonly string[];
}

export function latencyOptions(quick: boolean): LatencyOptions {
  return quick ? { warmup: 20, rounds: 3, iterations: 30 } : { warmup: 200, rounds: 20, iterations: 150 };
}

export function splitMade(made: readonly Made[], result: SuiteResult): Subject[] {
  const subjects: Subject[] = [];
  for (const m of made) {
    if (m.ok) subjects.push(m.subject);
    else result.skippedSubjects.push({ subject: m.name, reason: m.reason });
  }
  return subjects;
}

export async function runLatency(
  ctx: Parameters<Suite["run"]>[0],
  opts: LatencyOptions,
): Promise<SuiteResult> {
  const result = emptyResult("latency", "Per-call latency of a chat invoke");
  const made = await makeChatSubjects(ctx.target, { includeQuery: true, only: opts.subjects });
  const subjects = splitMade(made, result);
  try {
    ctx.log(`latency: ${subjects.length} subjects, ${opts.rounds} rounds x ${opts.iterations} calls`);
    const { results, failures } = await runInterleaved(subjects, opts);
    for (const [subject, reason] of failures)
      result.skippedSubjects.push({ subject, reason: `failed: ${reason}` });
    for (const [name, r] of results) addLatency(result, name, "invoke", summarize(r.samples));
    const rounds = (name: string): number[] => results.get(name)?.roundMedians ?? [];
    const ratio = (a: string, b: string): number => pairedRatio(rounds(a), rounds(b));
    addRatio(
      result,
      "latency.ours_over_floor",
      "ChatDatabricks / LangChain floor",
      ratio(NAMES.ours, NAMES.floor),
    );
    addRatio(result, "latency.ours_over_raw", "ChatDatabricks / raw undici", ratio(NAMES.ours, NAMES.raw));
    addRatio(result, "latency.floor_over_raw", "LangChain floor / raw undici", ratio(NAMES.floor, NAMES.raw));
    addRatio(result, "latency.fetch_over_raw", "raw fetch / raw undici", ratio(NAMES.fetch, NAMES.raw));
    addRatio(result, "latency.node_over_raw", "raw node:http / raw undici", ratio(NAMES.node, NAMES.raw));
    addRatio(
      result,
      "latency.chatopenai_over_ours",
      "ChatOpenAI / ChatDatabricks",
      ratio(NAMES.chatOpenAI, NAMES.ours),
    );
    addRatio(
      result,
      "latency.peer_over_ours",
      "@databricks/langchainjs / ChatDatabricks",
      ratio(NAMES.peer, NAMES.ours),
    );
    addRatio(
      result,
      "latency.chatopenai_over_floor",
      "ChatOpenAI / LangChain floor",
      ratio(NAMES.chatOpenAI, NAMES.floor),
    );
    addRatio(
      result,
      "latency.peer_over_floor",
      "@databricks/langchainjs / LangChain floor",
      ratio(NAMES.peer, NAMES.floor),
    );
    addRatio(
      result,
      "latency.query_over_raw",
      "ServingEndpointsClient.query / raw undici (/invocations)",
      ratio(NAMES.query, NAMES.rawInvocations),
    );
    result.notes.push(
      "Ratios are the median over rounds of the per-round median ratio (rounds interleave subjects).",
    );
  } finally {
    await closeAll(subjects);
  }
  return result;
}

export const latencySuite: Suite = {
  id: "latency",
  title: "Per-call latency of a chat invoke",
  run: (ctx) => runLatency(ctx, latencyOptions(ctx.config.quick)),
};
