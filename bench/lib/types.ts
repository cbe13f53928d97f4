// Shapes shared by the harness, the suites and the report. Kept plain JSON so latest.json is the source of truth
// and the markdown/SVG are pure functions of it.

/** One measured number for one subject (e.g. "ChatDatabricks.invoke median ms"). */
export interface Measurement {
  /** Who was measured, e.g. "raw undici.request", "ChatDatabricks (ours)". */
  subject: string;
  /** What was measured, e.g. "invoke", "c=16", "batch=256 conc=4". */
  metric: string;
  unit: string;
  /** Central value (median for latencies, the measured value for throughput/sizes). */
  value: number;
  /** 99th percentile of the per-call latency, always in ms (also for throughput rows). */
  p99?: number;
  n?: number;
}

/** A ratio measured in the same run; `key` is what goals refer to. */
export interface Ratio {
  key: string;
  label: string;
  value: number;
  /** "x" for a true ratio (default); "ms"/"KB" for an overhead measured as a same-run difference. */
  unit?: string;
}

export type SuiteStatus = "ok" | "skipped" | "error";

export interface SuiteResult {
  id: string;
  title: string;
  status: SuiteStatus;
  /** Why the suite was skipped or failed; absent when ok. */
  reason?: string;
  durationMs: number;
  measurements: Measurement[];
  ratios: Ratio[];
  /** Subjects left out of an otherwise running suite, with why (e.g. class not built yet). */
  skippedSubjects: { subject: string; reason: string }[];
  notes: string[];
}

/** A goal from the issues, as data: `ratios[key] <op> threshold`. */
export interface Goal {
  key: string;
  op: "<=" | ">=";
  threshold: number;
  /** Issue number the goal comes from. */
  issue: number;
  description: string;
  /** Reported but not a pass/fail gate (issue 7: the ratio to raw undici is "reported, not gated"). */
  informational?: boolean;
}

export type GoalVerdict = "met" | "missed" | "not measured";

export interface GoalResult extends Goal {
  value: number | null;
  verdict: GoalVerdict;
}

/** What the suites run against: one emulator (or the bench stub, when the emulator is not available). */
export interface Target {
  kind: "emulator" | "stub";
  url: string;
  token: string;
  chatEndpoint: string;
  embeddingEndpoint: string;
  /** Why the stub is used instead of the emulator (only for kind "stub"). */
  fallbackReason?: string;
  close(): Promise<void>;
}

/** Size knobs; `quick` shrinks everything so CI can run the harness in well under a minute. */
export interface RunConfig {
  quick: boolean;
  /** Restrict to these suite ids (empty = all). */
  only: string[];
}

export interface SuiteContext {
  target: Target;
  config: RunConfig;
  log(message: string): void;
}

export interface Suite {
  id: string;
  title: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}

export interface BenchReport {
  startedAt: string;
  durationMs: number;
  quick: boolean;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string };
  target: { kind: Target["kind"]; fallbackReason?: string };
  suites: SuiteResult[];
  goals: GoalResult[];
}
