import type { AIMessageChunk } from "@langchain/core/messages";
import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseSends, chatStorm, LLAMA, pool } from "../../test-support/storm.js";
import { ChatDatabricks } from "../chat-models/chat-databricks.js";
import { ServingEndpointsClient } from "../clients/serving-endpoints.js";
import {
  DatabricksError,
  DatabricksStreamError,
  DatabricksTimeoutError,
  isDatabricksError,
} from "../errors.js";
import { DatabricksHttpClient } from "./client.js";
import { NodeTransport } from "./node-transport.js";
import type { Transport } from "./transport.js";

// The fault matrix of issue 8, over real HTTP on loopback against the emulator's fault injection. Figures printed
// with `[figures]` are the ones docs/reliability.md quotes.

/** How far Node's timer clock (whole ms, cached per loop tick) can run behind `performance.now()`. */
const TIMER_CLOCK_SLACK_MS = 5;
const SP = { clientId: "reliability-sp", clientSecret: "reliability-sp-secret-value-42" };
const SLOW_AGENT = "cat.reliability.slow_agent";
let emu: EmulatorHandle;
/** Set by the slow agent's stream when the server side saw the client go away. */
let slowStreamClosed = false;
let markStreamClosed: () => void = () => undefined;
/** Resolves when the slow agent's current stream ends on the server side. */
let streamClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: 500,
    servicePrincipals: [{ ...SP, admin: true }],
    models: {
      [SLOW_AGENT]: {
        kind: "chat-agent",
        predict: () => ({ messages: [{ role: "assistant", content: "slow", id: "m1" }] }),
        async *predictStream() {
          slowStreamClosed = false;
          streamClosed = new Promise((r) => {
            markStreamClosed = r;
          });
          try {
            for (let i = 0; i < 500; i++) {
              await new Promise((r) => setTimeout(r, 10));
              yield { delta: { role: "assistant", content: `w${i} `, id: "m1" } };
            }
          } finally {
            slowStreamClosed = true;
            markStreamClosed();
          }
        },
      },
    },
  });
});

afterAll(async () => {
  await emu?.close();
});

const chatRoute = () =>
  emu.admin.stats().log.filter((l) => l.method === "POST" && l.path.startsWith("/serving-endpoints/"));

/** Consumes a stream; errors (including those raised while opening it) are returned, with the text seen so far. */
async function drain(
  open: () => Promise<AsyncIterable<AIMessageChunk>>,
): Promise<{ text: string; error?: unknown }> {
  let text = "";
  try {
    for await (const c of await open()) text += c.text;
    return { text };
  } catch (error) {
    return { text, error };
  }
}

async function expiryRun(ws: EmulatorHandle): Promise<void> {
  const http = new DatabricksHttpClient({
    host: ws.url,
    clientId: SP.clientId,
    clientSecret: SP.clientSecret,
  });
  const chat = new ChatDatabricks({ model: LLAMA, client: http, maxTokens: 4 });
  await chat.invoke("warm up"); // discovery + first token
  ws.admin.resetStats();
  let done = 0;
  const results = await pool(500, 50, async (i) => {
    const r = await chat.invoke(`expiry call ${i}`).then(
      (m) => m.text.length > 0,
      () => false,
    );
    if (++done === 150) ws.admin.expireTokens();
    return r;
  });
  const log = ws.admin.stats().log;
  const refreshes = log.filter((l) => l.method === "POST" && l.path.startsWith("/oidc/v1/token")).length;
  const rejected = log.filter((l) => l.status === 403).length;
  console.log(
    `[figures] token expiry: 500 calls, ${rejected} rejected with the old token, ${refreshes} refresh`,
  );
  expect(results.filter(Boolean)).toHaveLength(500);
  expect(refreshes).toBe(1);
  expect(rejected).toBeGreaterThan(0);
}

describe("fault matrix (emulator fault injection, loopback HTTP)", () => {
  it("30% 429 (Retry-After 1 s, 0 or none) + 10% 503: every call succeeds, no body re-sent after success (client-side count), Retry-After: 1 waited", async () => {
    const calls = 1_000;
    const f = await chatStorm(emu, calls, 8);
    console.log("[figures] retry storm", JSON.stringify(f));
    expect(f.succeeded).toBe(calls);
    expect(f.status200).toBe(calls);
    // Counted where the bodies leave: every send answered, exactly one 200 per call, none after it.
    expect(f.sent).toBe(f.requests);
    expect(f.sent200).toBe(calls);
    expect(f.resentAfterSuccess).toBe(0);
    // Retries really happened, in the proportions injected (seeded, so this is reproducible).
    expect(f.requests).toBe(calls + f.status429 + f.status503);
    expect(f.status429 / f.requests).toBeGreaterThan(0.2);
    expect(f.status429 / f.requests).toBeLessThan(0.4);
    expect(f.status503 / f.requests).toBeGreaterThan(0.05);
    expect(f.status503 / f.requests).toBeLessThan(0.15);
    // `Retry-After: 1` is honoured: the same body leaves again only after the second the server asked for.
    // A lower bound only (a busy machine makes waits longer, never shorter), less what Node's timer clock can
    // lag real time (whole ms, cached per loop tick): seen 999.4-1,000.6 ms. Ignoring the header would show as
    // a few ms of backoff. No upper bound on the run: how long it takes is for bench/, not a test.
    expect(f.retryAfter1).toBeGreaterThan(5);
    expect(f.minWaitAfterRetryAfter1Ms).toBeGreaterThanOrEqual(1_000 - TIMER_CLOCK_SLACK_MS);
  }, 300_000); // a hang guard only: 1,000 calls on a machine with both cores busy took over 30 s

  it("the client-side send analysis catches a body re-sent after its 200 and a Retry-After cut short", () => {
    const sends = [
      { hash: "a", sentAt: 0, receivedAt: 5, status: 429, retryAfter: "1" },
      { hash: "b", sentAt: 1, receivedAt: 6, status: 200 },
      { hash: "a", sentAt: 600, receivedAt: 610, status: 200 }, // waited 595 ms instead of 1 s
      { hash: "b", sentAt: 700, receivedAt: 710, status: 200 }, // sent again after its 200
    ];
    expect(analyseSends(sends)).toEqual({
      resentAfterSuccess: 1,
      retryAfter1: 1,
      minWaitAfterRetryAfter1Ms: 595,
    });
  });

  it("mid-stream connection reset: a typed error after the tokens already shown, never a shorter answer, no retry", async () => {
    // Count HTTP attempts at the transport (the emulator cannot log a response it never finished).
    const node = new NodeTransport();
    let attempts = 0;
    const transport: Transport = {
      send: (r) => {
        attempts++;
        return node.send(r);
      },
      close: () => node.close(),
    };
    const http = new DatabricksHttpClient({ host: emu.url, token: emu.token }, { transport });
    const chat = new ChatDatabricks({ model: LLAMA, client: http, maxTokens: 200 });
    const prompt = "Write a long story about a lighthouse keeper and the sea, with many details.";
    const full = await drain(() => chat.stream(prompt));
    expect(full.error).toBeUndefined();

    try {
      attempts = 0;
      emu.admin.setFaults([{ path: "/serving-endpoints/", resetAfterEvents: 3, times: 1 }]);
      const cut = await drain(() => chat.stream(prompt));
      expect(isDatabricksError(cut.error)).toBe(true);
      expect(cut.text.length).toBeGreaterThan(0); // tokens were yielded before the cut...
      expect(cut.text.length).toBeLessThan(full.text.length);
      expect(attempts).toBe(1); // ...so no second request was made
      console.log(
        `[figures] mid-stream reset: ${cut.text.length}/${full.text.length} chars shown, then`,
        String(cut.error),
      );

      // invoke() on a streaming model: the cut surfaces as an error, not as a truncated AIMessage.
      emu.admin.setFaults([{ path: "/serving-endpoints/", resetAfterEvents: 2, times: 1 }]);
      const streaming = new ChatDatabricks({ model: LLAMA, client: http, maxTokens: 200, streaming: true });
      const err = await streaming.invoke(prompt).catch((e: unknown) => e);
      expect(isDatabricksError(err)).toBe(true);

      // A reset before the first event is safe to retry: it is, and the answer is complete.
      attempts = 0;
      emu.admin.setFaults([{ path: "/serving-endpoints/", resetAfterEvents: 0, times: 1 }]);
      const retried = await drain(() => chat.stream(prompt));
      expect(retried.error).toBeUndefined();
      expect(retried.text).toBe(full.text);
      expect(attempts).toBe(2);
    } finally {
      emu.admin.clearFaults(); // whatever failed above, the next test starts without faults
    }
  });

  it("malformed SSE and malformed JSON bodies: typed errors, not retried", async () => {
    const chat = new ChatDatabricks({ model: LLAMA, host: emu.url, token: emu.token, maxTokens: 20 });
    try {
      emu.admin.resetStats();
      emu.admin.setFaults([{ path: "/serving-endpoints/", malformedSse: true, times: 1 }]);
      const sse = await drain(() => chat.stream("hi"));
      expect(sse.error).toBeInstanceOf(DatabricksStreamError);
      expect(sse.text).toBe("");
      expect(chatRoute()).toHaveLength(1);

      emu.admin.setFaults([{ path: "/serving-endpoints/", malformedJson: true, times: 1 }]);
      const json = await chat.invoke("hi").catch((e: unknown) => e);
      expect(json).toBeInstanceOf(DatabricksError);
      expect((json as DatabricksError).status).toBe(200);
      expect((json as Error).message).toMatch(/not JSON/);

      emu.admin.setFaults([{ path: "/api/2.0/serving-endpoints", malformedJson: true, times: 1 }]);
      const client = new ServingEndpointsClient({ host: emu.url, token: emu.token });
      const listed = await client.get(LLAMA).catch((e: unknown) => e);
      expect(listed).toBeInstanceOf(DatabricksError);
    } finally {
      emu.admin.clearFaults();
    }
  });

  it("endpoint NOT_READY (scale from zero): waits on 503 + Retry-After and succeeds within the retry budget", async () => {
    const client = new ServingEndpointsClient({ host: emu.url, token: emu.token });
    const name = `cold-${Date.now()}`;
    await client.create({
      name,
      config: {
        served_entities: [
          {
            entity_name: "system.ai.meta_llama_3_3_70b_instruct",
            entity_version: "1",
            workload_size: "Small",
            scale_to_zero_enabled: true,
          },
        ],
      },
    });
    emu.admin.resetStats();
    // Budget: 20 retries, each wait capped at 100 ms (the server asks for 1 s) -> at most ~2 s of waiting.
    const chat = new ChatDatabricks({
      model: name,
      host: emu.url,
      token: emu.token,
      maxTokens: 8,
      maxRetries: 20,
      retry: { maxRetryAfterMs: 100 },
    });
    const started = performance.now();
    const reply = await chat.invoke("are you awake?");
    const elapsed = performance.now() - started;
    const attempts = chatRoute();
    const unavailable = attempts.filter((l) => l.status === 503).length;
    console.log(`[figures] NOT_READY: ${unavailable} x 503 then 200 after ${Math.round(elapsed)} ms`);
    expect(reply.text.length).toBeGreaterThan(0);
    // Conditions, not a clock: it was cold (503 first), it became ready within the budget of 20 retries, and
    // the last attempt is the one that answered. The 100 ms cap on the server's 1 s ask is proven with a fake
    // clock in http/retry.test.ts ("capped at maxRetryAfterMs").
    expect(unavailable).toBeGreaterThanOrEqual(1);
    expect(unavailable).toBeLessThanOrEqual(20);
    expect(attempts.map((l) => l.status)).toEqual([...Array(unavailable).fill(503), 200]);
  });

  it("OAuth token expiry during a 500-call concurrent run: exactly one refresh, zero failed calls", async () => {
    // Its own workspace: expiring tokens there also expires the admin PAT the other tests use.
    const ws = await startEmulator({ port: 0, servicePrincipals: [{ ...SP, admin: true }] });
    try {
      await expiryRun(ws);
    } finally {
      await ws.close();
    }
  });

  it("server that never answers: 5 timeouts of 300 ms, never early, median within 1.1x a bare timer plus one request (invoke and stream)", async () => {
    const timeout = 300;
    const chat = new ChatDatabricks({ model: LLAMA, host: emu.url, token: emu.token, timeout });
    // Baselines measured here and now, so a busy machine moves them with the runs: a bare timer of the same
    // length (what the event loop's lag adds) and a request that is answered (what a request costs).
    const bareTimer = async () => {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, timeout));
      return performance.now() - t0;
    };
    const answered = async () => {
      const t0 = performance.now();
      await chat.invoke("hi");
      return performance.now() - t0;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const measure = async (mode: "invoke" | "stream") => {
      emu.admin.setFaults([{ path: "/serving-endpoints/", neverAnswer: true }]);
      const started = performance.now();
      const e =
        mode === "invoke"
          ? await chat.invoke("hello?").catch((x: unknown) => x)
          : (await drain(() => chat.stream("hello?"))).error;
      const ms = performance.now() - started;
      emu.admin.clearFaults();
      expect(e).toBeInstanceOf(DatabricksTimeoutError);
      return ms;
    };
    for (const mode of ["invoke", "stream"] as const) {
      const runs: number[] = [];
      const timers: number[] = [];
      const requests: number[] = [];
      for (let i = 0; i < 5; i++) {
        runs.push(await measure(mode));
        timers.push(await bareTimer());
        requests.push(await answered());
      }
      const m = median(runs);
      // What the timeout may add to a bare timer: one request's cost, plus 10% of the timer for scheduling.
      const allowed = median(timers) * 1.1 + median(requests);
      console.log(
        `[figures] timeout ${timeout} ms (${mode}):`,
        runs.map(Math.round).join(", "),
        `ms, median ${Math.round(m)} ms; bare timer median ${Math.round(median(timers))} ms,`,
        `answered request median ${Math.round(median(requests))} ms`,
      );
      for (const ms of runs) expect(ms).toBeGreaterThanOrEqual(timeout - 1); // never early (1 ms: timer granularity)
      expect(m).toBeLessThanOrEqual(allowed);
    }
  });

  it("abort mid-stream: the request is torn down on both sides, no socket or timer left behind", async () => {
    const client = new ServingEndpointsClient({ host: emu.url, token: emu.token });
    await client.create({
      name: "slow-agent",
      config: { served_entities: [{ entity_name: SLOW_AGENT, entity_version: "1", workload_size: "Small" }] },
    });
    await client.waitForReady?.("slow-agent", { timeout: 10_000 });
    const chat = new ChatDatabricks({
      model: "slow-agent",
      host: emu.url,
      token: emu.token,
      route: "invocations",
    });
    await chat.invoke("warm"); // pools a keep-alive socket, so the baseline includes it
    const resources = () => {
      const all = process.getActiveResourcesInfo();
      return {
        sockets: all.filter((r) => r === "TCPSocketWrap").length,
        timers: all.filter((r) => r === "Timeout").length,
      };
    };
    // The baseline is taken once the warm-up has settled: the same reading on consecutive event-loop turns.
    let before = resources();
    for (let turn = 0; turn < 100; turn++) {
      await new Promise((r) => setImmediate(r));
      const now = resources();
      if (now.sockets === before.sockets && now.timers === before.timers) break;
      before = now;
    }
    const ac = new AbortController();
    let chunks = 0;
    let error: unknown;
    try {
      for await (const c of await chat.stream("go", { signal: ac.signal })) {
        if (c.text) chunks++;
        if (chunks === 3) ac.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(chunks).toBe(3);
    // LangChain's stream wrapper surfaces the signal's own abort reason.
    expect(error).toMatchObject({ name: "AbortError", message: "This operation was aborted" });
    // The server side sees the disconnect and stops generating: an event (the generator's finally), awaited
    // with a deadline.
    let deadline: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        streamClosed,
        new Promise((_, reject) => {
          deadline = setTimeout(() => reject(new Error("the server never saw the client go away")), 10_000);
        }),
      ]);
    } finally {
      clearTimeout(deadline); // not left behind to count as a leaked timer below
    }
    expect(slowStreamClosed).toBe(true);
    let after = resources();
    for (let i = 0; i < 100 && (after.sockets > before.sockets || after.timers > before.timers); i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = resources();
    }
    console.log("[figures] abort mid-stream resources before/after:", JSON.stringify({ before, after }));
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });
});
