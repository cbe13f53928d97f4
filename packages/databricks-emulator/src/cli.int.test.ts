import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../test-support/cli-bin.js";
import { spawnEmulatorCli } from "../test-support/cli-process.js";
import { call, customEndpointBody } from "../test-support/client.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

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
  const run = spawnEmulatorCli(["start", "--port", "0", ...args]);
  const host = (out: string) => /DATABRICKS_HOST=(\S+)/.exec(out)?.[1];
  const token = (out: string) => /DATABRICKS_TOKEN=(\S+)/.exec(out)?.[1];
  const ready = await run.until((out) =>
    Boolean(host(out) && token(out) && out.includes("OpenAI-compatible local base:")),
  );
  if (ready === "exited") {
    throw new Error(`CLI exited early (${String(await run.exited)}): ${run.out()}${run.err()}`);
  }
  return {
    url: host(run.out()) as string,
    token: token(run.out()) as string,
    get out() {
      return run.out();
    },
    stop: run.stop,
  };
};

/** Runs the CLI to completion (for argument errors) and returns its exit code and stderr. */
const runCli = async (args: string[]): Promise<{ code: number | null; err: string }> => {
  const run = spawnEmulatorCli(args);
  return { code: await run.exited, err: run.err() };
};

describe("databricks-emulator CLI", () => {
  it("starts, prints host/token/cluster, serves --models modules and exits 0 on SIGTERM", async () => {
    const cli = await startCli([
      "--transition-ms",
      "0",
      "--cluster",
      "1234-567890-abcdefgh",
      "--models",
      here("../test-support/fixtures/models.mjs"),
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

  it("--user and --service-principal create principals: PATs printed and usable, M2M tokens issued", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "emu-cli-principals-"));
    try {
      const args = [
        "--data-dir",
        dataDir,
        "--user",
        "viewer@example.com:dapi-viewer-1",
        "--user",
        "analyst@example.com",
        "--service-principal",
        "my-sp:s3cr:et", // the secret may contain colons: only the first one separates
      ];
      const cli = await startCli(args);
      let analystToken: string | undefined;
      try {
        expect(cli.out).toContain("user viewer@example.com token: dapi-viewer-1");
        analystToken = /user analyst@example\.com token: (dapi[0-9a-f]{32})/.exec(cli.out)?.[1];
        expect(analystToken, cli.out).toBeDefined();
        expect(cli.out).toContain("service principal my-sp (OAuth M2M)");
        expect(cli.out).not.toContain("s3cr:et");
        const me = async (token: string) =>
          (await call({ url: cli.url, token }, "GET", "/api/2.0/preview/scim/v2/Me")).json.userName;
        expect(await me("dapi-viewer-1")).toBe("viewer@example.com");
        expect(await me(analystToken as string)).toBe("analyst@example.com");
        const issued = await fetch(new URL("/oidc/v1/token", cli.url), {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from("my-sp:s3cr:et").toString("base64")}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: "grant_type=client_credentials&scope=all-apis",
        });
        expect(issued.status).toBe(200);
        const { access_token } = (await issued.json()) as { access_token: string };
        expect(await me(access_token)).toBe("my-sp");
      } finally {
        expect(await cli.stop()).toBe(0);
      }
      // Restarted on the same data dir, a user given without a token keeps its generated PAT.
      const again = await startCli(args);
      try {
        expect(again.out).toContain(`user analyst@example.com token: ${analystToken}`);
      } finally {
        expect(await again.stop()).toBe(0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    [["--service-principal", "no-secret"], "--service-principal takes CLIENT_ID:CLIENT_SECRET"],
    [["--service-principal", ":secret"], "--service-principal takes CLIENT_ID:CLIENT_SECRET"],
    [["--user", "a@b.com:"], "--user takes NAME or NAME:TOKEN"],
    [["--external-base-url", "ftp://x"], "--external-base-url must be an http(s) URL, got 'ftp://x'"],
  ])("rejects %j with exit code 2", async (args, message) => {
    const { code, err } = await runCli(["start", "--port", "0", ...args]);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("external models: stay on the machine by default; --external-base-url and --allow-external-network are shown", async () => {
    const local = await startCli([]);
    try {
      expect(local.out).toMatch(
        /external models: stay on this machine; default openai_api_base http:\/\/127\.0\.0\.1:\d+\/local-openai\/v1/,
      );
    } finally {
      expect(await local.stop()).toBe(0);
    }
    const open = await startCli(["--allow-external-network", "--external-base-url", "http://127.0.0.1:9/v1"]);
    try {
      expect(open.out).toContain(
        "external models: may call real providers (--allow-external-network); default openai_api_base http://127.0.0.1:9/v1",
      );
    } finally {
      expect(await open.stop()).toBe(0);
    }
  });

  it("rejects bad arguments with a usage hint and exit code 2", async () => {
    const { code, err } = await runCli(["start", "--port", "abc"]);
    expect(code).toBe(2);
    expect(err).toContain("--port must be a non-negative integer");
  });
});
