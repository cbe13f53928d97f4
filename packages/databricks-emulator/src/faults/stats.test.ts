import { describe, expect, it } from "vitest";
import { Stats } from "./stats.js";

const entry = (path: string) => ({ at: 0, method: "POST", path, route: "/r", status: 200 });

describe("Stats request log", () => {
  it("keeps the newest 5000 entries, oldest first, once it wraps", () => {
    const stats = new Stats(true);
    for (let i = 1; i <= 5003; i++) stats.record(entry(`/p${i}`), undefined);
    const { total, log } = stats.snapshot();
    expect(total).toBe(5003);
    expect(log).toHaveLength(5000);
    expect(log[0]?.seq).toBe(4);
    expect(log.at(-1)?.seq).toBe(5003);
    expect(log.every((e, i) => i === 0 || e.seq === (log[i - 1]?.seq ?? 0) + 1)).toBe(true);
  });

  it("hashes bodies (16 hex chars of a per-process HMAC-SHA256) and starts over after reset", () => {
    const stats = new Stats(true);
    stats.record(entry("/a"), Buffer.from("abc"));
    stats.record(entry("/b"), undefined);
    stats.record(entry("/a"), Buffer.from("abc"));
    stats.record(entry("/a"), Buffer.from("x".repeat(4096)));
    stats.record(entry("/a"), Buffer.from("x".repeat(4096)));
    const [abc, none, again, big, bigAgain] = stats.snapshot().log.map((e) => e.bodySha256);
    expect(abc).toMatch(/^[0-9a-f]{16}$/);
    // Not the bare SHA-256 of "abc" (ba7816bf...): a logged hash cannot be matched against guessed bodies.
    expect(abc).not.toBe("ba7816bf8f01cfea");
    expect([none, again]).toEqual([undefined, abc]);
    expect(big).toBe(bigAgain);
    stats.reset();
    stats.record(entry("/c"), undefined);
    expect(stats.snapshot().log.map((e) => [e.seq, e.path])).toEqual([[1, "/c"]]);
  });

  it("counts requests per method and route, in first-seen order, and starts over after reset", () => {
    const stats = new Stats(false);
    const at = (method: string, route: string, status: number) => ({
      at: 0,
      method,
      path: "/x",
      route,
      status,
    });
    stats.record(at("POST", "/b", 200), undefined);
    stats.record(at("GET", "/a", 404), undefined);
    stats.record(at("POST", "/a", 200), undefined);
    stats.record(at("POST", "/b", 200), undefined);
    const { byRoute, byStatus } = stats.snapshot();
    expect(Object.entries(byRoute)).toEqual([
      ["POST /b", 2],
      ["GET /a", 1],
      ["POST /a", 1],
    ]);
    expect(byStatus).toEqual({ "200": 3, "404": 1 });
    stats.reset();
    stats.record(at("GET", "/a", 200), undefined);
    expect(stats.snapshot().byRoute).toEqual({ "GET /a": 1 });
  });

  it("without the detailed log keeps only counters", () => {
    const stats = new Stats(false);
    stats.record(entry("/a"), Buffer.from("abc"));
    expect(stats.snapshot()).toMatchObject({ total: 1, byRoute: { "POST /r": 1 }, log: [] });
  });
});
