import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Reply } from "../../test-support/client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const OTHER = { userName: "other@x.com", token: "dapi-other" };
const USER = { userName: "user@x.com", token: "dapi-user", groups: ["analysts"] };

const expectEnvelope = (r: Reply, status: number, code: string, message?: RegExp) => {
  expect(r.status, r.text).toBe(status);
  expect(r.json.error_code).toBe(code);
  if (message) expect(r.json.message).toMatch(message);
};

/** Polls GET until the instance is AVAILABLE (deadline 30 s). */
const waitAvailable = async (emu: EmulatorHandle, name: string): Promise<Record<string, unknown>> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await call(emu, "GET", `/api/2.0/database/instances/${name}`);
    if (r.json.state === "AVAILABLE") return r.json;
    if (Date.now() > deadline) throw new Error(`instance ${name} still ${String(r.json.state)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
};

const credential = async (emu: EmulatorHandle, name: string, token?: string) => {
  const r = await call(
    emu,
    "POST",
    "/api/2.0/database/credentials",
    { instance_names: [name], request_id: "3f1c" },
    token ? { token } : {},
  );
  expect(r.status, r.text).toBe(200);
  return r.json as { token: string; expiration_time: string };
};

const hostPort = (dns: unknown) => {
  const [host, port] = String(dns).split(":");
  return { host: host ?? "", port: Number(port) };
};

const connect = async (dns: unknown, user: string, password: string, database = "databricks_postgres") => {
  const c = new pg.Client({ ...hostPort(dns), user, password, database });
  await c.connect();
  return c;
};

describe("Lakebase database instances and credentials", () => {
  let emu: EmulatorHandle;
  let inst: Record<string, unknown>;
  beforeAll(async () => {
    emu = await startEmulator({ users: [OTHER, USER], foundationModels: false });
    const created = await call(emu, "POST", "/api/2.0/database/instances", { name: "lb", capacity: "CU_1" });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({
      name: "lb",
      capacity: "CU_1",
      state: "STARTING",
      creator: emu.userName,
    });
    expect(created.json.read_write_dns).toBeUndefined();
    inst = await waitAvailable(emu, "lb");
  }, 60_000);
  afterAll(() => emu?.close());

  it("serves the DatabaseInstance shape once AVAILABLE, with read_write_dns", () => {
    expect(inst).toMatchObject({ name: "lb", state: "AVAILABLE", pg_version: "PG_17", stopped: false });
    expect(inst.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(String(inst.creation_time)))).toBe(false);
    expect(inst.read_write_dns).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("answers a duplicate with 409, an unknown name with 404, a bad name or capacity with 400", async () => {
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/instances", { name: "lb" }),
      409,
      "RESOURCE_ALREADY_EXISTS",
    );
    expectEnvelope(
      await call(emu, "GET", "/api/2.0/database/instances/nope"),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      /'nope' does not exist/,
    );
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/instances", { name: "Bad_Name" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/instances", { name: "x", capacity: "CU_3" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /capacity/,
    );
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/instances", {}),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("lists instances with page tokens", async () => {
    for (const n of ["lb-a", "lb-b"]) await call(emu, "POST", "/api/2.0/database/instances", { name: n });
    const first = await call(emu, "GET", "/api/2.0/database/instances?page_size=2");
    const names1 = (first.json.database_instances as { name: string }[]).map((i) => i.name);
    expect(names1).toEqual(["lb", "lb-a"]);
    expect(typeof first.json.next_page_token).toBe("string");
    const second = await call(
      emu,
      "GET",
      `/api/2.0/database/instances?page_size=2&page_token=${String(first.json.next_page_token)}`,
    );
    expect((second.json.database_instances as { name: string }[]).map((i) => i.name)).toEqual(["lb-b"]);
    expect(second.json.next_page_token).toBeUndefined();
    for (const n of ["lb-a", "lb-b"]) {
      expect((await call(emu, "DELETE", `/api/2.0/database/instances/${n}?purge=true`)).json).toEqual({});
    }
    expectEnvelope(
      await call(emu, "GET", "/api/2.0/database/instances/lb-a"),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("generates a one-hour credential; needs instance_names or claims", async () => {
    const before = Date.now();
    const c = await credential(emu, "lb");
    expect(c.token.split(".")).toHaveLength(3);
    const exp = Date.parse(c.expiration_time);
    expect(exp - before).toBeGreaterThanOrEqual(3600_000 - 5_000);
    expect(exp - before).toBeLessThanOrEqual(3600_000 + 5_000);
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/credentials", {}),
      400,
      "INVALID_PARAMETER_VALUE",
      /instance_names or claims/,
    );
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/database/credentials", { instance_names: ["nope"] }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("checks permissions per principal: CAN_USE for credentials, CAN_MANAGE for delete and ACLs", async () => {
    const asUser = { token: USER.token };
    const denied = await call(
      emu,
      "POST",
      "/api/2.0/database/credentials",
      { instance_names: ["lb"] },
      asUser,
    );
    expectEnvelope(denied, 403, "PERMISSION_DENIED", /CAN_USE/);
    const listed = await call(emu, "GET", "/api/2.0/database/instances", undefined, asUser);
    expect(listed.json).toEqual({});
    const grant = await call(emu, "PATCH", "/api/2.0/permissions/database-instances/lb", {
      access_control_list: [{ group_name: "analysts", permission_level: "CAN_USE" }],
    });
    expect(grant.status, grant.text).toBe(200);
    expect(grant.json.object_type).toBe("database-instance");
    await credential(emu, "lb", USER.token);
    expectEnvelope(
      await call(emu, "DELETE", "/api/2.0/database/instances/lb", undefined, asUser),
      403,
      "PERMISSION_DENIED",
      /CAN_MANAGE/,
    );
    expectEnvelope(
      await call(emu, "PATCH", "/api/2.0/permissions/database-instances/lb", {
        access_control_list: [{ user_name: OTHER.userName, permission_level: "CAN_QUERY" }],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /CAN_USE, CAN_MANAGE/,
    );
  });

  it("autoscaling credentials: {token, expire_time}; ttl outside 300s..3600s is 400", async () => {
    const endpoint = "projects/lb/branches/main/endpoints/ep";
    const r = await call(emu, "POST", "/api/2.0/postgres/credentials", { endpoint, ttl: "600s" });
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["expire_time", "token"]);
    const c = await connect(inst.read_write_dns, emu.userName, String(r.json.token));
    await c.end();
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/postgres/credentials", { endpoint, ttl: "100s" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /ttl/,
    );
    expectEnvelope(
      await call(emu, "POST", "/api/2.0/postgres/credentials", { endpoint: "lb" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  describe("Postgres wire endpoint", () => {
    it("accepts the principal's credential (pg client, several connections at once)", async () => {
      const { token } = await credential(emu, "lb");
      const clients = await Promise.all(
        [0, 1, 2].map(() => connect(inst.read_write_dns, emu.userName, token)),
      );
      await clients[0]?.query("CREATE TABLE IF NOT EXISTS wire_t (id int primary key, v text)");
      await Promise.all(clients.map((c, i) => c.query("INSERT INTO wire_t VALUES ($1, $2)", [i, `v${i}`])));
      const r = await clients[1]?.query("SELECT count(*)::int AS n FROM wire_t");
      expect(r?.rows).toEqual([{ n: 3 }]);
      await Promise.all(clients.map((c) => c.end()));
    });

    it("sslmode=require works: TLS with the emulator's self-signed certificate", async () => {
      const { token } = await credential(emu, "lb");
      const c = new pg.Client({
        ...hostPort(inst.read_write_dns),
        user: emu.userName,
        password: token,
        database: "databricks_postgres",
        ssl: { rejectUnauthorized: false },
      });
      await c.connect();
      const stream = (c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream;
      expect(stream.encrypted).toBe(true);
      expect((await c.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      await c.end();
      // A wrong password over TLS gets the same Postgres error.
      const bad = new pg.Client({
        ...hostPort(inst.read_write_dns),
        user: emu.userName,
        password: "garbage",
        ssl: { rejectUnauthorized: false },
      });
      const err = await bad.connect().then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      expect(err?.code).toBe("28P01");
    });

    it("pgvector is available", async () => {
      const c = await connect(inst.read_write_dns, emu.userName, (await credential(emu, "lb")).token);
      await c.query("CREATE EXTENSION IF NOT EXISTS vector");
      const r = await c.query("SELECT '[1,0]'::vector <=> '[0,1]'::vector AS d");
      expect(r.rows[0].d).toBe(1);
      await c.end();
    });

    const refused = async (user: string, password: string, database?: string) => {
      const err = await connect(inst.read_write_dns, user, password, database).then(
        async (c) => {
          await c.end();
          return undefined;
        },
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(err, "login should be refused").toBeDefined();
      return err as { code?: string; message?: string };
    };

    it("refuses garbage, another principal's credential and a wrong user with 28P01", async () => {
      const garbage = await refused(emu.userName, "not-a-token");
      expect(garbage.code).toBe("28P01");
      expect(garbage.message).toBe(`password authentication failed for user "${emu.userName}"`);
      const others = (await credential(emu, "lb", USER.token)).token;
      const e2 = await refused(emu.userName, others);
      expect(e2.code).toBe("28P01");
      const e3 = await refused(OTHER.userName, (await credential(emu, "lb")).token);
      expect(e3.message).toBe(`password authentication failed for user "${OTHER.userName}"`);
      const e4 = await refused(emu.userName, (await credential(emu, "lb")).token, "nodb");
      expect(e4.code).toBe("3D000");
    });

    it("enforces expiry at login only: an open connection survives, a new login fails", async () => {
      const { token } = await credential(emu, "lb");
      const open = await connect(inst.read_write_dns, emu.userName, token);
      emu.admin.advanceClock(3601_000);
      expect((await open.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      const e = await refused(emu.userName, token);
      expect(e.code).toBe("28P01");
      await open.end();
      // Fresh credentials work after the clock moved.
      const fresh = await connect(inst.read_write_dns, emu.userName, (await credential(emu, "lb")).token);
      await fresh.end();
    });

    it("revoked credentials are refused", async () => {
      const { token } = await credential(emu, "lb");
      emu.admin.revokeDatabaseCredentials();
      expect((await refused(emu.userName, token)).code).toBe("28P01");
    });
  });
});
