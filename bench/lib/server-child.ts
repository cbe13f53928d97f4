// Runs the bench target (the emulator, or the stub) in its own process, so the clients under test and the server
// do not share one event loop: on loopback a real server is another process, and the 2nd core is used. Prints one
// JSON line `{ kind, url, token, fallbackReason? }` (or `{ error }`) once listening; exits when its stdin closes
// (the parent went away) or on SIGTERM/SIGINT.
import { startBareServer } from "./bare-server.js";
import { startStub } from "./stub-server.js";
import { startEmulatorTarget } from "./target.js";
import type { Target } from "./types.js";

const mode = process.argv[2] ?? "emulator";
const options = JSON.parse(process.argv[3] ?? "{}") as Record<string, unknown>;

let target: Target | undefined;
if (mode === "bare") {
  // The server suite's baseline, in its own process like the emulators it is compared with.
  const bare = await startBareServer(String(options.json ?? "{}"));
  target = {
    kind: "stub",
    url: bare.url,
    token: "none",
    chatEndpoint: "",
    embeddingEndpoint: "",
    close: bare.close,
  };
} else if (mode === "stub") {
  target = await startStub(typeof options.reason === "string" ? options.reason : "--stub was given");
} else {
  const started = await startEmulatorTarget(options);
  if (typeof started === "string") {
    console.log(JSON.stringify({ error: started }));
    process.exit(0);
  }
  target = started;
}

let closing = false;
const shutdown = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await target?.close().catch(() => undefined);
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
console.log(
  JSON.stringify({
    kind: target.kind,
    url: target.url,
    token: target.token,
    fallbackReason: target.fallbackReason,
  }),
);
