// Test support shared by the load test and its soak variant (not part of the package).
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { EmulatorHandle } from "../options.js";

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  requests: Array<{ method: string; path: string; body?: string }>;
}
// autocannon ships no types; this is the slice the test uses.
const autocannon = createRequire(import.meta.url)("autocannon") as (
  o: AutocannonOptions,
) => Promise<AutocannonResult>;

/** A real heap figure needs a full GC first; `--expose-gc` at runtime gives this process a `gc()`. */
function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface LoadFigures {
  seconds: number;
  connections: number;
  requests: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
  heapAfterFirstHalfMb: number;
  heapAfterSecondHalfMb: number;
}

/**
 * Drives the emulator (in this process) with autocannon at `connections` for `seconds`, in two halves, on a mix of
 * chat completions, embeddings and control-plane reads. Heap is measured after a GC at the end of each half: a leak
 * shows as growth from the first to the second.
 */
export async function loadRun(emu: EmulatorHandle, seconds: number, connections = 64): Promise<LoadFigures> {
  const half = seconds / 2;
  const chat = JSON.stringify({
    model: "databricks-meta-llama-3-3-70b-instruct",
    messages: [{ role: "user", content: "ping" }],
    max_tokens: 8,
  });
  const embed = JSON.stringify({ model: "databricks-gte-large-en", input: ["ping"] });
  const opts: AutocannonOptions = {
    url: emu.url,
    connections,
    duration: half,
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    requests: [
      { method: "POST", path: "/serving-endpoints/chat/completions", body: chat },
      { method: "POST", path: "/serving-endpoints/embeddings", body: embed },
      { method: "GET", path: "/api/2.0/serving-endpoints" },
    ],
  };
  const first = await autocannon(opts);
  const heap1 = heapAfterGc();
  const second = await autocannon(opts);
  const heap2 = heapAfterGc();
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  const requests = first.requests.total + second.requests.total;
  return {
    seconds: half * 2,
    connections,
    requests,
    rps: Math.round(requests / (half * 2)),
    p50ms: second.latency.p50,
    p99ms: Math.max(first.latency.p99, second.latency.p99),
    errors: first.errors + second.errors + first.timeouts + second.timeouts + first.resets + second.resets,
    non2xx: first.non2xx + second.non2xx,
    heapAfterFirstHalfMb: mb(heap1),
    heapAfterSecondHalfMb: mb(heap2),
  };
}
