/**
 * A start that fails after the stateful services opened (port in use, a table file that does not load) closes them
 * again: Unity Catalog's DuckDB, Lakebase's Postgres wire endpoints (PGlite) and the data dir lock, so a later start
 * on the same data dir opens them afresh in the same process.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../test-support/client.js";
import { useTempDirs } from "../test-support/temp-dirs.js";
import { LakebaseStore } from "./lakebase/store.js";
import { PgWire } from "./lakebase/wire.js";
import { startEmulator } from "./server.js";
import { UnityCatalog } from "./sql/catalog.js";

const freshDir = useTempDirs("emu-start-fail-");
afterEach(() => {
  vi.restoreAllMocks();
});

describe("startEmulator failing after its services opened", () => {
  it("closes Unity Catalog, the Lakebase store and its wire endpoints when the port is in use", {
    timeout: 60_000,
  }, async () => {
    const dir = freshDir();
    // A first run leaves a Lakebase instance in the data dir: the next start opens its PGlite endpoint at once.
    const first = await startEmulator({ dataDir: dir, foundationModels: false });
    const created = await call(first, "POST", "/api/2.0/database/instances", { name: "lb" });
    expect(created.status, created.text).toBe(200);
    await first.close();

    const other = await startEmulator({ foundationModels: false });
    try {
      const ucClose = vi.spyOn(UnityCatalog.prototype, "close");
      const storeClose = vi.spyOn(LakebaseStore.prototype, "close");
      const wireClose = vi.spyOn(PgWire.prototype, "close");
      await expect(
        startEmulator({ dataDir: dir, port: other.port, foundationModels: false }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(ucClose).toHaveBeenCalledTimes(1);
      expect(storeClose).toHaveBeenCalledTimes(1);
      expect(wireClose).toHaveBeenCalled();
    } finally {
      await other.close();
    }

    // The same data dir starts again in this process, with its instance.
    const again = await startEmulator({ dataDir: dir, foundationModels: false });
    try {
      const r = await call(again, "GET", "/api/2.0/database/instances/lb");
      expect(r.status, r.text).toBe(200);
      expect(r.json.name).toBe("lb");
    } finally {
      await again.close();
    }
  });

  it("closes Unity Catalog when a table file does not load", async () => {
    const dir = freshDir();
    const ucClose = vi.spyOn(UnityCatalog.prototype, "close");
    await expect(
      startEmulator({
        dataDir: dir,
        foundationModels: false,
        tables: { "main.default.docs": join(dir, "missing.parquet") },
      }),
    ).rejects.toThrow();
    expect(ucClose).toHaveBeenCalledTimes(1);
    const again = await startEmulator({ dataDir: dir, foundationModels: false });
    await again.close();
  });
});
