import type pg from "pg";
import { describe, expect, it } from "vitest";
import { ConfigError, DatabricksConfigError, NotFoundError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import {
  LakebaseConnectionError,
  LakebaseError,
  LakebaseInstanceNotReadyError,
  toLakebaseError,
} from "./errors.js";
import { LakebasePool } from "./pool.js";

/** A fake workspace: answers instance lookups and SCIM Me from queues, recording the paths asked. */
const fakeWorkspace = (instances: (Record<string, unknown> | Error)[], me: Record<string, unknown> = {}) => {
  const paths: string[] = [];
  const http = {
    async request(req: { path: string }) {
      paths.push(req.path);
      if (req.path === "/api/2.0/preview/scim/v2/Me") return me;
      const next = instances.length > 1 ? instances.shift()! : instances[0]!;
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as DatabricksHttpClient;
  return { http, paths };
};

// Port 1 on the loopback interface refuses connections at once: a dead instance without any network.
const DEAD_1 = "127.0.0.1:1";
const DEAD_2 = "127.0.0.1:2";

describe("LakebasePool instance lookup", () => {
  it("validates the instance name in the constructor, before any request", () => {
    expect(() => new LakebasePool({ instanceName: "" })).toThrow(ConfigError);
    expect(() => new LakebasePool({ instanceName: "  " })).toThrow(/Lakebase instanceName/);
  });

  it("an instance that never becomes AVAILABLE fails with LakebaseInstanceNotReadyError naming its state", async () => {
    const w = fakeWorkspace([{ state: "STARTING" }]);
    const pool = new LakebasePool({ instanceName: "lb", httpClient: w.http, instanceReadyTimeoutMs: 0 });
    const err = await pool.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakebaseInstanceNotReadyError);
    expect((err as Error).message).toBe("Lakebase instance 'lb' is STARTING, not AVAILABLE.");
    expect(w.paths).toEqual(["/api/2.0/database/instances/lb"]);

    const unknown = fakeWorkspace([{}]);
    const pool2 = new LakebasePool({
      instanceName: "a/b",
      httpClient: unknown.http,
      instanceReadyTimeoutMs: 0,
    });
    await expect(pool2.connect()).rejects.toThrow(
      "Lakebase instance 'a/b' is in an unknown state, not AVAILABLE.",
    );
    expect(unknown.paths).toEqual(["/api/2.0/database/instances/a%2Fb"]);
    await Promise.all([pool.end(), pool2.end()]);
  });

  it("without a user, a SCIM Me answer lacking userName is a config error", async () => {
    const w = fakeWorkspace([{ state: "AVAILABLE", read_write_dns: DEAD_1 }], {});
    const pool = new LakebasePool({ instanceName: "lb", httpClient: w.http });
    const err = await pool.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksConfigError);
    expect((err as Error).message).toBe("SCIM Me answered without a userName; pass `user`.");
    await pool.end();
  });

  it("a failed lookup is retried by the next connect, not cached", async () => {
    const w = fakeWorkspace([
      new NotFoundError("Database instance 'lb' does not exist.", { status: 404 }),
      { state: "AVAILABLE", read_only_dns: DEAD_1 },
    ]);
    const pool = new LakebasePool({ instanceName: "lb", httpClient: w.http, user: "me@example.com" });
    await expect(pool.connect()).rejects.toBeInstanceOf(NotFoundError);
    await expect(pool.connect()).rejects.toBeInstanceOf(LakebaseConnectionError);
    const opts = pool.options as pg.PoolOptions;
    expect([opts.host, opts.port, opts.user, opts.ssl]).toEqual(["127.0.0.1", 1, "me@example.com", false]);
    await pool.end();
  });

  it("a refused connection looks the instance up again, retries at a new address, and reports the last failure", async () => {
    const w = fakeWorkspace(
      [
        { state: "AVAILABLE", read_write_dns: DEAD_1 },
        { state: "AVAILABLE", read_write_dns: DEAD_2 },
      ],
      { userName: "sp-1" },
    );
    const pool = new LakebasePool({ instanceName: "lb", httpClient: w.http, connectionTimeoutMillis: 5_000 });
    const err = await pool.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakebaseConnectionError);
    expect((err as LakebaseConnectionError).errorCode).toBe("ECONNREFUSED");
    expect((err as Error).message).toMatch(/^Connecting to Lakebase instance 'lb': .*127\.0\.0\.1:2/);
    expect(w.paths.filter((p) => p.startsWith("/api/2.0/database/instances/"))).toHaveLength(2);
    await pool.end();
  });

  it("the same address after the re-lookup is not retried; the callback form reports the typed error", async () => {
    const w = fakeWorkspace([{ state: "AVAILABLE", read_write_dns: DEAD_1 }]);
    const pool = new LakebasePool({
      instanceName: "lb",
      httpClient: w.http,
      user: "u",
      host: "127.0.0.1",
      port: 1,
      ssl: false,
    });
    const got = await new Promise<{ err: Error | undefined; client: unknown }>((resolve) => {
      pool.connect((err, client, done) => {
        done();
        resolve({ err, client });
      });
    });
    expect(got.client).toBeUndefined();
    expect(got.err).toBeInstanceOf(LakebaseConnectionError);
    expect(w.paths).toEqual(["/api/2.0/database/instances/lb", "/api/2.0/database/instances/lb"]);
    await pool.end();
  });
});

describe("toLakebaseError edge cases", () => {
  it("passes typed errors through and words non-Error values", () => {
    const typed = new NotFoundError("gone", { status: 404 });
    expect(toLakebaseError(typed, "x")).toBe(typed);
    const s = toLakebaseError("socket hang up", "Querying");
    expect(s).toBeInstanceOf(LakebaseError);
    expect(s.message).toBe("Querying: socket hang up");
    expect(s.errorCode).toBeUndefined();
    const admin = toLakebaseError({ code: "57P01", message: "terminating connection" }, "Querying");
    expect(admin).toBeInstanceOf(LakebaseConnectionError);
    const broken = toLakebaseError({ code: "08006", message: "x" }, "Querying");
    expect(broken).toBeInstanceOf(LakebaseConnectionError);
    expect(toLakebaseError({ code: 42, message: "numeric code" }, "Q")).not.toBeInstanceOf(
      LakebaseConnectionError,
    );
  });
});
