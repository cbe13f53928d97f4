// Test support shared by the load test and its soak variant (not part of the package).
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { EmulatorHandle } from "../src/options.js";

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
  /** The larger of the two halves' p99. */
  p99ms: number;
  p99FirstHalfMs: number;
  p99SecondHalfMs: number;
  errors: number;
  non2xx: number;
  heapAfterFirstHalfMb: number;
  heapAfterSecondHalfMb: number;
}

export interface BaselineFigures {
  seconds: number;
  connections: number;
  requests: number;
  rps: number;
  p99ms: number;
}

/** The request mix of {@link loadRun}, against `url` (bodies are real, so a bare server reads as much as the emulator). */
function requestMix(): AutocannonOptions["requests"] {
  const chat = JSON.stringify({
    model: "databricks-meta-llama-3-3-70b-instruct",
    messages: [{ role: "user", content: "ping" }],
    max_tokens: 8,
  });
  const embed = JSON.stringify({ model: "databricks-gte-large-en", input: ["ping"] });
  return [
    { method: "POST", path: "/serving-endpoints/chat/completions", body: chat },
    { method: "POST", path: "/serving-endpoints/embeddings", body: embed },
    { method: "GET", path: "/api/2.0/serving-endpoints" },
  ];
}

/**
 * The ceiling on this machine, right now: a bare `node:http` server in this process (read the body, answer a small
 * JSON) under the same autocannon load as {@link loadRun}. The emulator's throughput is judged relative to it, so a
 * slower or busier machine lowers both and a regression in the emulator still shows.
 */
export async function baselineRun(seconds: number, connections = 64): Promise<BaselineFigures> {
  const answer = JSON.stringify({ id: "baseline", object: "chat.completion", choices: [] });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      headers: { authorization: "Bearer baseline", "content-type": "application/json" },
      requests: requestMix(),
    });
    return {
      seconds,
      connections,
      requests: r.requests.total,
      rps: Math.round(r.requests.total / seconds),
      p99ms: r.latency.p99,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Drives the emulator (in this process) with autocannon at `connections` for `seconds`, in two halves, on a mix of
 * chat completions, embeddings and control-plane reads. Heap is measured after a GC at the end of each half: a leak
 * shows as growth from the first to the second.
 */
export async function loadRun(emu: EmulatorHandle, seconds: number, connections = 64): Promise<LoadFigures> {
  const half = seconds / 2;
  const opts: AutocannonOptions = {
    url: emu.url,
    connections,
    duration: half,
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    requests: requestMix(),
  };
  // Warm up first (the tokenizer loads on the first chat request, the engines and the JIT warm up): a cold start
  // is not what a load figure should measure. One second of the same load, not counted.
  await autocannon({ ...opts, duration: 1 });
  heapAfterGc(); // both halves start from a collected heap
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
    p99FirstHalfMs: first.latency.p99,
    p99SecondHalfMs: second.latency.p99,
    errors: first.errors + second.errors + first.timeouts + second.timeouts + first.resets + second.resets,
    non2xx: first.non2xx + second.non2xx,
    heapAfterFirstHalfMb: mb(heap1),
    heapAfterSecondHalfMb: mb(heap2),
  };
}
