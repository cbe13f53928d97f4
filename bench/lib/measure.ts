// Measurement loops. Subjects are run in interleaved rounds (rotating the order every round) so that background
// noise on a shared 2-core machine lands on all subjects alike; every loop is bounded by an explicit count.
import { performance } from "node:perf_hooks";
import { median } from "./stats.js";

/** Something that can be timed: one `call()` is one unit of work (one invoke, one stream, one batch...). */
export interface Subject {
  name: string;
  call(): Promise<unknown>;
  close?(): Promise<void>;
}

export interface RoundsOptions {
  warmup: number;
  rounds: number;
  iterations: number;
}

export interface SubjectSamples {
  /** Every per-call time in ms, all rounds pooled. */
  samples: number[];
  /** Median per-call time of each round, index-aligned across subjects (NaN when the subject failed). */
  roundMedians: number[];
}

export interface RoundsResult {
  results: Map<string, SubjectSamples>;
  /** Subjects that threw, with the first error message; they are excluded from later rounds. */
  failures: Map<string, string>;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : "";
    return `${err.name}: ${err.message}${cause}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}

/** Time `iterations` sequential calls; throws the subject's error untouched. */
async function timeCalls(subject: Subject, iterations: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await subject.call();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * The subjects of round `round`: rotated by one each round, and every other round in reverse. A plain rotation
 * keeps each subject behind the same neighbour in every round, so the garbage (and GC pauses) of a heavy subject
 * always land on the same next one; reversing alternates who follows whom.
 */
export function roundOrder<T>(subjects: readonly T[], round: number): T[] {
  const n = subjects.length;
  const rotated = subjects.map((_, i) => subjects[(i + round) % n] as T);
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

export async function runInterleaved(
  subjects: readonly Subject[],
  opts: RoundsOptions,
): Promise<RoundsResult> {
  const results = new Map<string, SubjectSamples>();
  const failures = new Map<string, string>();
  const alive: Subject[] = [];
  for (const s of subjects) {
    try {
      await timeCalls(s, opts.warmup);
      alive.push(s);
      results.set(s.name, { samples: [], roundMedians: [] });
    } catch (err) {
      failures.set(s.name, errorMessage(err));
    }
  }
  for (let round = 0; round < opts.rounds; round++) {
    for (const s of roundOrder(alive, round)) {
      const entry = results.get(s.name);
      if (!entry || failures.has(s.name)) continue;
      try {
        const times = await timeCalls(s, opts.iterations);
        entry.samples.push(...times);
        entry.roundMedians[round] = median(times);
      } catch (err) {
        failures.set(s.name, errorMessage(err));
        entry.roundMedians[round] = Number.NaN;
      }
    }
  }
  for (const name of failures.keys()) results.delete(name);
  return { results, failures };
}

export interface ConcurrentResult {
  elapsedMs: number;
  latencies: number[];
  /** Calls per second over the whole run. */
  throughput: number;
}

/** Run `total` calls with `concurrency` workers pulling from a shared counter. */
export async function runConcurrent(
  call: () => Promise<unknown>,
  concurrency: number,
  total: number,
): Promise<ConcurrentResult> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
  const elapsedMs = performance.now() - t0;
  return { elapsedMs, latencies, throughput: (total / elapsedMs) * 1000 };
}

/** Close every subject, ignoring close errors (a failed close must not hide the measurement). */
export async function closeAll(subjects: readonly Subject[]): Promise<void> {
  await Promise.all(subjects.map((s) => s.close?.().catch(() => undefined)));
}
