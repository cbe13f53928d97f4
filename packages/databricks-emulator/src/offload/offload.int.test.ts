/**
 * Trust boundary 6 (issue 14): generation work is bounded and yields. Big generations run on a worker thread,
 * so `{"max_tokens": 1000000, "n": 5}` (four at once) does not stall an unrelated request by more than ~100 ms
 * over a baseline measured in the same test, and their answers are what the inline engine gives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, sseData } from "../../test-support/client.js";
import { FOUNDATION_MODELS } from "../engines/index.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

const CHAT = FOUNDATION_MODELS.find((f) => f.task === "llm/v1/chat")!.endpointName;
const LONG = [{ role: "user", content: "write something long" }];

/** Latencies (ms) of `count` sequential unrelated control-plane reads. */
const latencies = async (emu: EmulatorHandle, count: number): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await call(emu, "GET", `/api/2.0/serving-endpoints/${CHAT}`);
    out.push(performance.now() - t);
    expect(res.status).toBe(200);
  }
  return out;
};
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

describe("heavy generations leave the event loop", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(async () => {
    await emu?.close();
  });

  const requestsSeen = async (): Promise<number> => {
    const res = await call(emu, "GET", `/api/2.0/serving-endpoints/${CHAT}/metrics`);
    return Number(/request_count_total\{[^}]*\} (\d+)/.exec(res.text)?.[1] ?? 0);
  };

  it("four max_tokens=1000000, n=5 generations delay an unrelated request by < 100 ms over its baseline", async () => {
    await latencies(emu, 5); // warm-up
    const baseline = await latencies(emu, 30);
    const before = await requestsSeen();
    const abort = new AbortController();
    const huge = Array.from({ length: 4 }, () =>
      fetch(`${emu.url}/serving-endpoints/${CHAT}/invocations`, {
        method: "POST",
        headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: LONG, max_tokens: 1_000_000, n: 5 }),
        signal: abort.signal,
      }).catch((e: unknown) => e),
    );
    // All four are being served (counted before their generation starts) before measuring.
    const deadline = Date.now() + 20_000;
    while ((await requestsSeen()) < before + 4 && Date.now() < deadline);
    expect(await requestsSeen()).toBe(before + 4);
    const loaded = await latencies(emu, 30);
    abort.abort();
    await Promise.all(huge);
    const extra = p90(loaded) - p90(baseline);
    console.log(
      `[figures] unrelated GET p90 ${p90(baseline).toFixed(1)} ms alone, ${p90(loaded).toFixed(1)} ms under 4 x {max_tokens: 1e6, n: 5} (max ${Math.max(...loaded).toFixed(1)} ms)`,
    );
    expect(
      extra,
      `p90 ${p90(baseline).toFixed(1)} ms -> ${p90(loaded).toFixed(1)} ms under load`,
    ).toBeLessThan(100);
  });

  it("answers an offloaded generation exactly like the engine: length cut, usage, n choices", async () => {
    const res = await call(emu, "POST", `/serving-endpoints/${CHAT}/invocations`, {
      messages: LONG,
      max_tokens: 3000,
      n: 2,
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const choices = res.json.choices as {
      index: number;
      finish_reason: string;
      message: { content: string };
    }[];
    expect(choices.map((c) => [c.index, c.finish_reason])).toEqual([
      [0, "length"],
      [1, "length"],
    ]);
    expect(res.json.usage).toMatchObject({ completion_tokens: 6000 });
    expect(res.headers.get("served-model-name")).toBeTruthy();
  });

  it("streams an offloaded generation to [DONE]", async () => {
    const res = await call(emu, "POST", `/serving-endpoints/${CHAT}/invocations`, {
      messages: LONG,
      max_tokens: 5000,
      stream: true,
    });
    expect(res.status).toBe(200);
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    const last = JSON.parse(data.at(-2)!) as { choices: { finish_reason: string | null }[] };
    expect(last.choices[0]?.finish_reason).toBe("length");
  });

  it("returns the engine's own 400 for an invalid heavy request", async () => {
    const res = await call(emu, "POST", `/serving-endpoints/${CHAT}/invocations`, {
      messages: LONG,
      max_tokens: 100_000,
      n: 5,
      temperature: "hot",
    });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("BAD_REQUEST");
    expect(String(res.json.message)).toContain("temperature");
  });
});
