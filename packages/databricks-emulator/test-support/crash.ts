// Test support shared by the kill -9 test and its soak variant (not part of the package).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtCli } from "./cli-bin.js";
import { call, customEndpointBody, type Target } from "./client.js";

export const CRASH_TOKEN = "dapi-crash-test-admin-token-0001";

export interface Running {
  child: ChildProcess;
  target: Target;
}

/** `databricks-emulator start --port 0 --data-dir <dir>` as a real child process (the built bin: see cli-bin.ts). */
export async function startCli(dataDir: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      builtCli(),
      "start",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--token",
      CRASH_TOKEN,
      "--transition-ms",
      "0",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited early (${String(code)}): ${stderr}`));
    });
  });
  return { child, target: { url, token: CRASH_TOKEN } };
}

export async function kill9(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise((resolve) => r.child.once("exit", resolve));
  r.child.kill("SIGKILL");
  await exited;
}

export interface Acked {
  endpoints: string[];
  secrets: string[];
}

/**
 * Four writers create endpoints and put secrets as fast as acknowledgements come back, until the process is
 * killed under them; only writes answered 200 count as acknowledged. Returns after the kill.
 */
export async function writeUntilKilled(r: Running, round: number, killAfterAcks: number): Promise<Acked> {
  const acked: Acked = { endpoints: [], secrets: [] };
  await call(r.target, "POST", "/api/2.0/secrets/scopes/create", { scope: `crash-${round}` });
  let total = 0;
  let killing: Promise<void> | undefined;
  const writer = async (w: number) => {
    for (let i = 0; i < 10_000 && !killing; i++) {
      try {
        if (i % 2 === 0) {
          const name = `crash-${round}-${w}-${i}`;
          const res = await call(r.target, "POST", "/api/2.0/serving-endpoints", customEndpointBody(name));
          if (res.status === 200) acked.endpoints.push(name);
        } else {
          const key = `k-${w}-${i}`;
          const res = await call(r.target, "POST", "/api/2.0/secrets/put", {
            scope: `crash-${round}`,
            key,
            string_value: `value-${round}-${w}-${i}`,
          });
          if (res.status === 200) acked.secrets.push(`${round}/${key}`);
        }
      } catch {
        return; // connection refused or reset: the process is gone
      }
      if (++total >= killAfterAcks) killing ??= kill9(r);
    }
  };
  await Promise.all([0, 1, 2, 3].map(writer));
  await (killing ?? kill9(r));
  return acked;
}

/** The state file parses and has the documented envelope. */
export function stateFileValid(dataDir: string): boolean {
  const doc = JSON.parse(readFileSync(join(dataDir, "workspace.json"), "utf8")) as {
    version?: unknown;
    state?: unknown;
  };
  return doc.version === 1 && typeof doc.state === "object" && doc.state !== null;
}

/** Every acknowledged endpoint and secret (with its exact value) is served by the restarted emulator. */
export async function missingAfterRestart(target: Target, acked: Acked): Promise<string[]> {
  const missing: string[] = [];
  const list = await call(target, "GET", "/api/2.0/serving-endpoints");
  const names = new Set(((list.json.endpoints ?? []) as Array<{ name: string }>).map((e) => e.name));
  for (const n of acked.endpoints) if (!names.has(n)) missing.push(`endpoint ${n}`);
  for (const s of acked.secrets) {
    const [round, key] = s.split("/") as [string, string];
    const got = await call(target, "GET", `/api/2.0/secrets/get?scope=crash-${round}&key=${key}`);
    const expected = Buffer.from(`value-${round}-${key.slice(2)}`).toString("base64");
    if (got.json.value !== expected) missing.push(`secret ${s}`);
  }
  return missing;
}

export interface CrashFigures {
  rounds: number;
  acknowledgedEndpoints: number;
  acknowledgedSecrets: number;
  missing: number;
  stateFileValidEveryRound: boolean;
}

/** `rounds` x (start, write under load, kill -9), verifying everything acknowledged so far after each restart. */
export async function crashLoop(dataDir: string, rounds: number): Promise<CrashFigures> {
  const all: Acked = { endpoints: [], secrets: [] };
  let missing = 0;
  let valid = true;
  let running = await startCli(dataDir);
  try {
    for (let round = 0; round < rounds; round++) {
      const acked = await writeUntilKilled(running, round, 20 + ((round * 7) % 30));
      all.endpoints.push(...acked.endpoints);
      all.secrets.push(...acked.secrets);
      valid &&= stateFileValid(dataDir);
      running = await startCli(dataDir);
      const lost = await missingAfterRestart(running.target, all);
      missing += lost.length;
      if (lost.length > 0) console.log(`round ${round}: lost`, lost.slice(0, 5));
    }
  } finally {
    await kill9(running);
  }
  return {
    rounds,
    acknowledgedEndpoints: all.endpoints.length,
    acknowledgedSecrets: all.secrets.length,
    missing,
    stateFileValidEveryRound: valid,
  };
}
