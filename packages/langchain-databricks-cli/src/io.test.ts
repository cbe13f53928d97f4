/** The real process IO: Ctrl-C handling (first asks, second ends at once) and reading piped stdin. */
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { processIO, readAll } from "./io.js";

/** The listener `onInterrupt` added for `signal` (called directly: emitting a signal would reach the test runner's own handlers). */
function added(signal: "SIGINT" | "SIGTERM", before: NodeJS.SignalsListener[]): NodeJS.SignalsListener {
  const now = process.listeners(signal).filter((l) => !before.includes(l));
  expect(now).toHaveLength(1);
  return now[0] as NodeJS.SignalsListener;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("processIO", () => {
  it("is the process's streams, env and working directory", () => {
    const io = processIO();
    expect(io.stdout).toBe(process.stdout);
    expect(io.stderr).toBe(process.stderr);
    expect(io.stdin).toBe(process.stdin);
    expect(io.env).toBe(process.env);
    expect(io.cwd).toBe(process.cwd());
  });

  it("the first Ctrl-C asks the command to stop; a second one exits 130 at once; unsubscribing removes both signals", () => {
    // Like the real one, the spy does not return to its caller.
    const exit = vi.spyOn(process, "exit").mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const beforeInt = process.listeners("SIGINT");
    const beforeTerm = process.listeners("SIGTERM");
    const listener = vi.fn();
    const off = processIO().onInterrupt(listener);
    const onInt = added("SIGINT", beforeInt);
    const onTerm = added("SIGTERM", beforeTerm);
    expect(onTerm).toBe(onInt);

    onInt("SIGINT");
    expect(listener).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
    // SIGTERM while the clean stop is going on counts as the second request.
    expect(() => onTerm("SIGTERM")).toThrow("exit 130");
    expect(exit).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledTimes(1);

    off();
    expect(process.listeners("SIGINT")).toEqual(beforeInt);
    expect(process.listeners("SIGTERM")).toEqual(beforeTerm);
  });
});

describe("readAll", () => {
  it("joins string and Buffer chunks, and a UTF-8 character split across chunks", async () => {
    const euro = Buffer.from("€", "utf8"); // 3 bytes
    const stream = Readable.from([Buffer.from("a"), euro.subarray(0, 1), euro.subarray(1), "b\n"], {
      objectMode: true,
    });
    expect(await readAll(stream)).toBe("a€b\n");
    expect(await readAll(Readable.from([]))).toBe("");
  });
});
