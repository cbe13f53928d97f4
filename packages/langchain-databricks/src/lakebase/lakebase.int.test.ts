import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, StateGraph } from "@langchain/langgraph";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../errors.js";
import { DatabricksHttpClient } from "../http/client.js";
import {
  DatabricksStore,
  LakebaseAuthenticationError,
  LakebaseCheckpointSaver,
  LakebaseConnectionError,
  LakebasePool,
  StoreValueError,
} from "./index.js";

const OTHER = { userName: "other@x.com", token: "dapi-other" };

const httpFor = (emu: { url: string; token: string }, maxRetries = 0) =>
  new DatabricksHttpClient({ host: emu.url, token: emu.token, maxRetries });

const waitAvailable = async (http: DatabricksHttpClient, name: string) => {
  const deadline = Date.now() + 110_000;
  for (;;) {
    const inst = await http.request<{ state?: string }>({
      method: "GET",
      path: `/api/2.0/database/instances/${name}`,
    });
    if (inst.state === "AVAILABLE") return;
    if (Date.now() > deadline) throw new Error(`instance ${name} is still ${String(inst.state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A LangGraph graph that appends one entry per run: the state shows which runs the thread remembers. */
const counterGraph = (checkpointer: LakebaseCheckpointSaver) => {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  });
  return new StateGraph(State)
    .addNode("step", (s: typeof State.State) => ({ log: [`run ${s.log.length + 1}`] }))
    .addEdge("__start__", "step")
    .addEdge("step", "__end__")
    .compile({ checkpointer });
};

const checkpointAt = (id: string) => ({ ...emptyCheckpoint(), id, ts: new Date().toISOString() });

/** 4-dimensional bag-of-letters embeddings: deterministic, enough to rank "cat" near "cats". */
const embedLetters = (t: string) => {
  const v = [0, 0, 0, 0];
  for (const ch of t.toLowerCase()) v[ch.charCodeAt(0) % 4] = (v[ch.charCodeAt(0) % 4] ?? 0) + 1;
  return v;
};
const letters = {
  embedDocuments: async (texts: string[]) => texts.map(embedLetters),
  embedQuery: async (text: string) => embedLetters(text),
};

describe("Lakebase pool, checkpointer and store against the emulator", () => {
  let emu: EmulatorHandle;
  let http: DatabricksHttpClient;
  const pools: { end(): Promise<void> }[] = [];
  const track = <T extends { end(): Promise<void> }>(p: T): T => {
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    emu = await startEmulator({ users: [OTHER], foundationModels: false });
    http = httpFor(emu);
    await http.request({ method: "POST", path: "/api/2.0/database/instances", body: { name: "mem" } });
    // PGlite's first start in this process takes a while: wait here, with a deadline, so no later hook has to.
    await waitAvailable(http, "mem");
  }, 120_000);
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await emu?.close();
  });

  it("the pool logs in as the workspace identity and reuses one credential", async () => {
    const pool = track(new LakebasePool({ instanceName: "mem", httpClient: http, max: 3 }));
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => pool.query("SELECT $1::int AS i, current_database() AS db", [i])),
    );
    expect(results.map((r) => r.rows[0].i)).toEqual([1, 2, 3, 4, 5]);
    expect(pool.credentials.fetches).toBe(1);
    expect(pool.options.user).toBe(emu.userName);
    expect(pool.options.ssl).toBe(false);
  }, 60_000);

  it("an unknown instance is a NotFoundError naming it", async () => {
    const pool = track(new LakebasePool({ instanceName: "nope", httpClient: http }));
    const err = await pool.query("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toMatch(/'nope' does not exist/);
  });

  it("a refused login (expired credential) is retried once with a fresh credential", async () => {
    const pool = track(new LakebasePool({ instanceName: "mem", httpClient: http, max: 1 }));
    const c0 = await pool.connect();
    c0.release(true); // closed, not pooled: the next connect logs in again
    expect(pool.credentials.fetches).toBe(1);
    // The server's clock passes the credential's expiry; the pool's cached copy still looks valid to it.
    emu.admin.advanceClock(3601_000);
    const c = await pool.connect();
    expect(pool.credentials.fetches).toBe(2);
    c.release(true);
    emu.admin.revokeDatabaseCredentials();
    expect((await pool.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
    expect(pool.credentials.fetches).toBe(3);
  });

  it("a login refused twice is a LakebaseAuthenticationError with the SQLSTATE and no credential", async () => {
    const pool = track(new LakebasePool({ instanceName: "mem", httpClient: http, user: OTHER.userName }));
    const err = await pool.query("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakebaseAuthenticationError);
    const e = err as LakebaseAuthenticationError;
    expect(e.errorCode).toBe("28P01");
    expect(e.message).toContain(`password authentication failed for user "${OTHER.userName}"`);
    expect(pool.credentials.fetches).toBe(2);
    const token = await pool.credentials.token();
    expect(JSON.stringify(e.toJSON())).not.toContain(token);
    expect(e.message).not.toContain(token);
  });

  it("credentials rotate mid-run in the background and connections recycle; no query fails", async () => {
    const pool = track(
      new LakebasePool({
        instanceName: "mem",
        httpClient: http,
        max: 4,
        credentialCacheSeconds: 0, // every login starts a background refresh
        maxLifetimeSeconds: 1,
      }),
    );
    const deadline = Date.now() + 2_500;
    let n = 0;
    while (Date.now() < deadline) {
      await Promise.all([0, 1, 2, 3].map(() => pool.query("SELECT 1")));
      n += 4;
    }
    expect(n).toBeGreaterThan(8);
    expect(pool.credentials.fetches).toBeGreaterThan(1);
  });

  describe("LakebaseCheckpointSaver", () => {
    let saver: LakebaseCheckpointSaver;
    beforeAll(async () => {
      saver = track(new LakebaseCheckpointSaver({ instanceName: "mem", httpClient: http }));
      await saver.setup();
    });

    it("setup() creates the checkpoint tables; a graph thread accumulates across runs", async () => {
      const tables = await saver.lakebasePool.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'checkpoint%' ORDER BY 1",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        "checkpoint_blobs",
        "checkpoint_migrations",
        "checkpoint_writes",
        "checkpoints",
      ]);
      const graph = counterGraph(saver);
      const config = { configurable: { thread_id: "t-graph" } };
      await graph.invoke({ log: [] }, config);
      const second = await graph.invoke({ log: [] }, config);
      expect(second.log).toEqual(["run 1", "run 2"]);
    });

    it("a thread keeps going while credentials are revoked and connections recycle mid-run", async () => {
      const rotating = track(
        new LakebaseCheckpointSaver({ instanceName: "mem", httpClient: http, max: 1, maxLifetimeSeconds: 1 }),
      );
      const graph = counterGraph(rotating);
      const config = { configurable: { thread_id: "t-rotation" } };
      let last: { log: string[] } | undefined;
      const deadline = Date.now() + 2_500;
      let runs = 0;
      while (Date.now() < deadline || runs < 3) {
        if (runs % 2 === 1) emu.admin.revokeDatabaseCredentials();
        last = await graph.invoke({ log: [] }, config);
        runs++;
      }
      expect(last?.log).toHaveLength(runs);
      expect(last?.log.at(-1)).toBe(`run ${runs}`);
      expect(rotating.lakebasePool.credentials.fetches).toBeGreaterThan(1);
    });

    it("concurrent writers on one thread: every checkpoint is kept", async () => {
      const config = { configurable: { thread_id: "t-conc", checkpoint_ns: "" } };
      const ids = Array.from(
        { length: 12 },
        (_, i) => `1ef0000-0000-6000-8000-${String(i).padStart(12, "0")}`,
      );
      await Promise.all(
        ids.map((id) => saver.put(config, checkpointAt(id), { source: "input", step: 0, parents: {} }, {})),
      );
      const listed: string[] = [];
      for await (const t of saver.list({ configurable: { thread_id: "t-conc" } }))
        listed.push(t.checkpoint.id);
      expect(listed.sort()).toEqual(ids);
    });
  });

  describe("DatabricksStore", () => {
    let store: DatabricksStore;
    beforeAll(async () => {
      store = new DatabricksStore({
        instanceName: "mem",
        httpClient: http,
        index: { dims: 4, embed: letters, fields: ["text"] },
      });
      track({ end: () => store.stop() });
      await store.setup();
      expect(store.semanticSearch).toBe("pgvector");
    });

    it("put/get/delete by namespace, listNamespaces, TTL", async () => {
      await store.put(["users", "u1"], "prefs", { theme: "dark", n: 1 });
      await store.put(["users", "u2"], "prefs", { theme: "light" }, undefined, { ttl: 5 });
      const item = await store.get(["users", "u1"], "prefs");
      expect(item?.value).toEqual({ theme: "dark", n: 1 });
      expect(item?.namespace).toEqual(["users", "u1"]);
      expect((await store.listNamespaces({ prefix: ["users"] })).sort()).toEqual([
        ["users", "u1"],
        ["users", "u2"],
      ]);
      const ttl = await store.lakebasePool.query(
        "SELECT expires_at > now() + interval '4 minutes' AND expires_at < now() + interval '6 minutes' AS in5 " +
          "FROM store WHERE value->>'theme' = 'light'",
      );
      expect(ttl.rows).toEqual([{ in5: true }]);
      await store.delete(["users", "u1"], "prefs");
      expect(await store.get(["users", "u1"], "prefs")).toBeNull();
    });

    it("semantic search ranks by the embeddings (pgvector)", async () => {
      await store.put(["docs"], "a", { text: "cats" });
      await store.put(["docs"], "b", { text: "zzzz" });
      const hits = await store.search(["docs"], { query: "cat", limit: 2 });
      expect(hits[0]?.key).toBe("a");
      expect(typeof hits[0]?.score).toBe("number");
    });

    it("in-process semantic search (no pgvector): ranks the namespace by cosine, via search and batch", async () => {
      const local = new DatabricksStore({
        instanceName: "mem",
        httpClient: http,
        schema: "local_search",
        index: { dims: 4, embed: letters, fields: ["text"] },
        vectorSearch: "in-process",
      });
      track({ end: () => local.stop() });
      await local.setup();
      expect(local.semanticSearch).toBe("in-process");
      const tables = await local.lakebasePool.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'local_search' ORDER BY 1",
      );
      expect(tables.rows.map((r) => r.table_name)).not.toContain("store_vectors");
      await local.put(["docs"], "a", { text: "cats" });
      await local.put(["docs"], "b", { text: "zzzz" });
      await local.put(["other"], "c", { text: "cat" });
      const hits = await local.search(["docs"], { query: "cat", limit: 2 });
      expect(hits.map((h) => h.key)).toEqual(["a", "b"]);
      expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? 1);
      const [viaBatch] = await local.batch([{ namespacePrefix: ["docs"], query: "zz", limit: 1 }]);
      expect((viaBatch as { key: string }[]).map((h) => h.key)).toEqual(["b"]);
    });

    it("a value that is not JSON is a StoreValueError, through put and batch", async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bad: [unknown, RegExp][] = [
        [{ f: () => 1 }, /\$\.f is a function/],
        [{ n: 10n }, /\$\.n is a BigInt/],
        [{ d: new Date(0) }, /\$\.d is an instance of Date/],
        [{ x: Number.NaN }, /\$\.x is NaN/],
        [cyclic, /circular/],
        [[1, 2], /plain JSON object, got an array/],
      ];
      for (const [value, message] of bad) {
        const err = await store.put(["bad"], "k", value as Record<string, unknown>).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreValueError);
        expect((err as Error).message).toMatch(message);
      }
      const viaBatch = await store
        .batch([{ namespace: ["bad"], key: "k", value: { u: undefined } }])
        .catch((e: unknown) => e);
      expect(viaBatch).toBeInstanceOf(StoreValueError);
      expect(await store.get(["bad"], "k")).toBeNull();
    });
  });
});

describe("Lakebase across an emulator restart (data dir)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lakebase-int-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a thread survives; the database going away mid-run is a LakebaseConnectionError and loses nothing", async () => {
    let emu = await startEmulator({ dataDir: dir, foundationModels: false });
    const port = emu.port;
    // Retries on: the keep-alive connection to the first emulator process dies with it.
    const http = httpFor(emu, 3);
    await http.request({ method: "POST", path: "/api/2.0/database/instances", body: { name: "durable" } });
    const saver = new LakebaseCheckpointSaver({ instanceName: "durable", httpClient: http, max: 2 });
    try {
      await saver.setup();
      const graph = counterGraph(saver);
      const config = { configurable: { thread_id: "t-durable" } };
      await graph.invoke({ log: [] }, config);

      await emu.close(); // the database goes away mid-run
      const err = await graph.invoke({ log: [] }, config).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LakebaseConnectionError);

      emu = await startEmulator({ dataDir: dir, port, foundationModels: false });
      // The same saver reconnects (new wire port) and the thread continues from its last checkpoint.
      const third = await graph.invoke({ log: [] }, config);
      expect(third.log).toEqual(["run 1", "run 2"]);
    } finally {
      await saver.end().catch(() => undefined);
      await emu.close();
    }
  }, 120_000);
});
