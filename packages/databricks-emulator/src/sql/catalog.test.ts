import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeIdentity } from "../auth/identity.js";
import { ApiError } from "../errors.js";
import { Clock } from "../util/clock.js";
import { UnityCatalog } from "./catalog.js";

const dir = mkdtempSync(join(tmpdir(), "uc-catalog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("UnityCatalog", () => {
  it("loads a CSV, reads it by three-level name and enforces SELECT per principal", async () => {
    const csv = join(dir, "docs.csv");
    writeFileSync(csv, "id,text,score\n1,hello,0.5\n2,world,1.5\n");
    const uc = await UnityCatalog.open(new Clock(), join(dir, "state"));
    try {
      await uc.loadTable("main.default.docs", csv);
      const data = await uc.readTable("main.default.docs", { columns: ["text", "id"] });
      expect(data.columns).toEqual([
        { name: "text", type: "STRING", typeName: "STRING" },
        { name: "id", type: "BIGINT", typeName: "LONG" },
      ]);
      expect(data.rows).toEqual([
        ["hello", 1],
        ["world", 2],
      ]);
      const bob = makeIdentity("user", "bob@example.com");
      expect(uc.canSelect(bob, "main.default.docs")).toBe(false);
      await expect(uc.readTable("main.default.docs", { principal: bob })).rejects.toMatchObject({
        status: 403,
        errorCode: "PERMISSION_DENIED",
      });
      uc.updateGrants("catalog", "main", [{ principal: "bob@example.com", add: ["USE_CATALOG"] }]);
      uc.updateGrants("schema", "main.default", [{ principal: "users", add: ["USE_SCHEMA"] }]);
      expect(uc.canSelect(bob, "main.default.docs")).toBe(false);
      uc.updateGrants("table", "main.default.docs", [{ principal: "bob@example.com", add: ["SELECT"] }]);
      expect(uc.canSelect(bob, "main.default.docs")).toBe(true);
      await expect(uc.readTable("main.default.nope")).rejects.toBeInstanceOf(ApiError);
      await expect(uc.readTable("main.default.docs", { columns: ["nope"] })).rejects.toThrow(/Column 'nope'/);
    } finally {
      uc.close();
    }
    // Durable: a second open of the same directory sees the table and the grants.
    const again = await UnityCatalog.open(new Clock(), join(dir, "state"));
    try {
      expect((await again.readTable("main.default.docs")).rows).toHaveLength(2);
      expect(again.canSelect(makeIdentity("user", "bob@example.com"), "main.default.docs")).toBe(true);
    } finally {
      again.close();
    }
  });
});
