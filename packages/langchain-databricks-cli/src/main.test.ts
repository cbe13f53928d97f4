/**
 * The bin entry in-process: it runs the CLI on process.argv with the real process IO and ends the process
 * with the CLI's exit code once stdout has flushed. process.exit and the streams are replaced by spies.
 */
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version.js";

let argv: string[];
let out: string;
let err: string;
let exited: Promise<number | string | null | undefined>;

beforeEach(() => {
  argv = process.argv;
  out = "";
  err = "";
  vi.resetModules();
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string, cb?: () => void) => {
    out += chunk;
    cb?.();
    return true;
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write);
  exited = new Promise((resolve) => {
    vi.spyOn(process, "exit").mockImplementation(((code) => resolve(code)) as typeof process.exit);
  });
});
afterEach(() => {
  process.argv = argv;
  vi.doUnmock("./program.js");
  vi.restoreAllMocks();
});

it("runs the CLI on the process arguments and exits with its code after stdout has flushed", async () => {
  process.argv = ["node", "langchain-databricks", "--version"];
  await import("./main.js");
  expect(await exited).toBe(0);
  expect(out).toBe(`${PACKAGE_NAME} ${PACKAGE_VERSION}\n`);
});

it("a usage error exits 1 with commander's message on stderr", async () => {
  process.argv = ["node", "langchain-databricks", "no-such-command"];
  await import("./main.js");
  expect(await exited).toBe(1);
  expect(err).toContain("unknown command 'no-such-command'");
});

it("if the CLI itself fails unexpectedly, one 'Error:' line and exit 1, not a stack trace", async () => {
  vi.doMock("./program.js", () => ({ runCli: () => Promise.reject(new Error("internal bug")) }));
  process.argv = ["node", "langchain-databricks", "--version"];
  await import("./main.js");
  expect(await exited).toBe(1);
  expect(err).toBe("Error: internal bug\n");
});
