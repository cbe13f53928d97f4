import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { call, customEndpointBody } from "./testing/client.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface RunningCli {
  url: string;
  token: string;
  out: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `databricks-emulator start --port 0 <args>` from the sources and waits for its banner. */
const startCli = async (args: string[]): Promise<RunningCli> => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", here("./cli.ts"), "start", "--port", "0", ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  try {
    const started = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const url = /DATABRICKS_HOST=(\S+)/.exec(out)?.[1];
        const token = /DATABRICKS_TOKEN=(\S+)/.exec(out)?.[1];
        if (url && token && out.includes("OpenAI-compatible local base:")) resolve({ url, token });
      });
      child.once("exit", (code) => reject(new Error(`CLI exited early (${String(code)}): ${out}${err}`)));
    });
    return {
      ...started,
      get out() {
        return out;
      },
      stop: () => {
        const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
        child.kill("SIGTERM");
        return exited;
      },
    };
  } catch (e) {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw e;
  }
};

/** Runs the CLI to completion (for argument errors) and returns its exit code and stderr. */
const runCli = async (args: string[]): Promise<{ code: number | null; err: string }> => {
  const child = spawn(process.execPath, ["--import", "tsx", here("./cli.ts"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { code, err };
};

describe("databricks-emulator CLI", () => {
  it("starts, prints host/token/cluster, serves --models modules and exits 0 on SIGTERM", async () => {
    const cli = await startCli([
      "--transition-ms",
      "0",
      "--cluster",
      "1234-567890-abcdefgh",
      "--models",
      here("./testing/models-fixture.mjs"),
    ]);
    try {
      expect(cli.out).toContain("default cluster id: 0000-000000-emulator");
      expect(cli.token).toMatch(/^dapi[0-9a-f]{32}$/);
      await call(cli, "POST", "/api/2.0/serving-endpoints", customEndpointBody("dolly", "dolly"));
      const res = await call(cli, "POST", "/serving-endpoints/dolly/invocations", {
        dataframe_records: [{ prompt: "How are you?", stop: ["."] }],
      });
      expect(res.json).toEqual({ predictions: ["echo: How are you?"] });
      // Foundation endpoints are there by default.
      const list = await call(cli, "GET", "/api/2.0/serving-endpoints");
      expect(JSON.stringify(list.json)).toContain("databricks-gte-large-en");
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it("--no-foundation-models starts an empty workspace: GET serving-endpoints is {}", async () => {
    const cli = await startCli(["--no-foundation-models"]);
    try {
      const list = await call(cli, "GET", "/api/2.0/serving-endpoints");
      expect(list.status).toBe(200);
      expect(list.text).toBe("{}");
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it("rejects bad arguments with a usage hint and exit code 2", async () => {
    const { code, err } = await runCli(["start", "--port", "abc"]);
    expect(code).toBe(2);
    expect(err).toContain("--port must be a non-negative integer");
  });
});
