/**
 * The shipped bins, run as child processes exactly as npm linked them (`node_modules/.bin/<name>` ->
 * `bin/<name>.mjs` -> `dist/`): what only a real process shows (exit codes, env and profile auth, signals, a
 * terminal). They run `dist/`, so the first hook below builds any package whose dist/ is missing or older than
 * its src/ (printing a line when it does): the bins tested are always the current sources, built.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { ServingEndpointsClient } from "langchain-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BINS,
  type BinName,
  buildStaleBins,
  freePort,
  PTY_AVAILABLE,
  plain,
  REPO_ROOT,
  type RunningBin,
  refusedRunMs,
  runBin,
  startBin,
} from "../test-support/processes.js";
import { slowAgent } from "../test-support/test-models.js";

beforeAll(() => buildStaleBins(), 180_000);

describe("the bins npm links", () => {
  it("point at committed files listed in `files` (not into dist/, which npm ci has not built yet)", () => {
    for (const [name, dir] of Object.entries(BINS) as [BinName, string][]) {
      const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")) as {
        bin: Record<string, string>;
        files: string[];
      };
      const target = pkg.bin[name];
      expect(target, name).toMatch(/^\.\/bin\/[^/]+\.mjs$/);
      expect(pkg.files, name).toContain("bin/");
      const tracked = spawnSync("git", ["ls-files", "--error-unmatch", join(dir, target as string)], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      expect(tracked.status, `${name}: ${tracked.stderr}`).toBe(0);
      // npm created the link at install time, to that file.
      expect(realpathSync(join(REPO_ROOT, "node_modules/.bin", name))).toBe(
        realpathSync(resolve(REPO_ROOT, dir, target as string)),
      );
    }
  });

  it("run through the link itself (shebang, executable bit) and print their help", async () => {
    for (const [name, usage] of [
      ["langchain-databricks", "Usage: langchain-databricks"],
      ["databricks-emulator", "Usage: databricks-emulator start"],
    ] as const) {
      const r = await runLink(name, ["--help"]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(usage);
    }
  });
});

/** Runs `node_modules/.bin/<name>` as a shell would (no `node` in front), with node on PATH. */
function runLink(
  name: BinName,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, "node_modules/.bin", name), args, {
      env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmpdir() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** An emulator started by its own bin, as `npx databricks-emulator start` would. */
async function startEmulatorBin(
  args: string[] = [],
): Promise<{ url: string; token: string; bin: RunningBin }> {
  const bin = startBin("databricks-emulator", ["start", "--port", "0", "--transition-ms", "20", ...args]);
  await bin.waitFor(/DATABRICKS_TOKEN=\S+\n[\s\S]*default cluster id/);
  const url = /DATABRICKS_HOST=(\S+)/.exec(bin.stdout())?.[1] as string;
  const token = /DATABRICKS_TOKEN=(\S+)/.exec(bin.stdout())?.[1] as string;
  return { url, token, bin };
}

describe("langchain-databricks against an emulator started with databricks-emulator (both real bins)", () => {
  let emu: Awaited<ReturnType<typeof startEmulatorBin>>;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulatorBin();
    dir = mkdtempSync(join(tmpdir(), "ldb-bin-"));
    env = { DATABRICKS_HOST: emu.url, DATABRICKS_TOKEN: emu.token, HOME: dir };
  });
  afterAll(async () => {
    if (emu) {
      emu.bin.child.kill("SIGTERM");
      expect((await emu.bin.result).code).toBe(0);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("env-based auth works", async () => {
    const ok = await runBin("langchain-databricks", ["endpoints", "get", "databricks-bge-large-en"], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).name).toBe("databricks-bge-large-en");
  });

  it("a bad endpoint name exits 3 with the server's code and the name", async () => {
    const bad = await runBin("langchain-databricks", ["chat", "hi", "-m", "nope-endpoint"], { env });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(
      /^Error: API error \(404 RESOURCE_DOES_NOT_EXIST\): Endpoint with name 'nope-endpoint' does not exist\. \(POST \/serving-endpoints\/chat\/completions, request id [0-9a-f-]+\)\. Check the endpoint name "nope-endpoint" \(list them with `langchain-databricks endpoints list`\)\.\n$/,
    );
    const got = await runBin("langchain-databricks", ["endpoints", "get", "nope-endpoint"], { env });
    expect(got.code).toBe(3);
    expect(got.stderr).toContain("(list them with `langchain-databricks endpoints list`)");
    const requestId = /request id ([0-9a-f-]+)/.exec(got.stderr)?.[1] as string;
    expect(got.stderr.split(requestId)).toHaveLength(2); // printed once
    expect(bad.stderr + got.stderr).not.toMatch(/\n\s+at |ServingEndpointsClient/); // no stack, no library API
  });

  it("a missing credential exits 2 with a message naming the setting to provide", async () => {
    const r = await runBin("langchain-databricks", ["endpoints", "list"], {
      env: {
        DATABRICKS_HOST: emu.url,
        HOME: dir,
        DATABRICKS_CONFIG_FILE: join(dir, "none.cfg"),
        PATH: "/nonexistent",
      },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: Configuration error: No Databricks credentials found for http:\/\/127\.0\.0\.1:\d+\. Pass --token \(or set DATABRICKS_TOKEN\), pass --client-id \+ --client-secret /,
    );
    expect(r.stderr).not.toMatch(/`token`|tokenProvider/);
    const noHost = await runBin("langchain-databricks", ["endpoints", "list"], {
      env: { HOME: dir, DATABRICKS_CONFIG_FILE: join(dir, "none.cfg") },
    });
    expect(noHost.code).toBe(2);
    expect(noHost.stderr).toMatch(
      /^Error: Configuration error: No Databricks host configured: pass --host, set DATABRICKS_HOST/,
    );
  });

  it("a wrong token exits 2 (authentication) without echoing it", async () => {
    const r = await runBin("langchain-databricks", ["secrets", "list-scopes"], {
      env: { ...env, DATABRICKS_TOKEN: "dapi-not-a-real-token-42" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: Authentication failed \(403\): Invalid access token\. \(GET \/api\/2\.0\/secrets\/scopes\/list, request id [0-9a-f-]+\)\. Check the credentials: --token \/ DATABRICKS_TOKEN/,
    );
    expect(r.stderr).not.toMatch(/403 403|\.\./);
    expect(r.stdout + r.stderr).not.toContain("dapi-not-a-real-token-42");
  });

  it("plain http:// off loopback is refused, pointing at --allow-insecure-http, which allows it", async () => {
    // 0.0.0.0 is not a loopback name, but connecting to it reaches this machine: a safe stand-in for a remote host.
    const host = emu.url.replace("127.0.0.1", "0.0.0.0");
    const refused = await runBin("langchain-databricks", ["--host", host, "endpoints", "list"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^Error: Configuration error: Refusing plain http:\/\/ for non-loopback host 0\.0\.0\.0:\d+ \(from --host\): .* pass --allow-insecure-http if you really mean it\.\n$/,
    );
    const allowed = await runBin(
      "langchain-databricks",
      ["--host", host, "--allow-insecure-http", "endpoints", "list", "--json"],
      { env },
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).length).toBeGreaterThan(0);
  });

  it("an unreachable host (a closed loopback port) exits 4 with the connection error (--max-retries 0)", async () => {
    const port = await freePort();
    const r = await runBin("langchain-databricks", ["--max-retries", "0", "endpoints", "list"], {
      env: { DATABRICKS_HOST: `http://127.0.0.1:${port}`, DATABRICKS_TOKEN: "dapi-unused", HOME: dir },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /^Error: Network error: Connection to GET http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/serving-endpoints failed \(ECONNREFUSED\)\. Check --host \/ DATABRICKS_HOST/,
    );
  });

  it("endpoints create --json FILE, endpoints wait, secrets put-secret (stdin) and list-secrets", async () => {
    writeFileSync(
      join(dir, "bge.json"),
      JSON.stringify({
        name: "bin-bge",
        config: {
          served_entities: [
            { entity_name: "system.ai.bge_large_en", entity_version: "1", workload_size: "Small" },
          ],
        },
      }),
    );
    const created = await runBin("langchain-databricks", ["endpoints", "create", "--json", "bge.json"], {
      env,
      cwd: dir,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "bin-bge", state: { ready: "NOT_READY" } });
    const waited = await runBin(
      "langchain-databricks",
      ["endpoints", "wait", "bin-bge", "--wait-timeout", "30"],
      {
        env,
      },
    );
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toBe("Endpoint bin-bge is READY.\n");

    expect(
      (await runBin("langchain-databricks", ["secrets", "create-scope", "bin-scope"], { env })).code,
    ).toBe(0);
    const put = await runBin("langchain-databricks", ["secrets", "put-secret", "bin-scope", "api-key"], {
      env,
      input: "value-from-a-pipe-77\n",
    });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toBe("Stored secret bin-scope/api-key.\n");
    const listed = await runBin("langchain-databricks", ["secrets", "list-secrets", "bin-scope", "--json"], {
      env,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { key: string }[]).map((s) => s.key)).toEqual(["api-key"]);
    expect(put.stdout + put.stderr + listed.stdout).not.toContain("value-from-a-pipe-77");
  });
});

describe("auth flags, profiles, timeouts and terminals (real bin, emulator in this process for its test hooks)", () => {
  const SP = { clientId: "cli-sp", clientSecret: "cli-sp-secret-value-913" };
  const CHAT = "databricks-meta-llama-3-3-70b-instruct";
  let emu: EmulatorHandle;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({
      transitionMs: 20,
      servicePrincipals: [SP],
      models: { "cat.cli.slow": slowAgent },
    });
    await new ServingEndpointsClient({ host: emu.url, token: emu.token }).create({
      name: "slow-agent",
      config: {
        served_entities: [{ entity_name: "cat.cli.slow", entity_version: "1", workload_size: "Small" }],
      },
    });
    dir = mkdtempSync(join(tmpdir(), "ldb-bin2-"));
    env = { DATABRICKS_HOST: emu.url, DATABRICKS_TOKEN: emu.token, HOME: dir };
    writeFileSync(
      join(dir, "texts.txt"),
      `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n")}\n`,
    );
  });
  afterAll(async () => {
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("--client-id/--client-secret (and the env vars) authenticate as an OAuth M2M service principal", async () => {
    const flags = ["--host", emu.url, "--client-id", SP.clientId, "--client-secret", SP.clientSecret];
    const viaFlags = await runBin("langchain-databricks", [...flags, "chat", "hi", "-m", CHAT, "--json"], {
      env: { HOME: dir },
    });
    expect(viaFlags.code, viaFlags.stderr).toBe(0);
    expect(JSON.parse(viaFlags.stdout).content.length).toBeGreaterThan(0);
    const viaEnv = await runBin("langchain-databricks", ["secrets", "create-scope", "sp-scope"], {
      env: {
        HOME: dir,
        DATABRICKS_HOST: emu.url,
        DATABRICKS_CLIENT_ID: SP.clientId,
        DATABRICKS_CLIENT_SECRET: SP.clientSecret,
      },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const wrong = await runBin(
      "langchain-databricks",
      [
        "--host",
        emu.url,
        "--client-id",
        SP.clientId,
        "--client-secret",
        "not-the-secret-5521",
        "endpoints",
        "list",
      ],
      { env: { HOME: dir } },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^Error: Authentication failed \(401[^)]*\): .*Check the credentials/);
    expect(wrong.stdout + wrong.stderr).not.toContain("not-the-secret-5521");
  });

  it("--profile and --config-file (and DATABRICKS_CONFIG_PROFILE / ~/.databrickscfg) pick the settings", async () => {
    const cfg = join(dir, "workspaces.cfg");
    writeFileSync(
      cfg,
      `[DEFAULT]\nhost = http://127.0.0.1:9\ntoken = dapi-default-profile\n\n[emu]\nhost = ${emu.url}\ntoken = ${emu.token}\n`,
    );
    const get = ["endpoints", "get", "databricks-bge-large-en"];
    const home = { HOME: dir };
    const byFlags = await runBin("langchain-databricks", ["--config-file", cfg, "--profile", "emu", ...get], {
      env: home,
    });
    expect(byFlags.code, byFlags.stderr).toBe(0);
    expect(JSON.parse(byFlags.stdout).name).toBe("databricks-bge-large-en");
    const byEnv = await runBin("langchain-databricks", get, {
      env: { ...home, DATABRICKS_CONFIG_FILE: cfg, DATABRICKS_CONFIG_PROFILE: "emu" },
    });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    // Without a profile the DEFAULT section applies (here: a closed port).
    const byDefault = await runBin(
      "langchain-databricks",
      ["--max-retries", "0", "--config-file", cfg, ...get],
      {
        env: home,
      },
    );
    expect(byDefault.code).toBe(4);
    expect(byDefault.stderr).toContain("http://127.0.0.1:9/api/2.0/serving-endpoints");
    const missing = await runBin(
      "langchain-databricks",
      ["--config-file", cfg, "--profile", "nope", ...get],
      {
        env: home,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `Error: Configuration error: Profile "nope" not found in ${cfg}. Check --profile / DATABRICKS_CONFIG_PROFILE.\n`,
    );
    // ~/.databrickscfg is the default file.
    writeFileSync(join(dir, ".databrickscfg"), `[emu]\nhost = ${emu.url}\ntoken = ${emu.token}\n`);
    const fromHome = await runBin("langchain-databricks", ["--profile", "emu", ...get], { env: home });
    expect(fromHome.code, fromHome.stderr).toBe(0);
  });

  it("--timeout (seconds) against a server that never answers: exit 4 on time, saying which flag to raise", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket); // accept, read, never answer
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const { port } = silent.address() as { port: number };
    try {
      const baseline = await refusedRunMs({ HOME: dir });
      const started = performance.now();
      const r = await runBin(
        "langchain-databricks",
        ["--timeout", "0.5", "--max-retries", "0", "endpoints", "list"],
        {
          env: { DATABRICKS_HOST: `http://127.0.0.1:${port}`, DATABRICKS_TOKEN: "dapi-unused", HOME: dir },
        },
      );
      const elapsed = performance.now() - started;
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toBe(
        `Error: Timed out after 0.5 s waiting for GET http://127.0.0.1:${port}/api/2.0/serving-endpoints. ` +
          "Raise --timeout (seconds) if the endpoint is slow (e.g. scaling from zero).\n",
      );
      console.log(
        `[figures] --timeout 0.5: ${Math.round(elapsed)} ms; refused-run baseline ${Math.round(baseline)} ms`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(500); // never early
      // On time: the same run without waiting (measured just before) plus the 0.5 s, with room for both to
      // double under load; without the timeout it would wait forever (until the test's own deadline).
      expect(elapsed).toBeLessThan(2 * (baseline + 500));
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  describe.skipIf(!PTY_AVAILABLE)("on a pseudo-terminal", () => {
    const embed = [
      "embed",
      "texts.txt",
      "-m",
      "databricks-bge-large-en",
      "--batch-size",
      "1",
      "--concurrency",
      "1",
    ];

    it("embed draws a progress bar, shows the cursor again and prints the rows/s summary", async () => {
      const bin = startBin("langchain-databricks", [...embed, "--batch-size", "3", "--out", "tty.jsonl"], {
        env,
        cwd: dir,
        pty: true,
      });
      const r = await bin.result;
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout.lastIndexOf("\x1b[?25h")).toBeGreaterThan(r.stdout.lastIndexOf("\x1b[?25l"));
      expect(plain(r.stdout)).toMatch(/embedding \[[█░]+\] 30\/30 100%/);
      expect(plain(r.stdout)).toMatch(/\nEmbedded 30 texts \(1024 dims\) in \d+\.\d\ds: \d+ rows\/s\.\n$/);
      expect(readFileSync(join(dir, "tty.jsonl"), "utf8").trim().split("\n")).toHaveLength(30);
    });

    it("Ctrl-C during embed: exit 130, cursor restored, a partial summary, only complete rows in the file", async () => {
      emu.admin.setFaults([{ path: "/serving-endpoints/", method: "POST", latencyMs: 80 }]);
      try {
        const bin = startBin("langchain-databricks", [...embed, "--out", "part.jsonl"], {
          env,
          cwd: dir,
          pty: true,
        });
        await bin.waitFor(/embedding \[[█░]+\] ([3-9]|[12]\d)\/30/);
        bin.write("\x03"); // what the terminal sends for Ctrl-C
        const r = await bin.result;
        expect(r.code, r.stdout).toBe(130);
        expect(r.stdout.lastIndexOf("\x1b[?25h")).toBeGreaterThan(r.stdout.lastIndexOf("\x1b[?25l"));
        const written = readFileSync(join(dir, "part.jsonl"), "utf8");
        expect(written.endsWith("\n")).toBe(true);
        const rows = written
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { index: number });
        expect(rows.map((row) => row.index)).toEqual(rows.map((_, i) => i));
        expect(rows.length).toBeLessThan(30);
        expect(plain(r.stdout)).toContain(
          `: wrote ${rows.length} of 30 rows to part.jsonl (rows 0-${rows.length - 1}, complete lines in input order).`,
        );
      } finally {
        emu.admin.clearFaults();
      }
    });

    it("REPL: Ctrl-C stops the answer and returns to the prompt; the next question is answered; /exit ends it", async () => {
      const bin = startBin("langchain-databricks", ["chat", "-m", "slow-agent"], {
        env,
        cwd: dir,
        pty: true,
      });
      await bin.waitFor("you> ");
      bin.write("go slow\r");
      await bin.waitFor("bot> w0 w1 "); // mid-answer
      bin.write("\x03");
      await bin.waitFor("(answer stopped)"); // the answer would run 10 s; "w50" never shows (checked below)
      bin.write("and now?\r");
      await bin.waitFor("bot> quick answer to and now?");
      bin.write("/exit\r");
      const r = await bin.result;
      expect(r.code, r.stdout).toBe(0);
      expect(plain(r.stdout)).not.toContain("w50");
    });
  });
});
