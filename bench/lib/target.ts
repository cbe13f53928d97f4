// Starts the one target every suite shares: the real databricks-emulator when it can be started, otherwise the
// bench stub (reported as such, so a stub run is never mistaken for the verdict).
import { startStub } from "./stub-server.js";
import type { Target } from "./types.js";

const CHAT = "databricks-meta-llama-3-3-70b-instruct";
const EMBED = "databricks-gte-large-en";

interface StartedEmulator {
  url: string;
  token: string;
  close(): Promise<void>;
}

type StartEmulator = (options: Record<string, unknown>) => Promise<StartedEmulator>;

/** Start the emulator on a random loopback port; returns the reason when it is not available. */
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

export async function startTarget(forceStub: boolean): Promise<Target> {
  if (forceStub) return startStub("--stub was given");
  const emu = await startEmulatorTarget();
  if (typeof emu !== "string") return emu;
  return startStub(emu);
}
