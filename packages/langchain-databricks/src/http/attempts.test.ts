import { describe, expect, it } from "vitest";
import { ConnectionError, DatabricksError, InternalError, TimeoutError } from "../errors.js";
import { type AttemptLoop, runAttempts } from "./attempts.js";
import { makeRetryPolicy } from "./retry.js";

const LC_RETRYABLE = Symbol.for("langchain.errors.retryable");

function loop(overrides: Partial<AttemptLoop> = {}): AttemptLoop & { waits: number[] } {
  const waits: number[] = [];
  return {
    policy: makeRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 }),
    budget: 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    waits,
    ...overrides,
  };
}

const status = (code: number, retryAfterMs?: number) =>
  new InternalError(`HTTP ${code}`, { status: code, retryAfterMs });

describe("runAttempts: the one retry loop", () => {
  it("retries retryable failures within the budget, after the server's hint or a jittered backoff", async () => {
    const l = loop();
    let n = 0;
    const value = await runAttempts(l, async (attempt) => {
      expect(attempt).toBe(n++);
      if (attempt === 0) return { ok: false, error: status(503, 1_500) };
      if (attempt === 1) throw new ConnectionError("reset");
      return { ok: true, value: "done" };
    });
    expect(value).toBe("done");
    // Attempt 0: Retry-After 1.5 s; attempt 1: full jitter, 0.5 x min(1000, 100 x 2^1).
    expect(l.waits).toEqual([1_500, 100]);
  });

  it("stops at the budget and throws the last failure, marked not retryable for @langchain/core", async () => {
    const l = loop({ budget: 2 });
    let calls = 0;
    const failure = runAttempts(l, async () => {
      calls++;
      return { ok: false, error: status(500) };
    });
    await expect(failure).rejects.toBeInstanceOf(InternalError);
    const error = await failure.catch((e: unknown) => e);
    expect((error as Record<symbol, unknown>)[LC_RETRYABLE]).toBe(false);
    expect(calls).toBe(3);
  });

  it("does not retry what the policy does not retry (a 400, a timeout) or what retryIf refuses", async () => {
    let calls = 0;
    await expect(
      runAttempts(loop(), async () => {
        calls++;
        return { ok: false, error: new DatabricksError("bad", { status: 400 }) };
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      runAttempts(loop(), async () => {
        calls++;
        throw new TimeoutError("slow");
      }),
    ).rejects.toBeInstanceOf(TimeoutError);
    await expect(
      runAttempts(
        loop(),
        async () => {
          calls++;
          return { ok: false, error: status(503) };
        },
        { retryIf: (e) => e instanceof ConnectionError },
      ),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(3);
  });

  it("returns the fallback once a failure may not be retried (the OAuth token call's last response)", async () => {
    const l = loop({ budget: 1 });
    const value = await runAttempts(l, async (attempt) => ({
      ok: false,
      error: status(503),
      fallback: `response ${attempt}`,
    }));
    expect(value).toBe("response 1");
    expect(l.waits).toHaveLength(1);
  });

  it("rethrows an abandoned failure untouched, at once, and no thrown failure after the signal fired", async () => {
    const original = new TypeError("credential source broke");
    let calls = 0;
    await expect(
      runAttempts(loop(), async () => {
        calls++;
        return { ok: false, abandon: original };
      }),
    ).rejects.toBe(original);
    expect(calls).toBe(1);

    const controller = new AbortController();
    controller.abort();
    await expect(
      runAttempts(loop({ signal: controller.signal }), async () => {
        calls++;
        throw new ConnectionError("reset");
      }),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(calls).toBe(2);
  });
});
