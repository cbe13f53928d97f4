// Suite 2: the chat-invoke subjects under load (concurrency 1, 4, 16, 64): throughput and p99, interleaved rounds.
import { makeChatSubjects, NAMES } from "../lib/chat-subjects.js";
import { closeAll, errorMessage, roundOrder, runConcurrent, type Subject } from "../lib/measure.js";
import { addRatio, emptyResult } from "../lib/result.js";
import { median, pairedRatio, round, summarize } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";
import { splitMade } from "./latency.js";

export interface ConcurrencyOptions {
  levels: readonly number[];
  rounds: number;
  /** Calls per (subject, level, round). */
  calls: number;
  /** Calls per subject before the rounds of every level, at that level's concurrency. */
  warmup: number;
}

export function concurrencyOptions(quick: boolean): ConcurrencyOptions {
  return quick
    ? { levels: [1, 4, 16, 64], rounds: 1, calls: 64, warmup: 16 }
    : // Same calls per subject and level as before (5 x 1,000), in twice as many shorter rounds: more pairs for
      // the per-round ratio, each over a shorter stretch of a shared host's noise. Warm-up as the latency suite's.
      { levels: [1, 4, 16, 64], rounds: 10, calls: 500, warmup: 200 };
}

export async function runConcurrency(ctx: SuiteContext, opts: ConcurrencyOptions): Promise<SuiteResult> {
  const result = emptyResult("concurrency", "Chat invoke under concurrency");
  // raw node:http is a latency-suite diagnostic; under load the comparison that matters is against raw undici.
  const only = Object.values(NAMES).filter((n) => n !== NAMES.node);
  const made = await makeChatSubjects(ctx.target, { includeQuery: false, only });
  const subjects = splitMade(made, result);
  try {
    // A short liveness check; the warm-up proper runs at each level below.
    const alive: Subject[] = [];
    for (const s of subjects) {
      try {
        await runConcurrent(s.call, 8, Math.min(opts.warmup, 16));
        alive.push(s);
      } catch (err) {
        result.skippedSubjects.push({ subject: s.name, reason: `failed: ${errorMessage(err)}` });
      }
    }
    for (const level of opts.levels) {
      ctx.log(
        `concurrency: c=${level}, ${alive.length} subjects x ${opts.rounds} rounds x ${opts.calls} calls`,
      );
      const throughput = new Map<string, number[]>();
      const latencies = new Map<string, number[]>();
      // Warm every subject at this level first: each client's connection pool grows to `level` sockets here, not
      // inside its first timed round (raw undici and the floor share undici's global pool, so whichever ran first
      // used to pay for opening the connections of both), and the JIT has seen this level's interleaving.
      for (const s of alive)
        await runConcurrent(s.call, level, Math.max(opts.warmup, level * 4)).catch(() => undefined);
      for (let round = 0; round < opts.rounds; round++) {
        for (const s of roundOrder(alive, round)) {
          try {
            const r = await runConcurrent(s.call, level, opts.calls);
            // Index-aligned by round so ratios can be paired per round, as in the latency suite.
            const tps = throughput.get(s.name) ?? [];
            tps[round] = r.throughput;
            throughput.set(s.name, tps);
            latencies.set(s.name, [...(latencies.get(s.name) ?? []), ...r.latencies]);
          } catch (err) {
            result.notes.push(`${s.name} failed at c=${level}: ${errorMessage(err)}`);
            const tps = throughput.get(s.name) ?? [];
            tps[round] = Number.NaN;
            throughput.set(s.name, tps);
          }
        }
      }
      for (const [name, tps] of throughput) {
        const lat = summarize(latencies.get(name) ?? []);
        result.measurements.push({
          subject: name,
          metric: `c=${level} throughput (p99 = latency)`,
          unit: "req/s",
          value: round(median(tps), 1),
          p99: round(lat.p99, 3),
          n: lat.n,
        });
      }
      const tp = (name: string): number[] => throughput.get(name) ?? [];
      addRatio(
        result,
        `concurrency.c${level}.ours_over_floor`,
        `c=${level} throughput ours / floor`,
        pairedRatio(tp(NAMES.ours), tp(NAMES.floor)),
      );
      addRatio(
        result,
        `concurrency.c${level}.ours_over_raw`,
        `c=${level} throughput ours / raw undici`,
        pairedRatio(tp(NAMES.ours), tp(NAMES.raw)),
      );
      addRatio(
        result,
        `concurrency.c${level}.ours_over_chatopenai`,
        `c=${level} throughput ours / ChatOpenAI`,
        pairedRatio(tp(NAMES.ours), tp(NAMES.chatOpenAI)),
      );
    }
    result.notes.push(
      "Throughput is the median over rounds; ratios are medians of per-round ratios; p99 column is the per-call latency p99 in ms, pooled.",
    );
  } finally {
    await closeAll(subjects);
  }
  return result;
}

export const concurrencySuite: Suite = {
  id: "concurrency",
  title: "Chat invoke under concurrency",
  run: (ctx) => runConcurrency(ctx, concurrencyOptions(ctx.config.quick)),
};
