import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const READER = { userName: "reader@x.com", token: "dapi-reader" };
const WRITER = { userName: "writer@x.com", token: "dapi-writer", groups: ["writers"] };

describe("secrets ACLs", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ users: [READER, WRITER] });
    await call(emu, "POST", "/api/2.0/secrets/scopes/create", { scope: "s1" });
    await call(emu, "POST", "/api/2.0/secrets/put", { scope: "s1", key: "k", string_value: "abc" });
  });
  afterAll(() => emu.close());

  const as = (t: string) => ({ token: t });

  it("denies principals without an ACL, then grants READ and WRITE (via group) as configured", async () => {
    expect(
      (await call(emu, "GET", "/api/2.0/secrets/get?scope=s1&key=k", undefined, as(READER.token))).status,
    ).toBe(403);
    await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "s1",
      principal: READER.userName,
      permission: "READ",
    });
    await call(emu, "POST", "/api/2.0/secrets/acls/put", {
      scope: "s1",
      principal: "writers",
      permission: "WRITE",
    });
    const read = await call(emu, "GET", "/api/2.0/secrets/get?scope=s1&key=k", undefined, as(READER.token));
    expect(read.json).toEqual({ key: "k", value: Buffer.from("abc").toString("base64") });
    const put = { scope: "s1", key: "k2", string_value: "x" };
    expect((await call(emu, "POST", "/api/2.0/secrets/put", put, as(READER.token))).status).toBe(403);
    expect((await call(emu, "POST", "/api/2.0/secrets/put", put, as(WRITER.token))).status).toBe(200);
    // WRITE does not include MANAGE: ACLs stay out of reach.
    const acl = await call(emu, "GET", "/api/2.0/secrets/acls/list?scope=s1", undefined, as(WRITER.token));
    expect(acl.status).toBe(403);
    expect(acl.json.error_code).toBe("PERMISSION_DENIED");
  });

  it("stores bytes_value as given and never lists values", async () => {
    await call(emu, "POST", "/api/2.0/secrets/put", { scope: "s1", key: "b", bytes_value: "AAEC" });
    const got = await call(emu, "GET", "/api/2.0/secrets/get?scope=s1&key=b");
    expect(got.json.value).toBe("AAEC");
    const list = await call(emu, "GET", "/api/2.0/secrets/list?scope=s1");
    expect(list.text).not.toContain("YWJj");
    expect((list.json.secrets as { key: string }[]).map((s) => s.key).sort()).toEqual(["b", "k", "k2"]);
    const bad = await call(emu, "POST", "/api/2.0/secrets/put", {
      scope: "s1",
      key: "b",
      bytes_value: "%%%",
    });
    expect(bad.status).toBe(400);
  });

  it("deleting a scope removes its secrets and ACLs", async () => {
    expect((await call(emu, "POST", "/api/2.0/secrets/scopes/delete", { scope: "s1" })).status).toBe(200);
    const after = await call(emu, "GET", "/api/2.0/secrets/acls/list?scope=s1");
    expect(after.status).toBe(404);
    expect(after.json.message).toBe("Scope s1 does not exist!");
    expect(await call(emu, "GET", "/api/2.0/secrets/scopes/list").then((r) => r.json)).toEqual({});
  });
});
