import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { abortableSleep, pollUntil } from "./poll.js";

class Stop extends Error {}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A reader returning `states` one by one (the last one forever), recording when each read happened. */
const reader = (states: string[]) => {
  const at: number[] = [];
  let i = 0;
  const read = async () => {
    at.push(Date.now());
    return states[Math.min(i++, states.length - 1)] as string;
  };
  return { read, at };
};

describe("pollUntil", () => {
  it("reads until done, pausing initialMs then x factor up to maxMs, and reports every state", async () => {
    const r = reader(["A", "B", "C", "D", "DONE"]);
    const progress: [string, number][] = [];
    const out = pollUntil({
      read: r.read,
      done: (s) => s === "DONE",
      backoff: { initialMs: 100, maxMs: 300, factor: 2 },
      onProgress: (s, elapsed) => progress.push([s, elapsed]),
    });
    await vi.runAllTimersAsync();
    expect(await out).toBe("DONE");
    expect(r.at).toEqual([0, 100, 300, 600, 900]);
    expect(progress).toEqual([
      ["A", 0],
      ["B", 100],
      ["C", 300],
      ["D", 600],
      ["DONE", 900],
    ]);
  });

  it("starts from `first` without reading, and a function backoff gets the elapsed time", async () => {
    const r = reader(["DONE"]);
    const elapsedSeen: number[] = [];
    const out = pollUntil({
      first: "RUNNING",
      read: r.read,
      done: (s) => s === "DONE",
      backoff: (elapsed) => {
        elapsedSeen.push(elapsed);
        return 50;
      },
    });
    await vi.runAllTimersAsync();
    expect(await out).toBe("DONE");
    expect(r.at).toEqual([50]);
    expect(elapsedSeen).toEqual([0]);
    expect(
      await pollUntil({ first: "DONE", read: r.read, done: (s) => s === "DONE", backoff: () => 1 }),
    ).toBe("DONE");
    expect(r.at).toEqual([50]);
  });

  it("throws timeoutError(last) at the deadline, never pausing past it", async () => {
    const r = reader(["PENDING"]);
    const out = pollUntil({
      read: r.read,
      done: () => false,
      backoff: { initialMs: 400, maxMs: 400 },
      timeoutMs: 1_000,
      timeoutError: (last) => new Stop(`still ${last}`),
    }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await out;
    expect(err).toBeInstanceOf(Stop);
    expect((err as Error).message).toBe("still PENDING");
    expect(r.at).toEqual([0, 400, 800, 1_000]);
  });

  it("a failure thrown by done ends the wait with that error", async () => {
    const r = reader(["OK", "FAILED"]);
    const out = pollUntil({
      read: r.read,
      done: (s) => {
        if (s === "FAILED") throw new Stop("failed");
        return false;
      },
      backoff: { initialMs: 10, maxMs: 10 },
    }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await out).toEqual(new Stop("failed"));
  });

  it("an abort during a pause rejects with abortError at once, and an aborted signal before any pause too", async () => {
    const ac = new AbortController();
    const r = reader(["PENDING"]);
    const out = pollUntil({
      read: r.read,
      done: () => false,
      backoff: { initialMs: 10_000, maxMs: 10_000 },
      signal: ac.signal,
      abortError: () => new Stop("aborted"),
    }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    ac.abort();
    expect(await out).toEqual(new Stop("aborted"));
    expect(r.at).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
    await expect(abortableSleep(10, ac.signal, () => new Stop("early"))).rejects.toEqual(new Stop("early"));
  });
});
