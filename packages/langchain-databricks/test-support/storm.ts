// Test support shared by the fault-matrix integration test and its soak variant (not part of the package).
import { createHash } from "node:crypto";
import type { EmulatorHandle, RequestLogEntry } from "databricks-emulator";
import { ChatDatabricks } from "../src/chat-models/chat-databricks.js";
import { DatabricksHttpClient } from "../src/http/client.js";
import { NodeTransport } from "../src/http/node-transport.js";
import { headerValue, type Transport } from "../src/http/transport.js";

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
  /** Requests the server logged for the chat route. */
  requests: number;
  status200: number;
  status429: number;
  status503: number;
  /** Bodies the client sent (counted at the transport), and how many of those sends the client saw answered 200. */
  sent: number;
  sent200: number;
  /** Sends of a body after a 200 had already been received for it (counted at the client: must be 0). */
  resentAfterSuccess: number;
  /** 429 answers with `Retry-After: 1` the client received, and the shortest wait before it re-sent that body. */
  retryAfter1: number;
  minWaitAfterRetryAfter1Ms: number;
  elapsedMs: number;
}

/** What the client-side transport saw for one send. */
export interface SendRecord {
  hash: string;
  sentAt: number;
  receivedAt?: number;
  status?: number;
  retryAfter?: string;
}

/**
 * A transport that records, per send, the sha256 of the body, when it left, and the status and `Retry-After` that
 * came back. Counting at the client is what "no body sent twice after success" needs: the emulator injects its
 * faults before it parses the body, so faulted answers carry no body hash in its request log.
 */
function recordingTransport(): { transport: Transport; sends: SendRecord[] } {
  const node = new NodeTransport();
  const sends: SendRecord[] = [];
  const transport: Transport = {
    async send(req) {
      const record: SendRecord = {
        hash: createHash("sha256")
          .update(req.body ?? "")
          .digest("hex"),
        sentAt: performance.now(),
      };
      sends.push(record);
      const res = await node.send(req);
      record.receivedAt = performance.now();
      record.status = res.status;
      record.retryAfter = headerValue(res.headers, "retry-after");
      return res;
    },
    close: () => node.close(),
  };
  return { transport, sends };
}

/**
 * `calls` chat completions through one ChatDatabricks while the emulator answers (seeded) 2% 429 with
 * `Retry-After: 1`, 14% 429 with `Retry-After: 0`, 14% 429 without `Retry-After` (30% 429 in all) and 10% 503
 * without it. Every prompt is unique, so each body hash identifies one logical call.
 */
export async function chatStorm(emu: EmulatorHandle, calls: number, seed: number): Promise<StormFigures> {
  emu.admin.resetStats();
  // Rules are tried in order; each rate is conditional on the earlier rules not firing.
  emu.admin.setFaults(
    [
      { path: "/serving-endpoints/", status: 429, rate: 0.02, retryAfter: 1 },
      { path: "/serving-endpoints/", status: 429, rate: 0.14 / 0.98, retryAfter: 0 },
      { path: "/serving-endpoints/", status: 429, rate: 0.14 / 0.84, retryAfter: null },
      { path: "/serving-endpoints/", status: 503, rate: 0.1 / 0.7, retryAfter: null },
    ],
    seed,
  );
  // A budget deep enough that 40% faults cannot exhaust it (0.4^16 per call), and short backoffs so the run is
  // about retries, not sleeping; a server-sent Retry-After is honoured as sent. These are the documented
  // `maxRetries` / `retry` options, nothing test-only.
  const { transport, sends } = recordingTransport();
  const http = new DatabricksHttpClient(
    { host: emu.url, token: emu.token, maxRetries: 15, retry: { baseDelayMs: 2, maxDelayMs: 20 } },
    { transport },
  );
  const chat = new ChatDatabricks({ model: LLAMA, client: http, maxTokens: 8 });
  const started = performance.now();
  let texts: string[];
  try {
    texts = await pool(calls, 32, async (i) => (await chat.invoke(`storm call ${i}: say ok`)).text);
  } finally {
    // Cleared whatever happened: a failed storm must not leave faults behind for the next test.
    emu.admin.clearFaults();
    await transport.close();
  }
  const elapsedMs = performance.now() - started;
  const log = emu.admin
    .stats()
    .log.filter((l: RequestLogEntry) => l.path.startsWith("/serving-endpoints/") && l.method === "POST");

  const { resentAfterSuccess, retryAfter1, minWaitAfterRetryAfter1Ms } = analyseSends(sends);
  const count = (status: number) => log.filter((l) => l.status === status).length;
  return {
    calls,
    succeeded: texts.filter((t) => typeof t === "string" && t.length > 0).length,
    requests: log.length,
    status200: count(200),
    status429: count(429),
    status503: count(503),
    sent: sends.length,
    sent200: sends.filter((s) => s.status === 200).length,
    resentAfterSuccess,
    retryAfter1,
    minWaitAfterRetryAfter1Ms,
    elapsedMs,
  };
}

/**
 * From the client-side send records: sends of a body that left after a 200 had been received for it, the number of
 * `Retry-After: 1` answers, and the shortest time from such an answer to the next send of the same body (ms).
 */
export function analyseSends(sends: readonly SendRecord[]): {
  resentAfterSuccess: number;
  retryAfter1: number;
  minWaitAfterRetryAfter1Ms: number;
} {
  const firstSuccess = new Map<string, number>();
  for (const s of sends) {
    if (s.status === 200 && s.receivedAt !== undefined) {
      firstSuccess.set(s.hash, Math.min(firstSuccess.get(s.hash) ?? Infinity, s.receivedAt));
    }
  }
  let resentAfterSuccess = 0;
  for (const s of sends) {
    const ok = firstSuccess.get(s.hash);
    if (ok !== undefined && s.sentAt > ok) resentAfterSuccess++;
  }
  let retryAfter1 = 0;
  let minWait = Infinity;
  sends.forEach((s, i) => {
    if (s.status !== 429 || s.retryAfter !== "1" || s.receivedAt === undefined) return;
    retryAfter1++;
    const next = sends.slice(i + 1).find((n) => n.hash === s.hash);
    if (next) minWait = Math.min(minWait, next.sentAt - s.receivedAt);
  });
  return { resentAfterSuccess, retryAfter1, minWaitAfterRetryAfter1Ms: Math.round(minWait * 10) / 10 };
}
