// Helpers to build SuiteResult values consistently.
import { round, type Summary } from "./stats.js";
import type { SuiteResult } from "./types.js";

export function emptyResult(id: string, title: string): SuiteResult {
  return {
    id,
    title,
    status: "ok",
    durationMs: 0,
    measurements: [],
    ratios: [],
    skippedSubjects: [],
    notes: [],
  };
}

export function skippedResult(id: string, title: string, reason: string): SuiteResult {
  return { ...emptyResult(id, title), status: "skipped", reason };
}

/** Record a latency summary (ms) as a measurement. */
export function addLatency(result: SuiteResult, subject: string, metric: string, s: Summary): void {
  result.measurements.push({
    subject,
    metric,
    unit: "ms",
    value: round(s.median, 4),
    p99: round(s.p99, 4),
    n: s.n,
  });
}

/** Record a ratio when both sides were measured; NaN ratios are dropped so goals read "not measured". */
export function addRatio(result: SuiteResult, key: string, label: string, value: number, unit = "x"): void {
  if (Number.isFinite(value)) result.ratios.push({ key, label, value: round(value, 3), unit });
}
