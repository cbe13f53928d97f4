// Suite: Lakebase checkpointing (issue 17). Against one emulator instance (a PGlite Postgres behind the emulator's
// wire endpoint):
//  1. checkpoint put+getTuple through LakebaseCheckpointSaver (our pool: credential provider, host lookup, retry
//     wrapper) vs the same PostgresSaver on a plain `pg` pool with a fixed password, same endpoint, interleaved rounds;
//  2. p99 of checkpoint reads while credentials rotate (every login starts a background refresh) vs outside a
//     rotation; connections recycle every second in both phases, so only the credential refresh differs.
import { performance } from "node:perf_hooks";
import { closeAll, errorMessage, runConcurrent, runInterleaved, type Subject } from "../lib/measure.js";
import { addLatency, addRatio, emptyResult, skippedResult } from "../lib/result.js";
import { pairedRatio, summarize } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";

const ID = "lakebase";
const TITLE = "Lakebase checkpointer: our pool vs plain pg, p99 during credential rotation";

interface Opts {
  warmup: number;
  rounds: number;
  iterations: number;
  /** How long each rotation phase reads (several connection lifetimes of 1 s). */
  phaseMs: number;
  concurrency: number;
}

const options = (quick: boolean): Opts =>
  quick
    ? { warmup: 30, rounds: 3, iterations: 20, phaseMs: 2_000, concurrency: 4 }
    : { warmup: 200, rounds: 8, iterations: 150, phaseMs: 10_000, concurrency: 4 };

type Json = Record<string, unknown>;

const api = async (ctx: SuiteContext, method: string, path: string, body?: unknown): Promise<Json> => {
  const res = await fetch(`${ctx.target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.target.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  if (!res.ok && json.error_code !== "RESOURCE_ALREADY_EXISTS") {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  }
  return json;
};

const waitAvailable = async (ctx: SuiteContext, name: string): Promise<string> => {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const inst = await api(ctx, "GET", `/api/2.0/database/instances/${name}`);
    if (inst.state === "AVAILABLE" && typeof inst.read_write_dns === "string") return inst.read_write_dns;
    if (performance.now() > deadline) throw new Error(`instance ${name} not AVAILABLE after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

export const lakebaseSuite: Suite = {
  id: ID,
  title: TITLE,
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    if (ctx.target.kind !== "emulator")
      return skippedResult(ID, TITLE, "needs the emulator (Lakebase instances)");
    let lib: typeof import("langchain-databricks/lakebase");
    let core: typeof import("langchain-databricks");
    let pgMod: typeof import("pg");
    let cp: typeof import("@langchain/langgraph-checkpoint-postgres");
    let base: typeof import("@langchain/langgraph-checkpoint");
    try {
      [lib, core, pgMod, cp, base] = await Promise.all([
        import("langchain-databricks/lakebase"),
        import("langchain-databricks"),
        import("pg"),
        import("@langchain/langgraph-checkpoint-postgres"),
        import("@langchain/langgraph-checkpoint"),
      ]);
    } catch (err) {
      return skippedResult(ID, TITLE, `cannot load the Lakebase subjects (${errorMessage(err)})`);
    }
    const o = options(ctx.config.quick);
    const result = emptyResult(ID, TITLE);
    const t0 = performance.now();
    const name = "bench-lakebase";
    await api(ctx, "POST", "/api/2.0/database/instances", { name });
    const dns = await waitAvailable(ctx, name);
    const { host, port } = lib.endpointOf(dns);
    const http = new core.DatabricksHttpClient({ host: ctx.target.url, token: ctx.target.token });
    const me = (await api(ctx, "GET", "/api/2.0/preview/scim/v2/Me")) as { userName?: string };
    const cred = await api(ctx, "POST", "/api/2.0/database/credentials", { instance_names: [name] });

    const ours = new lib.LakebaseCheckpointSaver({ instanceName: name, httpClient: http, max: 4 });
    const plainPool = new pgMod.default.Pool({
      host,
      port,
      user: me.userName,
      password: String(cred.token),
      database: "databricks_postgres",
      max: 4,
    });
    const plain = new cp.PostgresSaver(plainPool);
    const closers: Subject[] = [
      { name: "ours", call: async () => undefined, close: () => ours.end() },
      { name: "plain", call: async () => undefined, close: () => plain.end() },
    ];
    try {
      await ours.setup();
      const step = (saver: InstanceType<typeof cp.PostgresSaver>, thread: string) => {
        let i = 0;
        return async () => {
          i++;
          const config = { configurable: { thread_id: thread, checkpoint_ns: "" } };
          const checkpoint = { ...base.emptyCheckpoint(), id: `${String(i).padStart(8, "0")}-bench` };
          const saved = await saver.put(config, checkpoint, { source: "loop", step: i, parents: {} }, {});
          await saver.getTuple(saved);
        };
      };
      const subjects: Subject[] = [
        { name: "LakebaseCheckpointSaver (our pool)", call: step(ours, "bench-ours") },
        { name: "PostgresSaver (plain pg.Pool)", call: step(plain, "bench-plain") },
      ];
      const rounds = await runInterleaved(subjects, o);
      for (const [subject, err] of rounds.failures) result.skippedSubjects.push({ subject, reason: err });
      const a = rounds.results.get(subjects[0]?.name ?? "");
      const b = rounds.results.get(subjects[1]?.name ?? "");
      if (a) addLatency(result, subjects[0]?.name ?? "", "put+getTuple", summarize(a.samples));
      if (b) addLatency(result, subjects[1]?.name ?? "", "put+getTuple", summarize(b.samples));
      if (a && b) {
        addRatio(
          result,
          "lakebase.checkpoint_ours_over_plain",
          "checkpoint put+getTuple: our pool / plain pg pool (median of paired rounds)",
          pairedRatio(a.roundMedians, b.roundMedians),
        );
      }

      // Rotation: same reads, connections recycled every second in both phases; only the credential refresh differs.
      const read = (saver: InstanceType<typeof cp.PostgresSaver>) => () =>
        saver.getTuple({ configurable: { thread_id: "bench-ours", checkpoint_ns: "" } });
      // The two phases alternate in short slices (order swapped every slice) so machine noise lands on both alike.
      const saverFor = (credentialCacheSeconds: number) =>
        new lib.LakebaseCheckpointSaver({
          instanceName: name,
          httpClient: http,
          max: o.concurrency,
          maxLifetimeSeconds: 1,
          credentialCacheSeconds,
        });
      const phases = [
        { saver: saverFor(3_600), latencies: [] as number[] },
        { saver: saverFor(0), latencies: [] as number[] },
      ];
      const slices = ctx.config.quick ? 2 : 10;
      try {
        for (const p of phases) await runConcurrent(read(p.saver), o.concurrency, o.concurrency * 10);
        for (let k = 0; k < slices; k++) {
          for (const p of k % 2 === 0 ? phases : [...phases].reverse()) {
            const end = performance.now() + o.phaseMs / slices;
            await Promise.all(
              Array.from({ length: o.concurrency }, async () => {
                while (performance.now() < end) {
                  const t = performance.now();
                  await read(p.saver)();
                  p.latencies.push(performance.now() - t);
                }
              }),
            );
          }
        }
      } finally {
        for (const p of phases) await p.saver.end();
      }
      const [steadyPhase, rotatingPhase] = phases as [(typeof phases)[0], (typeof phases)[0]];
      const steady = {
        summary: summarize(steadyPhase.latencies),
        fetches: steadyPhase.saver.lakebasePool.credentials.fetches,
      };
      const rotating = {
        summary: summarize(rotatingPhase.latencies),
        fetches: rotatingPhase.saver.lakebasePool.credentials.fetches,
      };
      addLatency(result, "getTuple, no credential refresh", `c=${o.concurrency}`, steady.summary);
      addLatency(result, "getTuple, credentials rotating", `c=${o.concurrency}`, rotating.summary);
      result.notes.push(
        `credential fetches: ${steady.fetches} outside rotation, ${rotating.fetches} during rotation ` +
          `(${steady.summary.n} and ${rotating.summary.n} reads over ${o.phaseMs / 1000} s each in ${slices} ` +
          "alternating slices, connections recycled every 1 s in both)",
      );
      addRatio(
        result,
        "lakebase.p99_rotation_over_steady",
        "getTuple p99 while credentials rotate / p99 outside a rotation",
        rotating.summary.p99 / steady.summary.p99,
      );
    } finally {
      await closeAll(closers);
      await api(ctx, "DELETE", `/api/2.0/database/instances/${name}`).catch(() => undefined);
    }
    result.durationMs = Math.round(performance.now() - t0);
    return result;
  },
};
