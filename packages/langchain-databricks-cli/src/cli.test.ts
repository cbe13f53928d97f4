import { createServer } from "node:net";
import {
  DatabricksConfigError,
  DatabricksConnectionError,
  DatabricksTimeoutError,
  NotFoundError,
  OperationFailedError,
  PermissionDeniedError,
  ServingEndpointsClient,
  UnauthenticatedError,
} from "langchain-databricks";
import { describe, expect, it } from "vitest";
// Library internals the CLI's error descriptions are checked against (test-only, from the library's sources).
import type { ConfigIo } from "../../langchain-databricks/src/auth/io.js";
import { resolveAuth } from "../../langchain-databricks/src/auth/resolve.js";
import { apiErrorFromResponse } from "../../langchain-databricks/src/error-body.js";
import {
  classifyTransportFailure,
  timeoutError,
} from "../../langchain-databricks/src/http/transport-errors.js";
import { fakeIO } from "../test-support/fake-io.js";
import { embedInOrder } from "./commands/embed.js";
import { describeError, inCliTerms, redact } from "./describe-error.js";
import { batches, parseEmbedInput } from "./embed-input.js";
import { CliUsageError, ExitCode } from "./exit-codes.js";
import { runCli } from "./program.js";
import { parseParams, textOf } from "./text.js";

describe("describeError maps errors to messages and exit codes", () => {
  it("config errors exit 2", () => {
    const r = describeError(new DatabricksConfigError("host was not set. Set DATABRICKS_HOST."));
    expect(r).toEqual({
      message: "Configuration error: host was not set. Set DATABRICKS_HOST.",
      exitCode: 2,
    });
  });

  it("401 and 'Invalid access token' 403 are auth failures (exit 2) with a hint; other 403s are API errors", () => {
    const unauth = describeError(
      new UnauthenticatedError("Unauthorized", { status: 401, errorCode: "UNAUTHENTICATED" }),
    );
    expect(unauth.exitCode).toBe(ExitCode.config);
    expect(unauth.message).toContain("DATABRICKS_TOKEN");
    const invalid = describeError(new PermissionDeniedError("Invalid access token.", { status: 403 }));
    expect(invalid.exitCode).toBe(ExitCode.config);
    const denied = describeError(
      new PermissionDeniedError("User lacks CAN_QUERY", { status: 403, errorCode: "PERMISSION_DENIED" }),
    );
    expect(denied).toEqual({
      message: "API error (403 PERMISSION_DENIED): User lacks CAN_QUERY",
      exitCode: 3,
    });
  });

  it("API errors exit 3 and carry status, code and request id", () => {
    const r = describeError(
      new NotFoundError("Endpoint nope does not exist.", {
        status: 404,
        errorCode: "RESOURCE_DOES_NOT_EXIST",
        requestId: "req-1",
      }),
    );
    expect(r).toEqual({
      message:
        "API error (404 RESOURCE_DOES_NOT_EXIST): Endpoint nope does not exist. (request id req-1). " +
        "List the endpoints with `langchain-databricks endpoints list`.",
      exitCode: 3,
    });
    expect(describeError(new OperationFailedError("update ended in UPDATE_FAILED")).exitCode).toBe(3);
  });

  it("connection errors and raw network codes exit 4; timeouts exit 4", () => {
    expect(describeError(new DatabricksConnectionError("connect ECONNREFUSED 127.0.0.1:9")).exitCode).toBe(4);
    const raw = new TypeError("fetch failed", {
      cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
    });
    const r = describeError(raw);
    expect(r.exitCode).toBe(4);
    expect(r.message).toContain("ECONNREFUSED");
    expect(describeError(new DatabricksTimeoutError("no response after 10 ms")).exitCode).toBe(4);
  });

  it("recognises errors by name (another copy of the package) and handles non-errors", () => {
    const foreign = { name: "DatabricksConfigError", message: "token missing", errorCode: undefined };
    expect(describeError(foreign).exitCode).toBe(2);
    expect(describeError(new CliUsageError("bad")).exitCode).toBe(1);
    expect(describeError("boom")).toEqual({ message: "Unexpected error: boom", exitCode: 1 });
  });

  it("redact hides every known secret", () => {
    expect(redact("token dapi1234 and dapi1234 and s3cr3t", ["dapi1234", "s3cr3t", undefined, "ab"])).toBe(
      "token *** and *** and ***",
    );
  });
});

/** Config resolution with nothing configured anywhere (no env, no ~/.databrickscfg, no Databricks CLI). */
function emptyIo(files: Record<string, string> = {}): ConfigIo {
  return {
    env: {},
    readFile: async (path) => files[path],
    homeDir: async () => "/home/nobody",
    runCli: async () => undefined,
  };
}

const noAuthHttp = () => {
  throw new Error("no token requests in these tests");
};

async function configError(options: Parameters<typeof resolveAuth>[0], files?: Record<string, string>) {
  return resolveAuth(options, emptyIo(files), noAuthHttp).then(
    () => {
      throw new Error("expected a DatabricksConfigError");
    },
    (e: unknown) => e,
  );
}

/** Backticked library option names, and library methods, that mean nothing on a command line. */
const LIBRARY_TERMS =
  /`(timeout|token|clientId|clientSecret|tokenProvider|host|profile|configFile|allowInsecureHttp|authType|ca)`|ServingEndpointsClient|updateConfig\(\)|allowInsecureHttp/;

describe("describeError speaks CLI: library advice becomes flags, env vars and commands (real library errors)", () => {
  const reports: string[] = [];
  const report = (error: unknown) => {
    const r = describeError(error);
    reports.push(r.message);
    return r;
  };

  it("a timeout says --timeout in seconds, once", () => {
    const r = report(timeoutError("GET https://ws.cloud.databricks.com/api/2.0/serving-endpoints", 1500));
    expect(r).toEqual({
      message:
        "Timed out after 1.5 s waiting for GET https://ws.cloud.databricks.com/api/2.0/serving-endpoints. " +
        "Raise --timeout (seconds) if the endpoint is slow (e.g. scaling from zero).",
      exitCode: 4,
    });
    // A timeout message without advice of its own gets the CLI's hint.
    expect(report(new DatabricksTimeoutError("no response after 10 ms")).message).toBe(
      "Timed out: no response after 10 ms. Raise --timeout (seconds) if the workspace is slow.",
    );
  });

  it("endpoints wait running out of time says --wait-timeout in seconds", async () => {
    const client = new ServingEndpointsClient({
      host: "https://ws.cloud.databricks.com",
      token: "dapi-test",
      fetch: async () =>
        new Response(
          JSON.stringify({ name: "e", state: { ready: "NOT_READY", config_update: "IN_PROGRESS" } }),
          {
            headers: { "content-type": "application/json" },
          },
        ),
    });
    const error = await client
      .waitForReady("e", { timeout: 50, pollIntervalMs: 10 })
      .catch((e: unknown) => e);
    const r = report(error);
    expect(r.exitCode).toBe(4);
    expect(r.message).toMatch(
      /^Timed out: Endpoint "e" not ready after 0\.05 s \(state .*\)\. Raise --wait-timeout \(seconds\)\.$/,
    );
  });

  it("plain http:// off loopback points at --allow-insecure-http", async () => {
    const r = report(await configError({ host: "http://example.com", token: "dapi-test" }));
    expect(r).toEqual({
      message:
        "Configuration error: Refusing plain http:// for non-loopback host example.com (from --host): the token " +
        "would be sent unencrypted. Use https://, or pass --allow-insecure-http if you really mean it.",
      exitCode: 2,
    });
  });

  it("no host, no credentials, a missing profile: flags and env vars, no tokenProvider", async () => {
    expect(report(await configError({})).message).toBe(
      "Configuration error: No Databricks host configured: pass --host, set DATABRICKS_HOST, or add " +
        "`host = https://...` to a profile in ~/.databrickscfg (select it with --profile / DATABRICKS_CONFIG_PROFILE).",
    );
    expect(report(await configError({ host: "https://ws.cloud.databricks.com" })).message).toBe(
      "Configuration error: No Databricks credentials found for https://ws.cloud.databricks.com. Pass --token " +
        "(or set DATABRICKS_TOKEN), pass --client-id + --client-secret (DATABRICKS_CLIENT_ID / " +
        "DATABRICKS_CLIENT_SECRET), add them to a profile in ~/.databrickscfg, or install the Databricks CLI and " +
        "run `databricks auth login`.",
    );
    expect(report(await configError({ host: "https://h", clientId: "sp" })).message).toBe(
      'Configuration error: Auth type "oauth-m2m" needs a client secret: pass --client-secret or set ' +
        "DATABRICKS_CLIENT_SECRET.",
    );
    expect(report(await configError({ profile: "staging", configFile: "/etc/dbx.cfg" })).message).toBe(
      'Configuration error: Databricks config file /etc/dbx.cfg not found, but profile "staging" was requested. ' +
        "Create it with `databricks configure`, or pass --config-file / set DATABRICKS_CONFIG_FILE.",
    );
    const wrongProfile = await configError(
      { profile: "staging", configFile: "/etc/dbx.cfg" },
      { "/etc/dbx.cfg": "[DEFAULT]\nhost = https://h\n" },
    );
    expect(report(wrongProfile).message).toBe(
      'Configuration error: Profile "staging" not found in /etc/dbx.cfg. Check --profile / DATABRICKS_CONFIG_PROFILE.',
    );
    expect(
      report(await configError({ host: "https://h", token: "t", clientId: "c", clientSecret: "s" })).message,
    ).toContain("Keep one, or choose with DATABRICKS_AUTH_TYPE.");
  });

  it("an unknown endpoint points at `langchain-databricks endpoints list`; the request id appears once", () => {
    const body = JSON.stringify({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: "Endpoint with name 'nope' does not exist.",
      details: [{ "@type": "type.googleapis.com/google.rpc.RequestInfo", request_id: "req-9" }],
    });
    const ctx = { method: "GET", path: "/api/2.0/serving-endpoints/nope", endpoint: "nope" };
    const r = report(apiErrorFromResponse(404, {}, body, ctx));
    expect(r).toEqual({
      message:
        "API error (404 RESOURCE_DOES_NOT_EXIST): Endpoint with name 'nope' does not exist. " +
        '(GET /api/2.0/serving-endpoints/nope, request id req-9). Check the endpoint name "nope" ' +
        "(list them with `langchain-databricks endpoints list`).",
      exitCode: 3,
    });
    // The chat route names the endpoint in the body, so the library has no hint: the CLI adds one.
    const chat = report(
      apiErrorFromResponse(404, {}, body, {
        method: "POST",
        path: "/serving-endpoints/chat/completions",
        endpoint: undefined,
      }),
    );
    expect(chat.message).toBe(
      "API error (404 RESOURCE_DOES_NOT_EXIST): Endpoint with name 'nope' does not exist. " +
        "(POST /serving-endpoints/chat/completions, request id req-9). List the endpoints with " +
        "`langchain-databricks endpoints list`.",
    );
    const scope = report(
      apiErrorFromResponse(
        404,
        {},
        JSON.stringify({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Scope s does not exist!" }),
        { method: "GET", path: "/api/2.0/secrets/list", endpoint: undefined },
      ),
    );
    expect(scope.message).toContain("List the scopes with `langchain-databricks secrets list-scopes`.");
  });

  it("a wrong token (Databricks' numeric error_code) says 403 once", () => {
    const error = apiErrorFromResponse(
      403,
      { "x-request-id": "req-7" },
      JSON.stringify({ error_code: "403", message: "Invalid access token." }),
      { method: "GET", path: "/api/2.0/serving-endpoints", endpoint: undefined },
    );
    const r = report(error);
    expect(r.exitCode).toBe(2);
    expect(r.message).toMatch(
      /^Authentication failed \(403\): Invalid access token\. \(GET \/api\/2\.0\/serving-endpoints[^)]*\)\. Check the credentials: --token/,
    );
    expect(r.message).not.toMatch(/403 403|\.\./);
  });

  it("a rejected TLS certificate points at NODE_EXTRA_CA_CERTS", () => {
    const tls = classifyTransportFailure(
      Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      "GET https://127.0.0.1:1/api/2.0/serving-endpoints",
      1000,
      undefined,
    );
    expect(report(tls).message).toContain("point NODE_EXTRA_CA_CERTS at a PEM file for a private CA");
  });

  it("a port in use is a network failure (exit 4), not a usage error printed as 'Error: Error:'", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    try {
      const other = createServer();
      const error = await new Promise<unknown>((resolve) => {
        other.once("error", resolve);
        other.listen(port, "127.0.0.1");
      });
      const r = report(error);
      expect(r.exitCode).toBe(4);
      expect(r.message).toMatch(/^Cannot listen: listen EADDRINUSE/);
    } finally {
      server.close();
    }
  });

  it("none of the messages above names a library option or method", () => {
    expect(reports.length).toBeGreaterThan(10);
    for (const message of reports) expect(message).not.toMatch(LIBRARY_TERMS);
    // And inCliTerms leaves text without library terms alone.
    expect(inCliTerms("Endpoint x is READY.")).toBe("Endpoint x is READY.");
  });
});

describe("embed input parsing", () => {
  it("plain lines skip blanks; auto-detects JSONL strings and objects, keeping ids", () => {
    expect(parseEmbedInput("a\n\nb\r\nc\n", "auto", "text").map((r) => r.text)).toEqual(["a", "b", "c"]);
    expect(parseEmbedInput('"x"\n{"text":"y","id":7}\n', "auto", "text")).toEqual([
      { text: "x" },
      { text: "y", id: 7 },
    ]);
    expect(parseEmbedInput('{"body":"z"}', "jsonl", "body")).toEqual([{ text: "z" }]);
    // A line that merely starts with "{" but is not JSON is plain text in auto mode.
    expect(parseEmbedInput("{not json\nplain", "auto", "text").map((r) => r.text)).toEqual([
      "{not json",
      "plain",
    ]);
  });

  it("bad JSONL rows are usage errors naming the line", () => {
    expect(() => parseEmbedInput('{"text":"a"}\n{"other":1}', "auto", "text")).toThrow(
      /line 2 has no string field "text"/,
    );
    expect(() => parseEmbedInput("oops", "jsonl", "text")).toThrow(CliUsageError);
    expect(() => parseEmbedInput("[1]", "jsonl", "text")).toThrow(/line 1 must be a JSON string or object/);
  });

  it("batches splits in order", () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe("embedInOrder", () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ text: `t${i}` }));

  it("emits rows in input order even when batches finish out of order, with bounded concurrency", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const gates: (() => void)[] = [];
    const embed = async (texts: string[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Later batches resolve first: each batch waits for a gate released in reverse order below.
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      return texts.map((t) => [Number(t.slice(1))]);
    };
    const emitted: number[] = [];
    const progress: number[] = [];
    const run = embedInOrder(
      rows,
      { batchSize: 3, concurrency: 2 },
      embed,
      (_r, i, v) => {
        expect(v).toEqual([i]);
        emitted.push(i);
      },
      (d) => progress.push(d),
    );
    for (let round = 0; round < 20 && (gates.length > 0 || emitted.length < rows.length); round++) {
      await new Promise((r) => setImmediate(r));
      gates
        .reverse()
        .splice(0)
        .forEach((release) => {
          release();
        });
    }
    await run;
    expect(emitted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxInFlight).toBe(2);
    expect(progress.at(-1)).toBe(10);
  });

  it("stops at the first failure and rejects with it", async () => {
    let calls = 0;
    const embed = async (texts: string[]) => {
      calls++;
      if (calls === 2) throw new Error("boom");
      return texts.map(() => [0]);
    };
    await expect(
      embedInOrder(
        rows,
        { batchSize: 2, concurrency: 1 },
        embed,
        () => {},
        () => {},
      ),
    ).rejects.toThrow("boom");
    expect(calls).toBe(2);
  });

  it("an abort resolves at once: no batch started and no row emitted after it, a late failure ignored", async () => {
    const ac = new AbortController();
    let calls = 0;
    let release: (() => void) | undefined;
    const emitted: number[] = [];
    const run = embedInOrder(
      rows,
      { batchSize: 2, concurrency: 1 },
      async (texts) => {
        calls++;
        if (calls === 2) {
          ac.abort(); // Ctrl-C while the second batch is in flight
          await new Promise<void>((r) => {
            release = r;
          });
          throw new Error("late failure of an abandoned batch");
        }
        return texts.map(() => [0]);
      },
      (_r, i) => emitted.push(i),
      () => {},
      ac.signal,
    );
    await run; // resolves although the second batch has not finished
    release?.();
    await new Promise((r) => setImmediate(r));
    expect(emitted).toEqual([0, 1]);
    expect(calls).toBe(2);
  });

  it("rejects a response with the wrong number of vectors", async () => {
    await expect(
      embedInOrder(
        rows,
        { batchSize: 5, concurrency: 1 },
        async () => [[1]],
        () => {},
        () => {},
      ),
    ).rejects.toThrow(/returned 1 vectors for 5 texts/);
  });
});

describe("small parsers", () => {
  it("parseParams parses JSON values and keeps plain strings", () => {
    expect(parseParams(["temperature=0.1", "style=terse", "list=[1,2]", "eq=a=b"])).toEqual({
      temperature: 0.1,
      style: "terse",
      list: [1, 2],
      eq: "a=b",
    });
    expect(() => parseParams(["novalue"])).toThrow(/key=value/);
  });

  it("textOf flattens content blocks", () => {
    expect(textOf("hi")).toBe("hi");
    expect(textOf([{ type: "text", text: "a" }, { type: "reasoning", summary: [] }, "b"])).toBe("ab");
    expect(textOf(undefined)).toBe("");
  });
});

describe("runCli usage handling (no network)", () => {
  it("--help lists every command group and exits 0", async () => {
    const io = fakeIO();
    expect(await runCli(["--help"], io)).toBe(0);
    for (const cmd of ["chat", "complete", "embed", "endpoints", "secrets", "serve-driver-proxy"]) {
      expect(io.out()).toContain(cmd);
    }
    expect(io.out()).toContain("Exit codes");
  });

  it("--help works on every subcommand", async () => {
    const paths = [
      ["chat"],
      ["complete"],
      ["embed"],
      ["endpoints"],
      ["endpoints", "list"],
      ["endpoints", "get"],
      ["endpoints", "create"],
      ["endpoints", "update-config"],
      ["endpoints", "delete"],
      ["endpoints", "wait"],
      ["secrets"],
      ["secrets", "create-scope"],
      ["secrets", "put-secret"],
      ["secrets", "list-scopes"],
      ["secrets", "list-secrets"],
      ["secrets", "delete-secret"],
      ["secrets", "delete-scope"],
      ["serve-driver-proxy"],
    ];
    for (const path of paths) {
      const io = fakeIO();
      expect(await runCli([...path, "--help"], io), path.join(" ")).toBe(0);
      expect(io.out()).toMatch(/Usage: langchain-databricks/);
    }
  });

  it("unknown commands and options, and missing required options, exit 1", async () => {
    const unknown = fakeIO();
    expect(await runCli(["frobnicate"], unknown)).toBe(1);
    expect(unknown.err()).toMatch(/unknown command/);
    const badFlag = fakeIO();
    expect(await runCli(["chat", "hi", "-m", "x", "--nope"], badFlag)).toBe(1);
    expect(badFlag.err()).toMatch(/unknown option '--nope'/);
    const missing = fakeIO();
    expect(await runCli(["chat", "hi"], missing)).toBe(1);
    expect(missing.err()).toMatch(/required option '-m, --model <endpoint>'/);
  });

  it("invalid option values are usage errors that say what is expected", async () => {
    const io = fakeIO();
    expect(await runCli(["--timeout", "soon", "endpoints", "list"], io)).toBe(1);
    expect(io.err()).toContain('--timeout must be a positive number of seconds, got "soon"');
    const io2 = fakeIO();
    expect(await runCli(["embed", "x.txt", "-m", "e", "--batch-size", "0"], io2)).toBe(1);
    expect(io2.err()).toContain("--batch-size must be a positive integer");
  });

  it("complete needs exactly one target; embed reports unreadable files; no secret is echoed", async () => {
    const both = fakeIO();
    expect(await runCli(["complete", "hi", "-m", "dolly", "--port", "7777"], both)).toBe(1);
    expect(both.err()).toContain("either -m/--model or --cluster-id/--port");
    const missingFile = fakeIO();
    expect(
      await runCli(["--token", "dapiSECRET123", "embed", "/nonexistent/file.txt", "-m", "e"], missingFile),
    ).toBe(1);
    expect(missingFile.err()).toContain('cannot read "/nonexistent/file.txt" (ENOENT)');
    expect(missingFile.err() + missingFile.out()).not.toContain("dapiSECRET123");
  });
});
