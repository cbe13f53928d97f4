/** `spec/conformance-cases.md`, Secrets API: cases 84-98. */
import { describe, expect, it } from "vitest";
import { asArray, asRecord, dig, expectError, useEmulator } from "../../test-support/conformance.js";

const READER = { userName: "reader@example.com", token: "dapi-reader-00000000000000000000000" };
const OUTSIDER = { userName: "outsider@example.com", token: "dapi-outsider-000000000000000000000" };

// Each case makes its own scope (named after the case) and its own fixtures, so the cases share nothing but the
// emulator: one failing case cannot cascade into the others, and they pass in any order or alone.
describe("secret scopes and secrets", () => {
  const h = useEmulator({ users: [READER, OUTSIDER] });
  const post = (path: string, body: unknown, token?: string) =>
    h.call("POST", `/api/2.0/secrets/${path}`, body, token === undefined ? {} : { token });
  const get = (path: string, query: Record<string, string>, token?: string) =>
    h.call("GET", `/api/2.0/secrets/${path}`, undefined, token === undefined ? { query } : { query, token });

  /** Creates a fresh scope for one case and returns its name. */
  const scope = async (name: string): Promise<string> => {
    const res = await post("scopes/create", { scope: name });
    expect(res.status, res.text).toBe(200);
    return name;
  };
  /** A fresh scope holding `k` = "abc" (base64 YWJj), as the seed's first secret. */
  const scopeWithSecret = async (name: string): Promise<string> => {
    await scope(name);
    const put = await post("put", { scope: name, key: "k", string_value: "abc" });
    expect(put.status, put.text).toBe(200);
    return name;
  };

  it("case 84: create scope s1 -> 200 {}; scopes/list -> [{name:s1, backend_type:DATABRICKS}]", async () => {
    const res = await post("scopes/create", { scope: "c84" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    const list = await get("scopes/list", {});
    expect(list.status).toBe(200);
    // Other cases' scopes may be listed too: this one is there exactly once, in the real shape.
    const scopes = asArray(dig(list.json, "scopes"));
    expect(scopes.filter((x) => dig(x, "name") === "c84")).toEqual([
      { name: "c84", backend_type: "DATABRICKS" },
    ]);
    for (const x of scopes) expect(Object.keys(asRecord(x)).sort()).toEqual(["backend_type", "name"]);
  });

  it("case 85: create s1 again -> HTTP 400 RESOURCE_ALREADY_EXISTS 'Scope s1 already exists!'", async () => {
    await scope("c85");
    const res = await post("scopes/create", { scope: "c85" });
    expectError(res, 400, "RESOURCE_ALREADY_EXISTS", "Scope c85 already exists!");
  });

  it("case 86: scope 'bad/name' -> 400 INVALID_PARAMETER_VALUE", async () => {
    expectError(await post("scopes/create", { scope: "bad/name" }), 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 86b: 129-char scope name -> 400 INVALID_PARAMETER_VALUE; 128 chars is fine", async () => {
    expectError(await post("scopes/create", { scope: "a".repeat(129) }), 400, "INVALID_PARAMETER_VALUE");
    const ok = await post("scopes/create", { scope: "b".repeat(128) });
    expect(ok.status, ok.text).toBe(200);
  });

  it("case 86c: missing or non-string scope -> 400 INVALID_PARAMETER_VALUE", async () => {
    expectError(await post("scopes/create", {}), 400, "INVALID_PARAMETER_VALUE");
    expectError(await post("scopes/create", { scope: 42 }), 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 87: put string_value abc -> 200 {}; get -> {key:k, value:YWJj}", async () => {
    await scope("c87");
    const put = await post("put", { scope: "c87", key: "k", string_value: "abc" });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({});
    const res = await get("get", { scope: "c87", key: "k" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ key: "k", value: "YWJj" });
  });

  it("case 88: put bytes_value AAEC -> get returns value AAEC", async () => {
    await scope("c88");
    const put = await post("put", { scope: "c88", key: "bin", bytes_value: "AAEC" });
    expect(put.status, put.text).toBe(200);
    const res = await get("get", { scope: "c88", key: "bin" });
    expect(dig(res.json, "value")).toBe("AAEC");
  });

  it("case 88b: put overwrites an existing key", async () => {
    await scope("c88b");
    await post("put", { scope: "c88b", key: "over", string_value: "one" });
    await post("put", { scope: "c88b", key: "over", string_value: "two" });
    const res = await get("get", { scope: "c88b", key: "over" });
    expect(Buffer.from(String(dig(res.json, "value")), "base64").toString("utf8")).toBe("two");
  });

  it("case 89: both string_value and bytes_value, or neither -> 400", async () => {
    await scope("c89");
    const both = await post("put", { scope: "c89", key: "x", string_value: "a", bytes_value: "AAEC" });
    expectError(both, 400);
    const neither = await post("put", { scope: "c89", key: "x" });
    expectError(neither, 400);
    expectError(await get("get", { scope: "c89", key: "x" }), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 89b: bad key name and oversized (>128 KB) value -> 400, value never echoed", async () => {
    await scope("c89b");
    expectError(await post("put", { scope: "c89b", key: "bad/key", string_value: "v" }), 400);
    const big = "z".repeat(128 * 1024 + 1);
    const res = await post("put", { scope: "c89b", key: "big", string_value: big });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status);
    expect(res.text.length).toBeLessThan(2_000);
  });

  it("case 90: put into missing scope -> 404 RESOURCE_DOES_NOT_EXIST 'Scope nope does not exist!'", async () => {
    const res = await post("put", { scope: "nope", key: "k", string_value: "v" });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST", "Scope nope does not exist!");
  });

  it("case 91: list -> secrets with key and 13-digit last_updated_timestamp, never a value", async () => {
    await scopeWithSecret("c91");
    await post("put", { scope: "c91", key: "bin", bytes_value: "AAEC" });
    const res = await get("list", { scope: "c91" });
    expect(res.status, res.text).toBe(200);
    const secrets = asArray(dig(res.json, "secrets"));
    const k = asRecord(secrets.find((s) => dig(s, "key") === "k"));
    expect(String(k.last_updated_timestamp)).toMatch(/^\d{13}$/);
    expect(typeof k.last_updated_timestamp).toBe("number");
    for (const s of secrets)
      expect(Object.keys(asRecord(s)).sort()).toEqual(["key", "last_updated_timestamp"]);
    expect(res.text).not.toContain("YWJj");
  });

  it("case 92: list of an existing empty scope -> 200 {}", async () => {
    await scope("c92");
    const res = await get("list", { scope: "c92" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
  });

  it("case 93: delete a missing key -> 404 RESOURCE_DOES_NOT_EXIST", async () => {
    await scopeWithSecret("c93");
    const res = await post("delete", { scope: "c93", key: "missing" });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 93b: delete an existing key -> 200 {} and get -> 404", async () => {
    await scopeWithSecret("c93b");
    const res = await post("delete", { scope: "c93b", key: "k" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    expectError(await get("get", { scope: "c93b", key: "k" }), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 94: acls/list -> items with the creator holding MANAGE", async () => {
    await scope("c94");
    const res = await get("acls/list", { scope: "c94" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ items: [{ principal: h.emu.userName, permission: "MANAGE" }] });
  });

  it("case 94b: initial_manage_principal users -> principal users holds MANAGE", async () => {
    const created = await post("scopes/create", { scope: "c94b", initial_manage_principal: "users" });
    expect(created.status, created.text).toBe(200);
    const res = await get("acls/list", { scope: "c94b" });
    expect(res.json).toEqual({ items: [{ principal: "users", permission: "MANAGE" }] });
  });

  it("case 95: acls/put g READ then acls/get -> {principal:g, permission:READ}", async () => {
    await scope("c95");
    const put = await post("acls/put", { scope: "c95", principal: "g", permission: "READ" });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({});
    const res = await get("acls/get", { scope: "c95", principal: "g" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ principal: "g", permission: "READ" });
  });

  it("case 95b: acls/put with permission ADMIN -> 400", async () => {
    await scope("c95b");
    const res = await post("acls/put", { scope: "c95b", principal: "g", permission: "ADMIN" });
    expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });

  it("case 95c: acls/get for a principal without an ACL -> 404; acls/delete removes an ACL", async () => {
    await scope("c95c");
    expectError(
      await get("acls/get", { scope: "c95c", principal: "nobody" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await post("acls/put", { scope: "c95c", principal: "g", permission: "READ" });
    const del = await post("acls/delete", { scope: "c95c", principal: "g" });
    expect(del.status, del.text).toBe(200);
    expectError(await get("acls/get", { scope: "c95c", principal: "g" }), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("case 96: a principal with READ only calls secrets/put -> 403 PERMISSION_DENIED", async () => {
    await scopeWithSecret("c96");
    await post("acls/put", { scope: "c96", principal: READER.userName, permission: "READ" });
    const read = await get("get", { scope: "c96", key: "k" }, READER.token);
    expect(read.status, read.text).toBe(200);
    const res = await post("put", { scope: "c96", key: "k", string_value: "hijack" }, READER.token);
    expectError(res, 403, "PERMISSION_DENIED");
    const still = await get("get", { scope: "c96", key: "k" });
    expect(dig(still.json, "value")).toBe("YWJj");
  });

  it("case 96b: a principal without any ACL cannot read or list the scope's secrets", async () => {
    await scopeWithSecret("c96b");
    expectError(await get("get", { scope: "c96b", key: "k" }, OUTSIDER.token), 403, "PERMISSION_DENIED");
    expectError(await get("list", { scope: "c96b" }, OUTSIDER.token), 403, "PERMISSION_DENIED");
  });

  it("case 98: remote dbutils.secrets.get decodes the base64 value back to 'abc'", async () => {
    await scopeWithSecret("c98");
    const res = await get("get", { scope: "c98", key: "k" });
    expect(Buffer.from(String(dig(res.json, "value")), "base64").toString("utf8")).toBe("abc");
  });

  it("case 97: scopes/delete s1 -> 200; then list?scope=s1 -> 404", async () => {
    await scopeWithSecret("c97");
    const res = await post("scopes/delete", { scope: "c97" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({});
    expectError(await get("list", { scope: "c97" }), 404, "RESOURCE_DOES_NOT_EXIST");
    expectError(await get("acls/list", { scope: "c97" }), 404, "RESOURCE_DOES_NOT_EXIST");
    const again = await post("scopes/delete", { scope: "c97" });
    expectError(again, 404, "RESOURCE_DOES_NOT_EXIST", "Scope c97 does not exist!");
  });

  it("case 97b: a recreated scope does not resurrect old secrets or ACLs", async () => {
    await scopeWithSecret("c97b");
    await post("acls/put", { scope: "c97b", principal: "g", permission: "READ" });
    expect((await post("scopes/delete", { scope: "c97b" })).status).toBe(200);
    await scope("c97b");
    expect(await get("list", { scope: "c97b" }).then((r) => r.json)).toEqual({});
    const acls = await get("acls/list", { scope: "c97b" });
    expect(acls.json).toEqual({ items: [{ principal: h.emu.userName, permission: "MANAGE" }] });
  });
});
