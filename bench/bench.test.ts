// Keeps the benchmark harness from rotting: pure pieces on fixed data, plus one tiny real latency run and one
// real embeddings batching check against the bench stub. No timing is asserted, only shapes and bookkeeping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAMES } from "./lib/chat-subjects.js";
import { evaluateGoals } from "./lib/goals.js";
import { roundOrder, runConcurrent, runInterleaved, type Subject } from "./lib/measure.js";
import { fmt, renderMarkdown, renderSvg } from "./lib/report.js";
import { emptyResult } from "./lib/result.js";
import { median, pairedRatio, percentile, summarize } from "./lib/stats.js";
import { startStub } from "./lib/stub-server.js";
import type { BenchReport, Goal, SuiteResult, Target } from "./lib/types.js";
import { rawEmbedder, recommend, shortTexts } from "./suites/embeddings.js";
import { runLatency } from "./suites/latency.js";

describe("stats", () => {
  it("interpolates percentiles and ignores non-finite samples", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([0, 10], 99)).toBeCloseTo(9.9);
    expect(percentile([5, Number.NaN, Number.POSITIVE_INFINITY], 50)).toBe(5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(() => percentile([1], 101)).toThrow(/within \[0, 100\]/);
  });

  it("summarizes and pairs ratios per round", () => {
    const s = summarize([4, 1, 3, 2]);
    expect(s).toMatchObject({ n: 4, median: 2.5, mean: 2.5, min: 1, max: 4 });
    // Per-round ratios 2, 2, 10 -> median 2: a single noisy round does not move the verdict.
    expect(pairedRatio([2, 4, 50], [1, 2, 5])).toBe(2);
    expect(Number.isNaN(pairedRatio([1], []))).toBe(true);
  });
});

function suiteWith(ratios: SuiteResult["ratios"]): SuiteResult {
  return { ...emptyResult("x", "X suite"), ratios };
}

const GOALS: Goal[] = [
  { key: "a", op: "<=", threshold: 1.25, issue: 6, description: "a small" },
  { key: "b", op: ">=", threshold: 3, issue: 6, description: "b big" },
  { key: "c", op: "<=", threshold: 1, issue: 7, description: "c absent" },
  { key: "d", op: "<=", threshold: 1, issue: 7, description: "d info", informational: true },
];

describe("goals", () => {
  it("evaluates met, missed and not measured from recorded ratios", () => {
    const res = evaluateGoals(
      [
        suiteWith([
          { key: "a", label: "A", value: 1.1 },
          { key: "b", label: "B", value: 2.9 },
          { key: "d", label: "D", value: 5 },
        ]),
      ],
      GOALS,
    );
    expect(res.map((g) => g.verdict)).toEqual(["met", "missed", "not measured", "missed"]);
    expect(res[2]?.value).toBeNull();
  });
});

function fixedReport(): BenchReport {
  const suite: SuiteResult = {
    ...suiteWith([
      { key: "a", label: "ours / floor <fast>", value: 1.1, unit: "x" },
      { key: "b", label: "openai / ours", value: 2.9, unit: "x" },
    ]),
    measurements: [{ subject: "raw | undici", metric: "invoke", unit: "ms", value: 0.2, p99: 0.5, n: 100 }],
    skippedSubjects: [{ subject: "ChatDatabricks (ours)", reason: "not built" }],
  };
  return {
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1234,
    quick: false,
    machine: { node: "v20", platform: "linux", arch: "x64", cpus: 2, cpuModel: "cpu" },
    target: { kind: "stub", fallbackReason: "no emulator" },
    suites: [suite, { ...emptyResult("y", "Y suite"), status: "skipped", reason: "subject missing" }],
    goals: evaluateGoals([suite], GOALS),
  };
}

describe("report", () => {
  it("formats ratios with enough digits to see which side of a threshold they fall", () => {
    expect(fmt(1.2034, "x")).toBe("1.203x");
    expect(fmt(12.34, "x")).toBe("12.3x");
    expect(fmt(145.2, "ms")).toBe("145 ms");
    expect(fmt(0.1234, "ms")).toBe("0.123 ms");
    expect(fmt(Number.NaN, "ms")).toBe("n/a");
  });

  it("renders goals with verdicts, escaped cells, skipped suites and the stub warning", () => {
    const md = renderMarkdown(fixedReport());
    expect(md).toContain("| a small | #6 | <= 1.250x | 1.100x | **met** |");
    expect(md).toContain("| b big | #6 | >= 3.000x | 2.900x | **MISSED** |");
    expect(md).toContain("| c absent | #7 | <= 1.000x | n/a | not measured |");
    expect(md).toContain("raw \\| undici");
    expect(md).toContain("skipped: subject missing");
    expect(md).toContain("skipped ChatDatabricks (ours): not built");
    expect(md).toContain("NOT the emulator: no emulator");
    expect(md).toContain("goals met: 1 of 3 gated goals");
  });

  it("shows a quick run's goals as informational ratios, without verdicts", () => {
    const md = renderMarkdown({ ...fixedReport(), quick: true });
    expect(md).toContain("# Benchmark results (quick smoke run: not a verdict)");
    expect(md).toContain("| b big | #6 | >= 3.000x | 2.900x | informational |");
    expect(md).toContain("| c absent | #7 | <= 1.000x | n/a | not measured |");
    expect(md).toContain("quick run: 3 gated goals shown as informational ratios");
    expect(md).not.toMatch(/MISSED|\*\*met\*\*|goals met/);
    const svg = renderSvg({ ...fixedReport(), quick: true });
    expect(svg).not.toContain('fill="#c62828"');
  });

  it("draws one bar per ratio with goal ticks and escaped labels", () => {
    const svg = renderSvg(fixedReport());
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<rect x="400"/g)).toHaveLength(2);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(svg.match(/stroke="#bbb"/g)).toHaveLength(2);
    expect(svg).toContain("ours / floor &lt;fast&gt;");
    expect(svg).toContain('fill="#2e7d32"');
    expect(svg).toContain('fill="#c62828"');
  });
});

describe("measure", () => {
  it("runs interleaved rounds and drops a failing subject with its error", async () => {
    let okCalls = 0;
    const ok: Subject = { name: "ok", call: async () => okCalls++ };
    let badCalls = 0;
    const bad: Subject = {
      name: "bad",
      call: async () => {
        badCalls++;
        if (badCalls > 3) throw new Error("boom");
      },
    };
    const { results, failures } = await runInterleaved([ok, bad], { warmup: 2, rounds: 3, iterations: 4 });
    expect(okCalls).toBe(2 + 3 * 4);
    expect(results.get("ok")?.samples).toHaveLength(12);
    expect(results.get("ok")?.roundMedians).toHaveLength(3);
    expect(results.has("bad")).toBe(false);
    expect(failures.get("bad")).toBe("Error: boom");
  });

  it("round order: every subject once per round, and no subject always behind the same neighbour", () => {
    const subjects = ["a", "b", "c", "d"];
    const orders = [0, 1, 2, 3].map((r) => roundOrder(subjects, r));
    expect(orders[0]).toEqual(["a", "b", "c", "d"]);
    expect(orders[1]).toEqual(["a", "d", "c", "b"]);
    for (const order of orders) expect([...order].sort()).toEqual(subjects);
    // Who runs just before "c" changes between rounds (a plain rotation always put "b" there).
    const before = new Set(orders.map((o) => o[o.indexOf("c") - 1]));
    expect(before.size).toBeGreaterThan(1);
  });

  it("never exceeds the requested concurrency and runs exactly `total` calls", async () => {
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const call = async (): Promise<void> => {
      calls++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    };
    const r = await runConcurrent(call, 4, 37);
    expect(calls).toBe(37);
    expect(r.latencies).toHaveLength(37);
    expect(peak).toBe(4);
  });
});

describe("embeddings helpers", () => {
  it("recommends the lowest concurrency, then the smallest batch, within 5% of the best", () => {
    const rec = recommend([
      { batchSize: 16, concurrency: 1, textsPerSec: 500 },
      { batchSize: 64, concurrency: 4, textsPerSec: 970 },
      { batchSize: 512, concurrency: 8, textsPerSec: 1000 },
    ]);
    expect(rec).toMatchObject({ batchSize: 64, concurrency: 4 });
    const rec2 = recommend([
      { batchSize: 16, concurrency: 8, textsPerSec: 990 },
      { batchSize: 512, concurrency: 2, textsPerSec: 980 },
      { batchSize: 150, concurrency: 2, textsPerSec: 1000 },
      { batchSize: 16, concurrency: 1, textsPerSec: 900 },
    ]);
    expect(rec2).toMatchObject({ batchSize: 150, concurrency: 2 });
    expect(recommend([])).toBeUndefined();
  });

  it("makes distinct deterministic texts", () => {
    const t = shortTexts(100);
    expect(new Set(t).size).toBe(100);
    expect(shortTexts(100)).toEqual(t);
  });
});

describe("against the bench stub", () => {
  let target: Target;
  beforeAll(async () => {
    target = await startStub("test");
  });
  afterAll(async () => {
    await target.close();
  });

  it("raw embedder keeps input order across batches and concurrent requests", async () => {
    const texts = shortTexts(10);
    const batched = await rawEmbedder(target, 3, 2)(texts);
    // Expected, independently of the embedder under test: each text's vector asked for on its own, in order.
    const expected: number[][] = [];
    for (const text of texts) {
      const res = await fetch(`${target.url}/serving-endpoints/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: target.embeddingEndpoint, input: [text] }),
      });
      const json = (await res.json()) as { data: { embedding: number[] }[] };
      expected.push(json.data[0]!.embedding);
    }
    // Every text has its own vector, so any reordering shows.
    expect(new Set(expected.map((v) => JSON.stringify(v))).size).toBe(10);
    expect(batched).toEqual(expected);
  });

  it("runs a tiny latency suite end to end and records the floor ratio", async () => {
    const ctx = { target, config: { quick: true, only: [] }, log: () => undefined };
    const res = await runLatency(ctx, {
      warmup: 2,
      rounds: 2,
      iterations: 5,
      subjects: [NAMES.raw, NAMES.floor, NAMES.fetch],
    });
    expect(res.status).toBe("ok");
    expect(res.skippedSubjects).toEqual([]);
    expect(res.measurements.map((m) => m.subject).sort()).toEqual(
      [NAMES.fetch, NAMES.floor, NAMES.raw].sort(),
    );
    expect(res.measurements.every((m) => m.n === 10 && m.value > 0)).toBe(true);
    const floor = res.ratios.find((r) => r.key === "latency.floor_over_raw");
    expect(floor?.value).toBeGreaterThan(0);
    // Subjects not asked for are neither run nor reported as skipped.
    expect(res.ratios.find((r) => r.key === "latency.ours_over_floor")).toBeUndefined();
  });
});
