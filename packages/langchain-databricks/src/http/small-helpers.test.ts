import { describe, expect, it } from "vitest";
import { raceAbort } from "../utils/abort.js";
import { makeSleep } from "./sleep.js";
import { flattenHeaders, headerValue } from "./transport.js";

class Stopped extends Error {}

describe("makeSleep", () => {
  const sleep = makeSleep(() => new Stopped("stopped"));

  it("resolves after the delay, with or without a signal", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  it("rejects at once for an aborted signal and when the signal fires while waiting", async () => {
    await expect(sleep(10_000, AbortSignal.abort())).rejects.toBeInstanceOf(Stopped);
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow("stopped");
  });
});

describe("raceAbort", () => {
  const onAbort = (s: AbortSignal) => new Stopped(`aborted: ${String(s.reason)}`);

  it("passes the shared result or failure through when the signal never fires", async () => {
    expect(await raceAbort(Promise.resolve(7), undefined, onAbort)).toBe(7);
    expect(await raceAbort(Promise.resolve(8), new AbortController().signal, onAbort)).toBe(8);
    await expect(
      raceAbort(Promise.reject(new Error("shared failed")), new AbortController().signal, onAbort),
    ).rejects.toThrow("shared failed");
  });

  it("gives up for an aborted or aborting signal without leaving the shared work unhandled", async () => {
    await expect(
      raceAbort(Promise.reject(new Error("later")), AbortSignal.abort("early"), onAbort),
    ).rejects.toThrow("aborted: early");
    const ac = new AbortController();
    let fail: (e: Error) => void = () => {};
    const shared = new Promise<number>((_r, reject) => {
      fail = reject;
    });
    const p = raceAbort(shared, ac.signal, onAbort);
    ac.abort("user");
    await expect(p).rejects.toThrow("aborted: user");
    fail(new Error("shared failed after the abort"));
    await expect(shared).rejects.toThrow("shared failed after the abort");
  });
});

describe("header helpers", () => {
  it("headerValue takes the first of repeated values; flattenHeaders joins them, lowercases and skips undefined", () => {
    expect(headerValue({ "set-cookie": ["a=1", "b=2"] }, "set-cookie")).toBe("a=1");
    expect(headerValue({ etag: "x" }, "etag")).toBe("x");
    expect(headerValue({}, "etag")).toBeUndefined();
    expect(flattenHeaders({ "Set-Cookie": ["a=1", "b=2"], ETag: "x", gone: undefined })).toEqual({
      "set-cookie": "a=1, b=2",
      etag: "x",
    });
  });
});
