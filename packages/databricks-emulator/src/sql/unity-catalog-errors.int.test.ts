/**
 * Unity Catalog REST bad input and access (sql/routes.ts): each missing field, malformed name, missing object and
 * unauthorised caller is the Databricks envelope with the real status, error code and message.
 */
import { describe, expect, it } from "vitest";
import { dig, expectError, useEmulator } from "../../test-support/conformance.js";

const UC = "/api/2.1/unity-catalog";
const VIEWER = { token: "dapi-viewer-uc" };

describe("Unity Catalog REST: bad input and access", () => {
  const h = useEmulator({ users: [{ userName: "viewer@example.com", token: VIEWER.token }] });
  const sql = async (statement: string) => {
    const res = await h.call("POST", "/api/2.0/sql/statements", {
      statement,
      warehouse_id: h.emu.warehouseId,
      wait_timeout: "30s",
    });
    expect(dig(res.json, "status", "state"), res.text).toBe("SUCCEEDED");
  };

  it("catalogs: create needs admin and a name; get/delete of a missing or hidden catalog", async () => {
    expectError(
      await h.call("POST", `${UC}/catalogs`, { name: "x" }, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have CREATE CATALOG on Metastore.",
    );
    expectError(
      await h.call("POST", `${UC}/catalogs`, { comment: "no name" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "name is required.",
    );
    const created = await h.call("POST", `${UC}/catalogs`, { name: "Shop", comment: "the shop" });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({ name: "shop", comment: "the shop", owner: expect.any(String) });
    expectError(
      await h.call("GET", `${UC}/catalogs/nowhere`),
      404,
      "CATALOG_DOES_NOT_EXIST",
      "Catalog 'nowhere' does not exist.",
    );
    expectError(
      await h.call("GET", `${UC}/catalogs/shop`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have USE CATALOG on Catalog 'shop'.",
    );
    // The viewer's catalog list leaves out what they may not use.
    const listed = await h.call("GET", `${UC}/catalogs`, undefined, VIEWER);
    expect(listed.status).toBe(200);
    expect(
      ((dig(listed.json, "catalogs") as { name: string }[] | undefined) ?? []).map((c) => c.name),
    ).not.toContain("shop");
    expectError(
      await h.call("DELETE", `${UC}/catalogs/shop`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "Only admins can delete catalogs.",
    );
  });

  it("schemas: list/create/get validation, 404s, 409 and the USE checks", async () => {
    expectError(
      await h.call("GET", `${UC}/schemas`),
      400,
      "INVALID_PARAMETER_VALUE",
      "catalog_name is required.",
    );
    expectError(
      await h.call("GET", `${UC}/schemas`, undefined, { query: { catalog_name: "nowhere" } }),
      404,
      "CATALOG_DOES_NOT_EXIST",
      "Catalog 'nowhere' does not exist.",
    );
    expectError(
      await h.call("GET", `${UC}/schemas`, undefined, { ...VIEWER, query: { catalog_name: "shop" } }),
      403,
      "PERMISSION_DENIED",
      "User does not have USE CATALOG on Catalog 'shop'.",
    );
    expectError(
      await h.call("POST", `${UC}/schemas`, { name: "s" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "name and catalog_name are required.",
    );
    expectError(
      await h.call("POST", `${UC}/schemas`, { name: "s", catalog_name: "shop" }, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have CREATE SCHEMA on Catalog 'shop'.",
    );
    const made = await h.call("POST", `${UC}/schemas`, { name: "Sales", catalog_name: "shop", comment: "c" });
    expect(made.status, made.text).toBe(200);
    expect(made.json).toMatchObject({ name: "sales", full_name: "shop.sales", comment: "c" });
    expectError(
      await h.call("POST", `${UC}/schemas`, { name: "sales", catalog_name: "shop" }),
      409,
      "SCHEMA_ALREADY_EXISTS",
      "Schema 'shop.sales' already exists.",
    );
    expectError(
      await h.call("GET", `${UC}/schemas/shop`),
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid schema name 'shop': expected catalog.schema.",
    );
    expectError(
      await h.call("GET", `${UC}/schemas/shop.nothing`),
      404,
      "SCHEMA_DOES_NOT_EXIST",
      "Schema 'shop.nothing' does not exist.",
    );
    expectError(
      await h.call("GET", `${UC}/schemas/shop.sales`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have USE SCHEMA on Schema 'shop.sales'.",
    );
  });

  it("tables: list needs both names; missing catalog or table; SELECT and USE checks", async () => {
    await sql("CREATE TABLE shop.sales.orders (id INT, amount DOUBLE)");
    expectError(
      await h.call("GET", `${UC}/tables`, undefined, { query: { catalog_name: "shop" } }),
      400,
      "INVALID_PARAMETER_VALUE",
      "catalog_name and schema_name are required.",
    );
    expectError(
      await h.call("GET", `${UC}/tables`, undefined, {
        query: { catalog_name: "nowhere", schema_name: "s" },
      }),
      404,
      "CATALOG_DOES_NOT_EXIST",
      "Catalog 'nowhere' does not exist.",
    );
    expectError(
      await h.call("GET", `${UC}/tables`, undefined, {
        ...VIEWER,
        query: { catalog_name: "shop", schema_name: "sales" },
      }),
      403,
      "PERMISSION_DENIED",
      "User does not have USE SCHEMA on Schema 'shop.sales'.",
    );
    const omitted = await h.call("GET", `${UC}/tables`, undefined, {
      query: { catalog_name: "shop", schema_name: "sales", omit_columns: "true" },
    });
    expect(omitted.status, omitted.text).toBe(200);
    const tables = dig(omitted.json, "tables") as Record<string, unknown>[];
    expect(tables.map((t) => t.full_name)).toEqual(["shop.sales.orders"]);
    expect(tables[0]?.columns).toBeUndefined();
    expectError(
      await h.call("GET", `${UC}/tables/shop.sales.none`),
      404,
      "TABLE_DOES_NOT_EXIST",
      "Table 'shop.sales.none' does not exist.",
    );
    expect((await h.call("GET", `${UC}/tables/shop.sales.none/exists`)).json).toEqual({
      table_exists: false,
    });
    expect((await h.call("GET", `${UC}/tables/shop.sales.orders/exists`)).json).toEqual({
      table_exists: true,
    });
    expectError(
      await h.call("GET", `${UC}/tables/shop.sales.orders`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have SELECT on Table 'shop.sales.orders'.",
    );
    // With USE CATALOG, USE SCHEMA and SELECT granted over REST, the viewer reads the table.
    for (const [type, name, privilege] of [
      ["catalog", "shop", "USE CATALOG"],
      ["schema", "shop.sales", "use_schema"],
      ["table", "shop.sales.orders", "SELECT"],
    ]) {
      const res = await h.call("PATCH", `${UC}/permissions/${type}/${name}`, {
        changes: [{ principal: "viewer@example.com", add: [privilege] }],
      });
      expect(res.status, res.text).toBe(200);
    }
    const seen = await h.call("GET", `${UC}/tables/shop.sales.orders`, undefined, VIEWER);
    expect(seen.status, seen.text).toBe(200);
    expect((dig(seen.json, "columns") as { name: string }[]).map((c) => c.name)).toEqual(["id", "amount"]);
  });

  it("permissions: securable type, admin-only changes, and each malformed change", async () => {
    expectError(
      await h.call("GET", `${UC}/permissions/volume/a.b.c`),
      400,
      "INVALID_PARAMETER_VALUE",
      "Unsupported securable type 'volume': use catalog, schema, table or function.",
    );
    expectError(
      await h.call("PATCH", `${UC}/permissions/table/shop.sales.orders`, { changes: [] }, VIEWER),
      403,
      "PERMISSION_DENIED",
      "Only admins and owners can change grants.",
    );
    const patch = (body: unknown) => h.call("PATCH", `${UC}/permissions/table/shop.sales.orders`, body);
    expectError(await patch({ changes: {} }), 400, "INVALID_PARAMETER_VALUE", "changes must be a list.");
    expectError(
      await patch({ changes: [{ add: ["SELECT"] }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      "changes[0].principal is required.",
    );
    expectError(
      await patch({ changes: [{ principal: "p", add: "SELECT" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      "changes[0] add/remove must be lists.",
    );
    expectError(
      await patch({ changes: [{ principal: "p", remove: ["FLY"] }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Unknown privilege 'FLY'.",
    );
    const granted = await h.call("GET", `${UC}/permissions/table/shop.sales.orders`);
    expect(granted.json).toEqual({
      privilege_assignments: [{ principal: "viewer@example.com", privileges: ["SELECT"] }],
    });
    expect((await h.call("GET", `${UC}/permissions/function/main.default.none`)).json).toEqual({});
  });

  it("functions: function_info required; list needs names; missing, hidden, and non-owner delete", async () => {
    expectError(
      await h.call("POST", `${UC}/functions`, {}),
      400,
      "INVALID_PARAMETER_VALUE",
      "function_info is required.",
    );
    expectError(
      await h.call("GET", `${UC}/functions`, undefined, { query: { catalog_name: "main" } }),
      400,
      "INVALID_PARAMETER_VALUE",
      "catalog_name and schema_name are required.",
    );
    expectError(
      await h.call("GET", `${UC}/functions/main.default.nope`),
      404,
      "FUNCTION_DOES_NOT_EXIST",
      "Function 'main.default.nope' does not exist.",
    );
    await sql("CREATE FUNCTION main.default.twice(x INT) RETURNS INT RETURN x * 2");
    expectError(
      await h.call("GET", `${UC}/functions/main.default.twice`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User does not have EXECUTE on Routine 'main.default.twice'.",
    );
    const hidden = await h.call("GET", `${UC}/functions`, undefined, {
      ...VIEWER,
      query: { catalog_name: "main", schema_name: "default" },
    });
    expect(((dig(hidden.json, "functions") as unknown[] | undefined) ?? []).length).toBe(0);
    for (const [type, name, privilege] of [
      ["catalog", "main", "USE_CATALOG"],
      ["schema", "main.default", "USE_SCHEMA"],
      ["function", "main.default.twice", "EXECUTE"],
    ]) {
      const res = await h.call("PATCH", `${UC}/permissions/${type}/${name}`, {
        changes: [{ principal: "viewer@example.com", add: [privilege] }],
      });
      expect(res.status, res.text).toBe(200);
    }
    const visible = await h.call("GET", `${UC}/functions/main.default.twice`, undefined, VIEWER);
    expect(dig(visible.json, "full_name")).toBe("main.default.twice");
    expectError(
      await h.call("DELETE", `${UC}/functions/main.default.twice`, undefined, VIEWER),
      403,
      "PERMISSION_DENIED",
      "User is not the owner of Routine 'main.default.twice'.",
    );
    expect((await h.call("DELETE", `${UC}/functions/main.default.twice`)).status).toBe(200);
    expectError(await h.call("GET", `${UC}/functions/main.default.twice`), 404, "FUNCTION_DOES_NOT_EXIST");
  });
});
