import { type ChildProcess, spawn } from "node:child_process";
import { builtCli } from "./cli-bin.js";

/** A `databricks-emulator` CLI run (the built bin, see cli-bin.ts), its output collected as it comes. */
export interface CliProcess {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** The exit code once the process ended and its output is fully read. */
  exited: Promise<number | null>;
  /** "ready" once stdout satisfies `ready`, "exited" if the process ends first. */
  until(ready: (out: string) => boolean): Promise<"ready" | "exited">;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Spawns `node bin/databricks-emulator.mjs <args>`; dist/ is made current first (call {@link builtCli} from a
 * `beforeAll` with a long timeout, as a build may be needed).
 */
export const spawnEmulatorCli = (args: string[]): CliProcess => {
  const child = spawn(process.execPath, [builtCli(), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  // "close": the process ended and its stdout/stderr are fully read.
  const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    until: (ready) =>
      new Promise((resolve) => {
        if (ready(out)) return resolve("ready");
        child.stdout?.on("data", () => {
          if (ready(out)) resolve("ready");
        });
        void exited.then(() => resolve(ready(out) ? "ready" : "exited"));
      }),
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
};
