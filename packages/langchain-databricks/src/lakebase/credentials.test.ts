import { describe, expect, it } from "vitest";
import type { DatabricksHttpClient } from "../http/client.js";
import { LakebaseCredentials } from "./credentials.js";
import {
  isAuthFailure,
  LakebaseAuthenticationError,
  LakebaseConnectionError,
  LakebaseError,
  toLakebaseError,
} from "./errors.js";
import { endpointOf } from "./pool.js";

/** A fake HTTP client answering credential requests; `release()` lets a held request finish. */
const fakeHttp = (lifetimeMs: number, clock: { now: number }) => {
  const bodies: unknown[] = [];
  let hold: Promise<void> | undefined;
  let release = () => {};
  const http = {
    async request(req: { path: string; body?: unknown }) {
      bodies.push(req.body);
      const n = bodies.length;
      if (hold) await hold;
      return { token: `tok-${n}`, expiration_time: new Date(clock.now + lifetimeMs).toISOString() };
    },
  } as unknown as DatabricksHttpClient;
  return {
    http,
    bodies,
    holdNext() {
      hold = new Promise((r) => {
        release = () => {
          hold = undefined;
          r();
        };
      });
    },
    release: () => release(),
  };
};

describe("LakebaseCredentials", () => {
  it("fetches once, sends instance_names and a request_id, and reuses the token while fresh", async () => {
    const clock = { now: 1_000_000 };
    const f = fakeHttp(3600_000, clock);
    const c = new LakebaseCredentials(f.http, "lb", { now: () => clock.now });
    const [a, b] = await Promise.all([c.token(), c.token()]);
    expect([a, b]).toEqual(["tok-1", "tok-1"]);
    expect(c.fetches).toBe(1);
    expect(f.bodies[0]).toMatchObject({ instance_names: ["lb"] });
    expect((f.bodies[0] as { request_id: string }).request_id).toMatch(/^[0-9a-f-]{36}$/);
    clock.now += 14 * 60_000;
    expect(await c.token()).toBe("tok-1");
    expect(c.fetches).toBe(1);
  });

  it("past the cache period hands out the current token while a new one is fetched in the background", async () => {
    const clock = { now: 1_000_000 };
    const f = fakeHttp(3600_000, clock);
    const c = new LakebaseCredentials(f.http, "lb", { now: () => clock.now });
    await c.token();
    clock.now += 15 * 60_000 + 1;
    f.holdNext();
    expect(await c.token()).toBe("tok-1"); // not blocked by the held refresh
    expect(f.bodies).toHaveLength(2);
    f.release();
    await expect.poll(() => c.fetches).toBe(2);
    expect(await c.token()).toBe("tok-2");
  });

  it("waits for a new token once the current one is (nearly) expired, and after invalidate()", async () => {
    const clock = { now: 1_000_000 };
    const f = fakeHttp(600_000, clock); // 10 minutes: usable until 1 minute before expiry
    const c = new LakebaseCredentials(f.http, "lb", { now: () => clock.now });
    await c.token();
    clock.now += 9 * 60_000 + 1;
    expect(await c.token()).toBe("tok-2");
    c.invalidate();
    expect(await c.token()).toBe("tok-3");
  });
});

describe("endpointOf", () => {
  it("honours a :port only on loopback hosts", () => {
    expect(endpointOf("127.0.0.1:54321")).toEqual({ host: "127.0.0.1", port: 54321, loopback: true });
    expect(endpointOf("localhost:6000")).toEqual({ host: "localhost", port: 6000, loopback: true });
    expect(endpointOf("[::1]:7000")).toEqual({ host: "::1", port: 7000, loopback: true });
    expect(endpointOf("instance-1.database.cloud.databricks.com")).toEqual({
      host: "instance-1.database.cloud.databricks.com",
      port: 5432,
      loopback: false,
    });
    expect(endpointOf("evil.example.com:1234")).toEqual({
      host: "evil.example.com:1234",
      port: 5432,
      loopback: false,
    });
  });
});

describe("toLakebaseError", () => {
  it("types authentication, connection and SQL errors and keeps the SQLSTATE", () => {
    const auth = toLakebaseError(
      Object.assign(new Error('password authentication failed for user "u"'), { code: "28P01" }),
      "Connecting",
    );
    expect(auth).toBeInstanceOf(LakebaseAuthenticationError);
    expect(auth.errorCode).toBe("28P01");
    expect(isAuthFailure({ code: "28000" })).toBe(true);
    const conn = toLakebaseError(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      "Connecting",
    );
    expect(conn).toBeInstanceOf(LakebaseConnectionError);
    expect(toLakebaseError(new Error("Connection terminated unexpectedly"), "Reading")).toBeInstanceOf(
      LakebaseConnectionError,
    );
    const sql = toLakebaseError(
      Object.assign(new Error('relation "x" does not exist'), { code: "42P01" }),
      "Reading",
    );
    expect(sql).toBeInstanceOf(LakebaseError);
    expect(sql).not.toBeInstanceOf(LakebaseConnectionError);
    expect(sql.message).toBe('Reading: relation "x" does not exist');
    expect(sql.errorCode).toBe("42P01");
  });
});
