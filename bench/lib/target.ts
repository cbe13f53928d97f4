// Starts the one target every suite shares: the real databricks-emulator when it can be started, otherwise the
// bench stub (reported as such, so a stub run is never mistaken for the verdict). `startTargetProcess` runs it in
// a child process (what run.ts uses); `startEmulatorTarget` starts it in this process (used by that child).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Target } from "./types.js";

const CHAT = "databricks-meta-llama-3-3-70b-instruct";
const EMBED = "databricks-gte-large-en";

interface StartedEmulator {
  url: string;
  token: string;
  close(): Promise<void>;
}

type StartEmulator = (options: Record<string, unknown>) => Promise<StartedEmulator>;

/** Start the emulator on a random loopback port in this process; returns the reason when it is not available. */
export async function startEmulatorTarget(options: Record<string, unknown> = {}): Promise<Target | string> {
  let start: unknown;
  try {
    const mod = (await import("databricks-emulator")) as Record<string, unknown>;
    start = mod.startEmulator;
  } catch (err) {
    return `cannot import databricks-emulator (${err instanceof Error ? err.message : String(err)})`;
  }
  if (typeof start !== "function") return "databricks-emulator does not export startEmulator yet";
  try {
    const emu = await (start as StartEmulator)({ port: 0, host: "127.0.0.1", ...options });
    return {
      kind: "emulator",
      url: emu.url.replace(/\/+$/, ""),
      token: emu.token,
      chatEndpoint: CHAT,
      embeddingEndpoint: EMBED,
      close: () => emu.close(),
    };
  } catch (err) {
    return `startEmulator failed (${err instanceof Error ? err.message : String(err)})`;
  }
}

const childScript = join(dirname(fileURLToPath(import.meta.url)), "server-child.ts");

interface ChildHello {
  kind?: Target["kind"];
  url?: string;
  token?: string;
  fallbackReason?: string;
  error?: string;
}

/**
 * Start the emulator (or the stub, or the server suite's bare node:http baseline with `{ json }`) in a child
 * process; returns the reason when the emulator is unavailable.
 */
export function startTargetProcess(
  mode: "emulator" | "stub" | "bare",
  options: Record<string, unknown> = {},
): Promise<Target | string> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, mode, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      void close();
      reject(new Error("target process did not report its address within 60 s"));
    }, 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`target process exited early (code ${code})`));
    });
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl === -1) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const hello = JSON.parse(out.slice(0, nl)) as ChildHello;
      if (hello.error !== undefined || !hello.url || !hello.token || !hello.kind) {
        void close().then(() => resolve(hello.error ?? "target process sent no address"));
        return;
      }
      resolve({
        kind: hello.kind,
        url: hello.url,
        token: hello.token,
        chatEndpoint: CHAT,
        embeddingEndpoint: EMBED,
        fallbackReason: hello.fallbackReason,
        close,
      });
    });
  });
}

export async function startTarget(forceStub: boolean): Promise<Target> {
  if (forceStub) return ensureTarget(await startTargetProcess("stub"));
  const emu = await startTargetProcess("emulator");
  if (typeof emu !== "string") return emu;
  return ensureTarget(await startTargetProcess("stub", { reason: emu }));
}

function ensureTarget(t: Target | string): Target {
  if (typeof t === "string") throw new Error(`could not start the bench stub: ${t}`);
  return t;
}
