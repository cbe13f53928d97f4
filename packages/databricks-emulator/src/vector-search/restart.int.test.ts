/**
 * Vector Search state under `dataDir` (vector-search/persist.ts), in-process: a closed and restarted emulator
 * serves the same endpoints, indexes and rows; a deleted index leaves no data behind; a damaged or
 * future-version state file stops the start with a message naming it instead of serving partial state.
 * (durability.int.test.ts proves the same across kill -9 of the CLI process.)
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { callEmulator, dig } from "../../test-support/conformance.js";
import { useTempDirs } from "../../test-support/temp-dirs.js";
import { startEmulator } from "../index.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const V = "/api/2.0/vector-search";
const freshDir = useTempDirs("vs-restart-");
/** The data file of index c.s.keep (persist.ts: `index-<hex of the name>.bin`). */
const KEEP_FILE = `index-${Buffer.from("c.s.keep").toString("hex")}.bin`;
const start = (dataDir: string) => startEmulator({ port: 0, dataDir, transitionMs: 0 });

const indexBody = (name: string) => ({
  name,
  endpoint_name: "ep",
  primary_key: "id",
  index_type: "DIRECT_ACCESS",
  direct_access_index_spec: {
    embedding_vector_columns: [{ name: "v", embedding_dimension: 3 }],
    schema_json: JSON.stringify({ id: "string", text: "string", n: "int", v: "array<float>" }),
  },
});

const seed = async (emu: Emulator) => {
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await callEmulator(emu, method, path, body);
    expect(res.status, res.text).toBe(200);
    return res;
  };
  await ok("POST", `${V}/endpoints`, { name: "ep", endpoint_type: "STANDARD" });
  await ok("POST", `${V}/indexes`, indexBody("c.s.keep"));
  await ok("POST", `${V}/indexes`, indexBody("c.s.gone"));
  const rows = [
    { id: "a", text: "alpha", n: 1, v: [1, 0, 0] },
    { id: "b", text: "beta", n: 2, v: [0, 1, 0] },
    { id: "c", text: "gamma", n: 3, v: [0.5, 0.5, 0] },
  ];
  const up = await ok("POST", `${V}/indexes/c.s.keep/upsert-data`, { inputs_json: JSON.stringify(rows) });
  expect(dig(up.json, "status")).toBe("SUCCESS");
  await ok("POST", `${V}/indexes/c.s.gone/upsert-data`, { inputs_json: JSON.stringify(rows) });
  await ok("DELETE", `${V}/indexes/c.s.keep/delete-data`, { primary_keys: ["b"] });
  await ok("DELETE", `${V}/indexes/c.s.gone`);
  const id = dig((await ok("GET", `${V}/endpoints/ep`)).json, "id") as string;
  await ok("PATCH", `/api/2.0/permissions/vector-search-endpoints/${id}`, {
    access_control_list: [{ group_name: "vs-team", permission_level: "CAN_USE" }],
  });
};

/** A data dir that a closed emulator left after {@link seed}. */
const seededDir = async (): Promise<string> => {
  const dir = freshDir();
  const emu = await start(dir);
  try {
    await seed(emu);
  } finally {
    await emu.close();
  }
  return dir;
};

const query = { columns: ["id", "text", "n"], query_vector: [1, 0.1, 0], num_results: 5 };

describe("vector search state across a restart on the same dataDir", () => {
  it("endpoints, index definitions and rows come back; the deleted index and its data file do not", async () => {
    const dir = freshDir();
    let emu = await start(dir);
    let before: unknown;
    try {
      await seed(emu);
      const q = await callEmulator(emu, "POST", `${V}/indexes/c.s.keep/query`, query);
      expect(q.status, q.text).toBe(200);
      before = q.json;
      // Rows a and c, nearest first; b was deleted before the restart.
      expect((dig(before, "result", "data_array") as unknown[][]).map((r) => r[0])).toEqual(["a", "c"]);
    } finally {
      await emu.close();
    }
    // One data file (the kept index) beside meta.json.
    const files = readdirSync(join(dir, "vector-search")).sort();
    expect(files).toEqual([KEEP_FILE, "meta.json"]);

    emu = await start(dir);
    try {
      const after = await callEmulator(emu, "POST", `${V}/indexes/c.s.keep/query`, query);
      expect(after.json).toEqual(before);
      const idx = await callEmulator(emu, "GET", `${V}/indexes/c.s.keep`);
      expect(dig(idx.json, "status", "indexed_row_count")).toBe(2);
      expect(dig(idx.json, "primary_key")).toBe("id");
      const gone = await callEmulator(emu, "GET", `${V}/indexes/c.s.gone`);
      expect(gone.status).toBe(404);
      const ep = await callEmulator(emu, "GET", `${V}/endpoints/ep`);
      expect(dig(ep.json, "endpoint_status", "state")).toBe("ONLINE");
      const perms = await callEmulator(
        emu,
        "GET",
        `/api/2.0/permissions/vector-search-endpoints/${dig(ep.json, "id")}`,
      );
      expect(
        (dig(perms.json, "access_control_list") as Record<string, unknown>[]).map((e) => e.group_name),
      ).toEqual([undefined, "vs-team", "admins"]);
    } finally {
      await emu.close();
    }
  });

  it("an index whose data file is missing comes back empty (definition kept, no rows)", async () => {
    const dir = await seededDir();
    rmSync(join(dir, "vector-search", KEEP_FILE));
    const emu = await start(dir);
    try {
      const idx = await callEmulator(emu, "GET", `${V}/indexes/c.s.keep`);
      expect(idx.status, idx.text).toBe(200);
      expect(dig(idx.json, "status", "indexed_row_count")).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it("a data file without the format marker stops the start, naming the index", async () => {
    const dir = await seededDir();
    writeFileSync(join(dir, "vector-search", KEEP_FILE), "JUNK");
    await expect(start(dir)).rejects.toThrow("bad data file for index c.s.keep");
  });

  it("a meta.json of another version stops the start with the version in the message", async () => {
    const dir = await seededDir();
    const metaPath = join(dir, "vector-search", "meta.json");
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { version: number };
    writeFileSync(metaPath, JSON.stringify({ ...meta, version: 2 }));
    await expect(start(dir)).rejects.toThrow("vector-search/meta.json has unsupported version 2");
  });
});
