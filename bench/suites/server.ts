// Suite 6: the emulator's own requests/s on chat invocations, with auth and with auth off, vs a bare node:http
// server answering the same JSON bytes. Load comes from autocannon in a child process; rounds interleave servers.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { lastJsonLine, runNode } from "../lib/child.js";
import { errorMessage, roundOrder } from "../lib/measure.js";
import { addRatio, emptyResult, skippedResult } from "../lib/result.js";
import { median, round } from "../lib/stats.js";
import { startTargetProcess } from "../lib/target.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";

const loadChild = join(dirname(fileURLToPath(import.meta.url)), "..", "lib", "load-child.mjs");

export interface ServerOptions {
  rounds: number;
  durationSec: number;
  connections: number;
}

export function serverOptions(quick: boolean): ServerOptions {
  return quick
    ? { rounds: 1, durationSec: 1, connections: 16 }
    : { rounds: 5, durationSec: 4, connections: 16 };
}

interface LoadResult {
  total: number;
  seconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p99: number;
}

interface Server {
  name: string;
  url: string;
  headers: Record<string, string>;
}

async function load(server: Server, body: string, opts: ServerOptions): Promise<LoadResult> {
  const job = {
    url: server.url,
    headers: server.headers,
    body,
    connections: opts.connections,
    durationSec: opts.durationSec,
  };
  const out = await runNode([loadChild], {
    cwd: dirname(loadChild),
    timeoutMs: (opts.durationSec + 30) * 1000,
    env: { BENCH_LOAD: JSON.stringify(job) },
  });
  const r = lastJsonLine<LoadResult>(out);
  if (r.non2xx > 0 || r.errors > 0) {
    throw new Error(`${server.name}: ${r.non2xx} non-2xx and ${r.errors} errors out of ${r.total} requests`);
  }
  return r;
}

const BODY = JSON.stringify({ messages: [{ role: "user", content: "Say hello." }], max_tokens: 16 });
const BARE = "bare node:http (same JSON)";
const AUTH = "emulator, PAT auth";
const NOAUTH = "emulator, auth off";

export async function runServer(ctx: SuiteContext, opts: ServerOptions): Promise<SuiteResult> {
  const id = "server";
  const title = "Emulator requests/s vs bare node:http";
  if (ctx.target.kind !== "emulator")
    return skippedResult(id, title, `no emulator: ${ctx.target.fallbackReason}`);
  const result = emptyResult(id, title);
  const path = `/serving-endpoints/${encodeURIComponent(ctx.target.chatEndpoint)}/invocations`;
  const auth = { authorization: `Bearer ${ctx.target.token}`, "content-type": "application/json" };
  // The bytes the bare server answers with: what the emulator answers to this request.
  const sample = await request(`${ctx.target.url}${path}`, { method: "POST", headers: auth, body: BODY });
  const json = await sample.body.text();
  if (sample.statusCode !== 200)
    throw new Error(`sample chat invocation: HTTP ${sample.statusCode} ${json.slice(0, 200)}`);
  // Placement and state alike for every server (issue 13): the bare baseline and both emulators each run in a
  // fresh child process of their own. (The bare server used to run inside this harness process, and the auth-on
  // figure came from the shared target after it had served every earlier suite, while auth off was fresh.)
  const started = await Promise.all([
    startTargetProcess("bare", { json }),
    startTargetProcess("emulator"),
    startTargetProcess("emulator", { auth: false }),
  ]);
  const [bare, authTarget, noAuthTarget] = started;
  try {
    if (typeof bare === "string") throw new Error(`bare server: ${bare}`);
    if (typeof authTarget === "string") throw new Error(`emulator: ${authTarget}`);
    const servers: Server[] = [
      { name: BARE, url: `${bare.url}${path}`, headers: { "content-type": "application/json" } },
      {
        name: AUTH,
        url: `${authTarget.url}${path}`,
        headers: { authorization: `Bearer ${authTarget.token}`, "content-type": "application/json" },
      },
    ];
    // Auth off needs a second emulator started without auth; verified by a credential-less request, since an
    // unknown option would otherwise be ignored silently and "auth off" would still authenticate.
    if (typeof noAuthTarget === "string") {
      result.skippedSubjects.push({ subject: NOAUTH, reason: noAuthTarget });
    } else {
      const probe = await request(`${noAuthTarget.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: BODY,
      });
      await probe.body.dump();
      if (probe.statusCode === 200) {
        servers.push({
          name: NOAUTH,
          url: `${noAuthTarget.url}${path}`,
          headers: { "content-type": "application/json" },
        });
      } else {
        result.skippedSubjects.push({
          subject: NOAUTH,
          reason: `startEmulator({ auth: false }) still answers HTTP ${probe.statusCode} without credentials: no auth-off switch`,
        });
      }
    }
    // Warm-up: one short load per server, so no server's first round pays its JIT and lazy initialisation
    // (the emulator's tokenizer) while the bare server has none.
    for (const s of servers) await load(s, BODY, { ...opts, durationSec: 1 });
    const rps = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const p99 = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    ctx.log(
      `server: ${servers.length} servers x ${opts.rounds} rounds x ${opts.durationSec}s, ${opts.connections} connections`,
    );
    for (let r = 0; r < opts.rounds; r++) {
      for (const s of roundOrder(servers, r)) {
        try {
          const out = await load(s, BODY, opts);
          rps.get(s.name)?.push(out.total / out.seconds);
          p99.get(s.name)?.push(out.p99);
        } catch (err) {
          result.notes.push(`${s.name} failed: ${errorMessage(err)}`);
        }
      }
    }
    for (const [name, list] of rps) {
      if (list.length === 0) continue;
      result.measurements.push({
        subject: name,
        metric: `chat invocations, ${opts.connections} connections`,
        unit: "req/s",
        value: round(median(list), 0),
        p99: round(median(p99.get(name) ?? []), 2),
        n: list.length,
      });
    }
    const v = (name: string): number => median(rps.get(name) ?? []);
    addRatio(
      result,
      "server.emulator_auth_over_bare",
      "emulator (auth) / bare node:http req/s",
      v(AUTH) / v(BARE),
    );
    addRatio(
      result,
      "server.emulator_noauth_over_bare",
      "emulator (auth off) / bare node:http req/s",
      v(NOAUTH) / v(BARE),
    );
    result.notes.push(
      "Load generator: autocannon in a child process; p99 column is autocannon's latency p99 in ms.",
    );
  } finally {
    await Promise.all(started.map((t) => (typeof t === "string" ? undefined : t.close())));
  }
  return result;
}

export const serverSuite: Suite = {
  id: "server",
  title: "Emulator requests/s vs bare node:http",
  run: (ctx) => runServer(ctx, serverOptions(ctx.config.quick)),
};
