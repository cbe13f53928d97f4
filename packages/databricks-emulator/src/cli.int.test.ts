import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { call, customEndpointBody } from "./testing/client.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe("databricks-emulator CLI", () => {
  it("starts, prints host/token/cluster, serves --models modules and exits 0 on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        here("./cli.ts"),
        "start",
        "--port",
        "0",
        "--transition-ms",
        "0",
        "--cluster",
        "1234-567890-abcdefgh",
        "--models",
        here("./testing/models-fixture.mjs"),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let out = "";
      const started = await new Promise<{ url: string; token: string }>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const url = /DATABRICKS_HOST=(\S+)/.exec(out)?.[1];
          const token = /DATABRICKS_TOKEN=(\S+)/.exec(out)?.[1];
          if (url && token && out.includes("default cluster id:")) resolve({ url, token });
        });
        child.once("exit", (code) => reject(new Error(`CLI exited early (${String(code)}): ${out}`)));
      });
      expect(out).toContain("default cluster id: 0000-000000-emulator");
      expect(started.token).toMatch(/^dapi[0-9a-f]{32}$/);
      await call(started, "POST", "/api/2.0/serving-endpoints", customEndpointBody("dolly", "dolly"));
      const res = await call(started, "POST", "/serving-endpoints/dolly/invocations", {
        dataframe_records: [{ prompt: "How are you?", stop: ["."] }],
      });
      expect(res.json).toEqual({ predictions: ["echo: How are you?"] });
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("rejects bad arguments with a usage hint and exit code 2", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", here("./cli.ts"), "start", "--port", "abc"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain("--port must be a non-negative integer");
  });
});
