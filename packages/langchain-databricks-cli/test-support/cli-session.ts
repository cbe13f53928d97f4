/**
 * The CLI run in-process (fake IO) against one emulator per test file: started in `beforeAll` with `options`,
 * closed in `afterAll` with the temporary working directory the runs use.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatorOptions, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, expect } from "vitest";
import { runCli } from "../src/program.js";
import { type FakeIOOptions, fakeIO } from "./fake-io.js";

export interface CliSession {
  /** The started emulator (from `beforeAll` on). */
  readonly emulator: Awaited<ReturnType<typeof startEmulator>>;
  /** The runs' working directory (from `beforeAll` on). */
  readonly dir: string;
  /** Runs `langchain-databricks --host <emulator> --token <admin> ...args`. */
  run(args: string[], options?: FakeIOOptions): Promise<{ code: number; out: string; err: string }>;
  /** Runs the CLI expecting exit code 1 (a usage error): exactly `Error: <message>` on stderr, nothing on stdout. */
  expectUsageError(args: string[], message: string, options?: FakeIOOptions): Promise<void>;
}

export function useCliSession(options: EmulatorOptions, dirPrefix: string): CliSession {
  let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = () => {
    if (!emulator || !dir) throw new Error("useCliSession: the emulator starts in beforeAll.");
    return { emulator, dir };
  };
  const run = async (args: string[], ioOptions: FakeIOOptions = {}) => {
    const { emulator: emu, dir: cwd } = started();
    const io = fakeIO({ cwd, ...ioOptions });
    const code = await runCli(["--host", emu.url, "--token", emu.token, ...args], io);
    return { code, out: io.out(), err: io.err() };
  };
  return {
    get emulator() {
      return started().emulator;
    },
    get dir() {
      return started().dir;
    },
    run,
    async expectUsageError(args, message, ioOptions = {}) {
      const r = await run(args, ioOptions);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toBe(`Error: ${message}\n`);
      expect(r.out).toBe("");
    },
  };
}
