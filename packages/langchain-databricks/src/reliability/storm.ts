// Test support shared by the fault-matrix integration test and its soak variant (not part of the package).
import type { EmulatorHandle, RequestLogEntry } from "databricks-emulator";
import { ChatDatabricks } from "../chat_models/chat_databricks.js";

export const LLAMA = "databricks-meta-llama-3-3-70b-instruct";

/** Runs `n` tasks with at most `concurrency` in flight; results keep input order. */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) out[i] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

export interface StormFigures {
  calls: number;
  succeeded: number;
  requests: number;
  status200: number;
  status429: number;
  status503: number;
  /** Bodies (sha256 prefix) that reached the server again after one of them had succeeded. */
  resentAfterSuccess: number;
  elapsedMs: number;
}

/**
 * `calls` chat completions through one ChatDatabricks while the emulator answers 15% 429 with `Retry-After: 0`,
 * 15% 429 without `Retry-After` and 10% 503 without it (seeded). Every prompt is unique, so each body hash
 * identifies one logical call in the request log.
 */
export async function chatStorm(emu: EmulatorHandle, calls: number, seed: number): Promise<StormFigures> {
  emu.admin.resetStats();
  emu.admin.setFaults(
    [
      { path: "/serving-endpoints/", status: 429, rate: 0.15, retryAfter: 0 },
      { path: "/serving-endpoints/", status: 429, rate: 0.15 / 0.85, retryAfter: null },
      { path: "/serving-endpoints/", status: 503, rate: 0.1 / 0.7, retryAfter: null },
    ],
    seed,
  );
  // A budget deep enough that 40% faults cannot exhaust it (0.4^16 per call), and short backoffs so the run is
  // about retries, not sleeping. These are the documented `maxRetries` / `retry` options, nothing test-only.
  const chat = new ChatDatabricks({
    model: LLAMA,
    host: emu.url,
    token: emu.token,
    maxTokens: 8,
    maxRetries: 15,
    retry: { baseDelayMs: 2, maxDelayMs: 20 },
  });
  const started = performance.now();
  const texts = await pool(calls, 32, async (i) => (await chat.invoke(`storm call ${i}: say ok`)).text);
  const elapsedMs = performance.now() - started;
  emu.admin.clearFaults();
  const log = emu.admin
    .stats()
    .log.filter((l: RequestLogEntry) => l.path.startsWith("/serving-endpoints/") && l.method === "POST");
  const succeededAt = new Map<string, number>();
  let resentAfterSuccess = 0;
  for (const l of log) {
    if (!l.bodySha256) continue;
    if (succeededAt.has(l.bodySha256)) resentAfterSuccess++;
    if (l.status === 200) succeededAt.set(l.bodySha256, l.seq);
  }
  const count = (s: number) => log.filter((l) => l.status === s).length;
  return {
    calls,
    succeeded: texts.filter((t) => typeof t === "string" && t.length > 0).length,
    requests: log.length,
    status200: count(200),
    status429: count(429),
    status503: count(503),
    resentAfterSuccess,
    elapsedMs,
  };
}
