/**
 * The CLI against a started emulator, in-process (`runCli` with captured output: fast, and the same code path as
 * the bin). bin.int.test.ts runs the shipped bin as a child process for what only a process can show.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoOAuthServer } from "../../langchain-databricks/test-support/echo-oauth.js";
import { fakeIO } from "../test-support/fake-io.js";
import { freePort } from "../test-support/processes.js";
import { counterAgent, slowAgent } from "../test-support/test-models.js";
import { runCli } from "./program.js";

/** A custom model answering like the seed's dolly: the prompt echoed, cut at the first stop sequence. */
const echoModel = {
  predict: (records: unknown) =>
    (records as { prompt: string; stop?: string[]; temperature?: number }[]).map((r) => {
      const text = `echo. ${r.prompt}${r.temperature === undefined ? "" : ` t=${r.temperature}`}`;
      const cut = (r.stop ?? []).map((s) => text.indexOf(s)).filter((i) => i >= 0);
      return cut.length ? text.slice(0, Math.min(...cut)) : text;
    }),
};

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let dir: string;
let auth: string[];

beforeAll(async () => {
  emulator = await startEmulator({
    models: { echo: echoModel, "cat.cli.counter": counterAgent, "cat.cli.slow": slowAgent },
    transitionMs: 20,
    // Test apps listen on random ports, outside the seed's [3000, 8000].
    driverProxyPorts: [1024, 65535],
  });
  dir = mkdtempSync(join(tmpdir(), "ldb-cli-"));
  auth = ["--host", emulator.url, "--token", emulator.token];
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], options: Parameters<typeof fakeIO>[0] = {}) {
  const io = fakeIO({ cwd: dir, ...options });
  const code = await runCli([...auth, ...args], io);
  return { code, out: io.out(), err: io.err(), io };
}

/** Runs the CLI, expecting exit code 1 (a usage error) with `message` on stderr. */
async function expectUsageError(args: string[], message: string): Promise<void> {
  const r = await run(args);
  expect(r.code, r.err).toBe(1);
  expect(r.err).toContain(message);
}

describe("endpoints", () => {
  it("list shows the pre-provisioned foundation endpoints; --json is the raw list", async () => {
    const table = await run(["endpoints", "list"]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^NAME\s+STATE\s+TASK\s+TYPE/);
    expect(table.out).toMatch(/databricks-bge-large-en\s+READY\s+llm\/v1\/embeddings/);
    const json = await run(["endpoints", "list", "--json"]);
    const list = JSON.parse(json.out) as { name: string }[];
    expect(list.map((e) => e.name)).toContain("databricks-meta-llama-3-3-70b-instruct");
  });

  it("create --json FILE --wait, get, update-config, wait, delete", async () => {
    const body = {
      name: "cli-echo",
      config: {
        served_entities: [
          { entity_name: "echo", entity_version: "1", workload_size: "Small", scale_to_zero_enabled: true },
        ],
      },
    };
    writeFileSync(join(dir, "create.json"), JSON.stringify(body));
    const created = await run(["endpoints", "create", "--json", "create.json", "--wait"]);
    expect(created.code, created.err).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ name: "cli-echo", state: { ready: "READY" } });

    const got = await run(["endpoints", "get", "cli-echo"]);
    expect(JSON.parse(got.out).name).toBe("cli-echo");

    const updated = await run([
      "endpoints",
      "update-config",
      "cli-echo",
      "--json",
      JSON.stringify({
        served_entities: [
          { entity_name: "echo", entity_version: "2", workload_size: "Small", scale_to_zero_enabled: true },
        ],
      }),
      "--wait",
    ]);
    expect(updated.code, updated.err).toBe(0);
    expect(JSON.parse(updated.out).state).toMatchObject({ ready: "READY", config_update: "NOT_UPDATING" });

    const waited = await run(["endpoints", "wait", "cli-echo"]);
    expect(waited.out).toBe("Endpoint cli-echo is READY.\n");

    const deleted = await run(["endpoints", "delete", "cli-echo", "--json"]);
    expect(JSON.parse(deleted.out)).toEqual({ deleted: "cli-echo" });
    const gone = await run(["endpoints", "get", "cli-echo"]);
    expect(gone.code).toBe(3);
  });

  it("create reads the body from stdin and rejects bodies without a name or invalid JSON (exit 1)", async () => {
    const noName = await run(["endpoints", "create", "--json", "-"], { stdin: '{"config": {}}' });
    expect(noName.code).toBe(1);
    expect(noName.err).toContain('the JSON body needs a "name" string');
    await expectUsageError(["endpoints", "create", "--json", "{nope"], "--json is not valid JSON");
    await expectUsageError(
      ["endpoints", "create", "--json", "missing.json"],
      'cannot read --json file "missing.json" (ENOENT)',
    );
  });

  it("a bad endpoint name is an API error (exit 3) with the server's code and message", async () => {
    const r = await run(["endpoints", "get", "no-such-endpoint"]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^Error: API error \(404 RESOURCE_DOES_NOT_EXIST\): .*no-such-endpoint/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("secrets", () => {
  it("create-scope, put-secret (stdin and flag), list-scopes, list-secrets, delete-secret, delete-scope", async () => {
    expect((await run(["secrets", "create-scope", "cli-scope"])).out).toBe("Created scope cli-scope.\n");
    const fromStdin = await run(["secrets", "put-secret", "cli-scope", "k1"], {
      stdin: "s3cret-from-stdin\n",
    });
    expect(fromStdin.code, fromStdin.err).toBe(0);
    expect(fromStdin.out + fromStdin.err).not.toContain("s3cret-from-stdin");
    expect((await run(["secrets", "put-secret", "cli-scope", "k2", "--string-value", "v2"])).code).toBe(0);
    expect((await run(["secrets", "put-secret", "cli-scope", "k3", "--bytes-value", "AAEC"])).code).toBe(0);

    // The stored value is exactly what was piped, minus the trailing newline.
    const { SecretsClient } = await import("langchain-databricks");
    expect(
      await new SecretsClient({ host: emulator.url, token: emulator.token }).getSecret("cli-scope", "k1"),
    ).toBe("s3cret-from-stdin");

    expect((await run(["secrets", "list-scopes"])).out).toContain("cli-scope\n");
    const listed = await run(["secrets", "list-secrets", "cli-scope", "--json"]);
    const keys = (JSON.parse(listed.out) as { key: string }[]).map((s) => s.key).sort();
    expect(keys).toEqual(["k1", "k2", "k3"]);
    expect(listed.out).not.toContain("s3cret");

    expect((await run(["secrets", "delete-secret", "cli-scope", "k1"])).code).toBe(0);
    expect((await run(["secrets", "list-secrets", "cli-scope"])).out).toBe("k2\nk3\n");
    expect((await run(["secrets", "delete-scope", "cli-scope"])).code).toBe(0);
    expect((await run(["secrets", "list-secrets", "cli-scope"])).code).toBe(3);
  });

  it("an existing scope and a bad --bytes-value are reported clearly", async () => {
    await run(["secrets", "create-scope", "dup-scope"]);
    const dup = await run(["secrets", "create-scope", "dup-scope"]);
    expect(dup.code).toBe(3);
    expect(dup.err).toMatch(/RESOURCE_ALREADY_EXISTS/);
    await expectUsageError(
      ["secrets", "put-secret", "dup-scope", "k", "--bytes-value", "not base64!"],
      "--bytes-value must be base64",
    );
  });
});

describe("chat, complete, embed", () => {
  const chatModel = "databricks-meta-llama-3-3-70b-instruct";

  it("chat one-shot prints the answer; --json has content and usage; --stream streams; stdin works", async () => {
    const plain = await run(["chat", "hello", "-m", chatModel, "--max-tokens", "30"]);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out.trim().length).toBeGreaterThan(0);

    const json = await run(["chat", "hello", "-m", chatModel, "--json", "-t", "0.2"]);
    const parsed = JSON.parse(json.out) as { content: string; usage: { total_tokens: number } };
    expect(parsed.content.length).toBeGreaterThan(0);
    expect(parsed.usage.total_tokens).toBeGreaterThan(0);

    const streamed = await run(["chat", "hello", "-m", chatModel, "--stream"]);
    expect(streamed.code, streamed.err).toBe(0);
    expect(streamed.out.endsWith("\n")).toBe(true);

    const piped = await run(["chat", "-m", chatModel, "--json"], { stdin: "hello from a pipe\n" });
    expect(JSON.parse(piped.out).content.length).toBeGreaterThan(0);
    const empty = await run(["chat", "-m", chatModel], { stdin: "" });
    expect(empty.code).toBe(1);
  });

  it("chat without a message on a terminal runs the REPL: streamed answers, /reset, /exit", async () => {
    const r = await run(["chat", "-m", chatModel, "-s", "Be brief."], {
      stdin: "hello\n/reset\nhow are you?\n/exit\nnever read\n",
      stdinIsTTY: true,
    });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`Chatting with ${chatModel}.`);
    expect(r.err).toContain("(conversation reset)");
    const answers = r.out.split("\n").filter((l) => l.includes("bot> "));
    expect(answers).toHaveLength(2);
    for (const a of answers) expect(a.replace(/.*bot> /, "").length).toBeGreaterThan(0);
  });

  it("chat with a bad endpoint name exits 3 naming the problem", async () => {
    const r = await run(["chat", "hello", "-m", "no-such-endpoint"]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^Error: API error \(404[^)]*\): .*no-such-endpoint/);
  });

  it("complete on a custom model endpoint with --stop and --param", async () => {
    await run([
      "endpoints",
      "create",
      "--wait",
      "--json",
      JSON.stringify({
        name: "echo",
        config: {
          served_entities: [
            { entity_name: "echo", entity_version: "1", workload_size: "Small", scale_to_zero_enabled: true },
          ],
        },
      }),
    ]);
    const plain = await run(["complete", "How are you?", "-m", "echo", "--param", "temperature=0.1"]);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toBe("echo. How are you? t=0.1\n");
    const stopped = await run(["complete", "How are you?", "-m", "echo", "--stop", ".", "--json"]);
    expect(JSON.parse(stopped.out)).toEqual({ text: "echo" });
  });

  it("embed writes one JSONL row per text, in order, with ids, and a rows/s summary", async () => {
    const texts = Array.from({ length: 23 }, (_, i) =>
      JSON.stringify({ id: `doc-${i}`, text: `text number ${i}` }),
    );
    writeFileSync(join(dir, "texts.jsonl"), `${texts.join("\n")}\n`);
    const r = await run([
      "embed",
      "texts.jsonl",
      "-m",
      "databricks-bge-large-en",
      "--batch-size",
      "5",
      "--concurrency",
      "3",
      "--out",
      "vectors.jsonl",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^Embedded 23 texts \(1024 dims\) in \d+\.\d\ds: \d+ rows\/s\.\n$/);
    const rows = readFileSync(join(dir, "vectors.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { index: number; id: string; embedding: number[] });
    expect(rows.map((row) => row.index)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(rows[7]?.id).toBe("doc-7");
    expect(rows.every((row) => row.embedding.length === 1024)).toBe(true);

    // Same text -> same vector whatever the batching (order is really preserved).
    const single = await run(["embed", "-", "-m", "databricks-bge-large-en"], { stdin: "text number 7\n" });
    expect((JSON.parse(single.out) as { embedding: number[] }).embedding).toEqual(rows[7]?.embedding);
  });
});

/** Polls (bounded) until `ready()` holds. */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    if (waited > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("on a terminal, and when interrupted", () => {
  const embedArgs = [
    "embed",
    "texts.txt",
    "-m",
    "databricks-bge-large-en",
    "--batch-size",
    "1",
    "--concurrency",
    "1",
  ];
  beforeAll(() => {
    writeFileSync(
      join(dir, "texts.txt"),
      `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n")}\n`,
    );
  });

  it("embed shows a progress bar on a TTY stderr (cursor hidden, then shown) and ends with the rows/s summary", async () => {
    const r = await run([...embedArgs, "--batch-size", "4", "--out", "tty.jsonl"], {
      stderrIsTTY: true,
      columns: 100,
    });
    expect(r.code, r.err).toBe(0);
    const hide = r.err.indexOf("\x1b[?25l");
    const show = r.err.lastIndexOf("\x1b[?25h");
    expect(hide).toBeGreaterThanOrEqual(0);
    expect(show).toBeGreaterThan(hide);
    expect(r.err).toMatch(/embedding \[[█░]+\] 30\/30 100%/);
    expect(r.err).toMatch(/\nEmbedded 30 texts \(1024 dims\) in \d+\.\d\ds: \d+ rows\/s\.\n$/);
    // Without a TTY (or with --no-progress) there is no bar at all.
    const quiet = await run([...embedArgs, "--out", "q.jsonl", "--no-progress"], { stderrIsTTY: true });
    expect(quiet.err).toMatch(/^Embedded 30 texts/);
  });

  it("Ctrl-C during embed: bar stopped, cursor back, complete rows only, a partial summary, exit 130", async () => {
    emulator.admin.setFaults([{ path: "/serving-endpoints/", method: "POST", latencyMs: 60 }]);
    emulator.admin.resetStats();
    const embedPosts = () =>
      emulator.admin
        .stats()
        .log.filter((l) => l.method === "POST" && l.path.startsWith("/serving-endpoints/")).length;
    try {
      const io = fakeIO({ cwd: dir, stderrIsTTY: true, columns: 100 });
      const running = runCli([...auth, ...embedArgs], io);
      await until(() => io.out().split("\n").length > 3); // three rows written
      io.interrupt();
      const code = await running;
      const rowsAtExit = io.out();
      const written = rowsAtExit.split("\n").length - 1;
      // Events, not a sleep: the server has answered the request abandoned at the interrupt (one more than the
      // rows written), and a later round trip on the same loopback has completed, so that answer has reached
      // the client too. Nothing more may have been written.
      await until(() => embedPosts() > written);
      await fetch(`${emulator.url}/api/2.0/serving-endpoints`, {
        headers: { authorization: `Bearer ${emulator.token}` },
      });
      expect(io.out()).toBe(rowsAtExit);
      expect(code).toBe(130);
      const lines = rowsAtExit.split("\n");
      expect(lines.pop()).toBe(""); // ends with a newline: no half-written row
      const rows = lines.map((l) => JSON.parse(l) as { index: number; embedding: number[] });
      expect(rows.map((row) => row.index)).toEqual(rows.map((_, i) => i));
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.length).toBeLessThan(30);
      expect(io.err().lastIndexOf("\x1b[?25h")).toBeGreaterThan(io.err().lastIndexOf("\x1b[?25l"));
      expect(io.err()).toMatch(
        new RegExp(
          `\nInterrupted after \\d+\\.\\d\\ds: wrote ${rows.length} of 30 rows \\(rows 0-${rows.length - 1}, complete lines in input order\\)\\.\n$`,
        ),
      );
    } finally {
      emulator.admin.clearFaults();
    }
  });

  it("REPL: Ctrl-C stops the answer in progress and the session goes on", async () => {
    await run([
      "endpoints",
      "create",
      "--wait",
      "--json",
      JSON.stringify({
        name: "slow-agent",
        config: {
          served_entities: [{ entity_name: "cat.cli.slow", entity_version: "1", workload_size: "Small" }],
        },
      }),
    ]);
    const io = fakeIO({ cwd: dir, stdin: "go slow\nand now?\n/exit\n", stdinIsTTY: true });
    const running = runCli([...auth, "chat", "-m", "slow-agent"], io);
    await until(() => io.out().includes("bot> w0 w1 ")); // mid-answer
    io.interrupt();
    expect(await running).toBe(0);
    expect(io.err()).toContain("(answer stopped)");
    const answers = io
      .out()
      .split("\n")
      .filter((l) => l.includes("bot> "))
      .map((l) => l.replace(/.*bot> /, ""));
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^w0 w1 /);
    expect(answers[0]).not.toContain("w50");
    expect(answers[1]).toBe("quick answer to and now?");
  });

  it("REPL: a timeout is reported and the session and its conversation go on", async () => {
    await run([
      "endpoints",
      "create",
      "--wait",
      "--json",
      JSON.stringify({
        name: "counter",
        config: {
          served_entities: [{ entity_name: "cat.cli.counter", entity_version: "1", workload_size: "Small" }],
        },
      }),
    ]);
    // The second question never gets an answer; the first and third do.
    emulator.admin.setFaults([
      { path: "/serving-endpoints/", method: "POST", neverAnswer: true, after: 1, times: 1 },
    ]);
    try {
      const r = await run(["--timeout", "0.5", "--max-retries", "0", "chat", "-m", "counter"], {
        stdin: "one\ntwo\nthree\n/exit\n",
        stdinIsTTY: true,
      });
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(
        /\nError: Timed out after 0\.5 s waiting for POST http:\/\/127\.0\.0\.1:\d+\/serving-endpoints\/chat\/completions\. Raise --timeout \(seconds\)/,
      );
      expect(r.err).toContain("(the conversation is unchanged: send the message again to retry)");
      // The failed turn is not in the history; the answered one is.
      expect(
        r.out
          .split("\n")
          .filter((l) => l.includes("bot> "))
          .map((l) => l.replace(/.*bot> /, "")),
      ).toEqual(["user messages: 1", "", "user messages: 2"]);
    } finally {
      emulator.admin.clearFaults();
    }
  });

  it("REPL: a configuration error (nothing typed can fix it) ends the session with exit 2", async () => {
    const io = fakeIO({ cwd: dir, stdin: "hello\nagain\n", stdinIsTTY: true });
    const code = await runCli(["--host", "http://example.com", "--token", "dapi-x", "chat", "-m", "m"], io);
    expect(code).toBe(2);
    expect(io.err().match(/Refusing plain http/g)).toHaveLength(1);
  });
});

describe("endpoints wait failures", () => {
  it("UPDATE_FAILED ends wait (and update-config --wait) with exit 3 naming the state", async () => {
    const entity = (version: string) => ({
      served_entities: [{ entity_name: "echo", entity_version: version, workload_size: "Small" }],
    });
    expect(
      (
        await run([
          "endpoints",
          "create",
          "--wait",
          "--json",
          JSON.stringify({ name: "cli-fail", config: entity("1") }),
        ])
      ).code,
    ).toBe(0);
    emulator.admin.failNextUpdate("cli-fail");
    const updated = await run([
      "endpoints",
      "update-config",
      "cli-fail",
      "--json",
      JSON.stringify(entity("2")),
    ]);
    expect(updated.code, updated.err).toBe(0);
    const waited = await run(["endpoints", "wait", "cli-fail", "--wait-timeout", "10"]);
    expect(waited.code).toBe(3);
    expect(waited.err).toMatch(
      /^Error: API error \(UPDATE_FAILED\): Endpoint "cli-fail" config update ended in UPDATE_FAILED\./,
    );
    emulator.admin.failNextUpdate("cli-fail");
    const again = await run([
      "endpoints",
      "update-config",
      "cli-fail",
      "--wait",
      "--json",
      JSON.stringify(entity("3")),
    ]);
    expect(again.code).toBe(3);
    expect(again.err).toContain("ended in UPDATE_FAILED");
  });

  it("running out of --wait-timeout exits 4 and says which flag to raise", async () => {
    const slow = await startEmulator({ models: { echo: echoModel }, transitionMs: 600_000 });
    try {
      const io = fakeIO({ cwd: dir });
      const body = {
        name: "slow",
        config: { served_entities: [{ entity_name: "echo", entity_version: "1" }] },
      };
      const slowAuth = ["--host", slow.url, "--token", slow.token];
      expect(await runCli([...slowAuth, "endpoints", "create", "--json", JSON.stringify(body)], io)).toBe(0);
      const waitIo = fakeIO({ cwd: dir });
      // The endpoint would take 10 minutes (transitionMs): returning at all shows the timeout was applied.
      expect(await runCli([...slowAuth, "endpoints", "wait", "slow", "--wait-timeout", "0.3"], waitIo)).toBe(
        4,
      );
      expect(waitIo.err()).toMatch(
        /^Error: Timed out: Endpoint "slow" not ready after 0\.3 s \(state .*NOT_READY.*\)\. Raise --wait-timeout \(seconds\)\.\n$/,
      );
    } finally {
      await slow.close();
    }
  });
});

describe("serve-driver-proxy", () => {
  /** Writes `source` as `file` in the work dir and serves it on a free loopback port until it announces itself. */
  async function serveModule(file: string, source: string) {
    writeFileSync(join(dir, file), source);
    const port = await freePort();
    const io = fakeIO({ cwd: dir });
    const serving = runCli(["serve-driver-proxy", file, "--port", String(port), "--bind", "127.0.0.1"], io);
    await until(() => io.err().includes("Serving"));
    return { port, io, serving };
  }

  it("serves a module's default export until interrupted; complete reaches it through the driver proxy", async () => {
    const { port, io, serving } = await serveModule(
      "app.mjs",
      'export default (prompt, stop, kwargs) => "app: " + prompt + " " + JSON.stringify(kwargs) + ".tail";\n',
    );
    expect(io.err()).toContain(`on http://127.0.0.1:${port}/`);
    if (port < 3000 || port > 8000) {
      expect(io.err()).toContain(
        `Warning: port ${port} is outside the recommended range 3000-8000; the driver proxy may not forward it.`,
      );
    }

    const r = await run([
      "complete",
      "hi",
      "--cluster-id",
      emulator.defaultClusterId,
      "--port",
      String(port),
      "--param",
      "temperature=0.5",
      "--stop",
      ".tail",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('app: hi {"temperature":0.5}\n');

    io.interrupt();
    expect(await serving).toBe(0);
    expect(io.err()).toContain("Stopped.");
  });

  it("a throwing model function: logged with its stack on the server's stderr, a 500 JSON error without one", async () => {
    const { port, io, serving } = await serveModule(
      "boom.mjs",
      'export default (prompt) => { if (prompt === "boom") throw new Error("model exploded"); return "fine"; };\n',
    );
    const post = (prompt: string) =>
      fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ prompt }) });
    const failed = await post("boom");
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toContain("application/json");
    const body = await failed.text();
    // A generic answer with a request id: the error's message may carry secrets, so only the log has it. The
    // MODEL_ERROR code tells our client not to re-send it.
    const parsed = JSON.parse(body) as { error: string; error_code: string; request_id: string };
    expect(parsed.error).toBe(`Model function failed; see the server log for request ${parsed.request_id}.`);
    expect(parsed.error_code).toBe("MODEL_ERROR");
    expect(body).not.toContain("model exploded");
    expect(body).not.toMatch(/\bat |boom\.mjs/); // no stack trace, no file paths
    expect(io.err()).toMatch(
      /serve-driver-proxy: the model function failed \(answered 500\): Error: model exploded\n\s+at .*boom\.mjs/,
    );
    // The server keeps serving.
    expect(await (await post("fine?")).json()).toBe("fine");
    io.interrupt();
    expect(await serving).toBe(0);
  });

  it("--port out of range is a usage error; a port in use exits 4 naming the port", async () => {
    writeFileSync(join(dir, "ok.mjs"), "export default () => 'ok';\n");
    const big = await run(["serve-driver-proxy", "ok.mjs", "--port", "99999"]);
    expect(big.code).toBe(1);
    expect(big.err).toBe('Error: --port must be a port number from 1 to 65535, got "99999".\n');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const { port } = taken.address() as { port: number };
    try {
      const busy = await run(["serve-driver-proxy", "ok.mjs", "--port", String(port), "--bind", "127.0.0.1"]);
      expect(busy.code).toBe(4);
      expect(busy.err).toMatch(
        new RegExp(
          `\nError: serve-driver-proxy: port ${port} is already in use on 127\\.0\\.0\\.1\\. Stop what is listening there or pick another --port\\.\n$`,
        ),
      );
      expect(busy.err).not.toContain("Error: Error:");
    } finally {
      taken.close();
    }
    await expectUsageError(
      ["complete", "hi", "--port", "70000"],
      '--port must be a port number from 1 to 65535, got "70000"',
    );
  });

  it("--export picks a named function; a lone named function is served without it", async () => {
    writeFileSync(
      join(dir, "named.mjs"),
      "export const upper = (p) => p.toUpperCase();\nexport const lower = (p) => p.toLowerCase();\n",
    );
    const ask = async (port: number, prompt: string) =>
      (await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ prompt }) })).json();
    for (const [args, expected] of [
      [["named.mjs", "--export", "lower"], "mixed case"],
      [["lone.mjs"], "lone: Mixed Case"],
    ] as const) {
      writeFileSync(join(dir, "lone.mjs"), 'export const only = (p) => "lone: " + p;\nexport const n = 1;\n');
      const port = await freePort();
      const io = fakeIO({ cwd: dir });
      const serving = runCli(
        ["serve-driver-proxy", ...args, "--port", String(port), "--bind", "127.0.0.1"],
        io,
      );
      await until(() => io.err().includes("Serving"));
      expect(await ask(port, "Mixed Case")).toBe(expected);
      io.interrupt();
      expect(await serving).toBe(0);
    }
    await expectUsageError(
      ["serve-driver-proxy", "named.mjs", "--export", "nope", "--port", "7001"],
      'serve-driver-proxy: "nope" is not an exported function.',
    );
    await expectUsageError(
      ["serve-driver-proxy", "named.mjs", "--port", "7001"],
      'serve-driver-proxy: "named.mjs" must export a default function (or pick one with --export NAME).',
    );
  });

  it("a module that does not load says why; --bind to an address not on this machine is a usage error", async () => {
    writeFileSync(join(dir, "broken.mjs"), "export default (p) => {\n");
    const broken = await run(["serve-driver-proxy", "broken.mjs", "--port", "7001"]);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/Error: serve-driver-proxy: cannot load "broken\.mjs": .+/);
    expect(broken.err).not.toContain("file not found");
    writeFileSync(join(dir, "ok2.mjs"), "export default () => 'ok';\n");
    // 203.0.113.0/24 is TEST-NET-3: never an address of this machine.
    await expectUsageError(
      ["serve-driver-proxy", "ok2.mjs", "--port", "7001", "--bind", "203.0.113.7"],
      "serve-driver-proxy: --bind 203.0.113.7 is not an address of this machine.",
    );
  });

  it("a module without a function export is a usage error", async () => {
    writeFileSync(join(dir, "nofn.mjs"), "export const x = 1;\n");
    await expectUsageError(
      ["serve-driver-proxy", "nofn.mjs", "--port", "7001"],
      "must export a default function",
    );
    await expectUsageError(
      ["serve-driver-proxy", "nope.mjs", "--port", "7001"],
      'cannot load "nope.mjs": file not found',
    );
  });
});

describe("credentials never printed", () => {
  it("an OAuth token endpoint echoing the request: no form of the client secret on stdout or stderr", async () => {
    const echo = await startEchoOAuthServer();
    try {
      const clientId = "6d7f1f3c-1111-2222-3333-444455556666";
      const clientSecret = "dose0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d";
      const io = fakeIO({ cwd: dir });
      const args = ["--host", echo.url, "--client-id", clientId, "--client-secret", clientSecret];
      const code = await runCli([...args, "endpoints", "list"], io);
      const printed = io.out() + io.err();
      expect(code).not.toBe(0);
      expect(printed).toContain("Rejected request");
      expect(printed).not.toContain(clientSecret);
      expect(printed).not.toContain(
        Buffer.from(`${clientId}:${clientSecret}`).toString("base64").slice(0, 40),
      );
      expect(printed).not.toMatch(/Basic [A-Za-z0-9+/]{8,}/);
      expect(printed).not.toMatch(/client_secret=(?!\[REDACTED\]|\*\*\*)/);
    } finally {
      await echo.close();
    }
  });
});
