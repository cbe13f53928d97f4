/**
 * Trust boundary 4 (issue 14): `--data-dir` is exclusive. A second emulator on the same directory exits
 * non-zero naming the holder's pid, a dead holder's lock is taken over, and stray temp files of crashed runs
 * (full copies of the state) are removed at start.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../../test-support/cli-bin.js";
import { spawnEmulatorCli } from "../../test-support/cli-process.js";
import { useTempDirs } from "../../test-support/temp-dirs.js";
import { startEmulator } from "../server.js";
import { DataDirLockedError } from "./lock.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

const freshDir = useTempDirs("emu-lock-");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Runs `databricks-emulator start --port 0 --data-dir dir`; resolves once the banner is out, or with the exit. */
const runCli = (dir: string) => {
  const run = spawnEmulatorCli(["start", "--port", "0", "--data-dir", dir]);
  children.push(run.child);
  return { ...run, ready: run.until((out) => out.includes("data dir:")) };
};

describe("--data-dir lock", () => {
  it("refuses a second CLI on the same directory, naming the holder's pid", { timeout: 60_000 }, async () => {
    const dir = freshDir();
    const first = runCli(dir);
    expect(await first.ready, first.err()).toBe("ready");
    const second = runCli(dir);
    expect(await second.ready).toBe("exited");
    expect(await second.exited).toBe(1);
    expect(second.err()).toContain(`is in use by another emulator (pid ${first.child.pid})`);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dir, "emulator.lock"))).toBe(false);
  });

  it("refuses a second emulator in the same process until the first one closes", async () => {
    const dir = freshDir();
    const a = await startEmulator({ dataDir: dir, foundationModels: false });
    const err = await startEmulator({ dataDir: dir, foundationModels: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).holderPid).toBe(process.pid);
    await a.close();
    const b = await startEmulator({ dataDir: dir, foundationModels: false });
    await b.close();
  });

  it("takes over a dead holder's lock and removes stray temp files", async () => {
    const dir = freshDir();
    // A pid that certainly existed and is gone now.
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    writeFileSync(join(dir, "emulator.lock"), `${dead}\n`);
    writeFileSync(join(dir, `workspace.json.${dead}.tmp`), '{"version":1,"state":{"secret":"left over"}}');
    const emu = await startEmulator({ dataDir: dir, foundationModels: false });
    try {
      expect(readFileSync(join(dir, "emulator.lock"), "utf8").trim()).toBe(String(process.pid));
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      await emu.close();
    }
    expect(existsSync(join(dir, "emulator.lock"))).toBe(false);
  });

  it("releases the lock when the start fails (port in use)", async () => {
    const dir = freshDir();
    const other = await startEmulator({ foundationModels: false });
    try {
      await expect(
        startEmulator({ dataDir: dir, port: other.port, foundationModels: false }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(existsSync(join(dir, "emulator.lock"))).toBe(false);
    } finally {
      await other.close();
    }
  });
});
