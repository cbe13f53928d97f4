import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { exitCodeFor, loadModels, parseCli, UsageError } from "./cli-args.js";

const start = (...args: string[]) => {
  const command = parseCli(["start", ...args]);
  if (command.kind !== "start") throw new Error(`expected a start command, got ${command.kind}`);
  return command;
};

describe("parseCli: commands", () => {
  it("maps -v/--version, -h/--help, a missing or extra positional", () => {
    expect(parseCli(["-v"])).toEqual({ kind: "version" });
    expect(parseCli(["start", "--version"])).toEqual({ kind: "version" });
    expect(parseCli(["--help"])).toEqual({ kind: "help" });
    // --help wins over a bad positional (exit 0, not 2).
    expect(parseCli(["stop", "-h"])).toEqual({ kind: "help" });
    expect(parseCli([])).toEqual({ kind: "usage" });
    expect(parseCli(["stop"])).toEqual({ kind: "usage" });
    expect(parseCli(["start", "extra"])).toEqual({ kind: "usage" });
  });

  it("start with no options: port 8080 and nothing else switched on", () => {
    const { options, modelsFile } = start();
    expect(options.port).toBe(8080);
    expect(modelsFile).toBeUndefined();
    expect(options.foundationModels).toBeUndefined();
    expect(options.allowExternalNetwork).toBeUndefined();
    expect(options.tls).toBeUndefined();
    expect(options.tables).toBeUndefined();
    expect(options.defaultOpenAiApiBase).toBeUndefined();
  });
});

describe("parseCli: option mapping", () => {
  it("maps scalar and boolean options", () => {
    const { options, modelsFile } = start(
      "--port",
      "0",
      "--host",
      "0.0.0.0",
      "--data-dir",
      "/tmp/emu",
      "--token",
      "dapi-x",
      "--transition-ms",
      "15",
      "--token-ttl",
      "60",
      "--faults",
      "--tls",
      "--no-foundation-models",
      "--allow-external-network",
      "--models",
      "./m.mjs",
    );
    expect(options).toMatchObject({
      port: 0,
      host: "0.0.0.0",
      dataDir: "/tmp/emu",
      token: "dapi-x",
      transitionMs: 15,
      tokenTtlSeconds: 60,
      faults: true,
      tls: true,
      foundationModels: false,
      allowExternalNetwork: true,
    });
    expect(modelsFile).toBe("./m.mjs");
  });

  it("maps repeatable --cluster, --user, --service-principal, --cluster-access (split at the first colon)", () => {
    const { options } = start(
      "--cluster",
      "c-1",
      "--cluster",
      "c-2",
      "--user",
      "alice@example.com",
      "--user",
      "bob@example.com:dapi:with:colons",
      "--service-principal",
      "sp-1:s3cr:et",
      "--cluster-access",
      "alice@example.com",
      "--cluster-access",
      "sp-1:c-2",
    );
    expect(options.clusters).toEqual(["c-1", "c-2"]);
    expect(options.users).toEqual([
      { userName: "alice@example.com" },
      { userName: "bob@example.com", token: "dapi:with:colons" },
    ]);
    expect(options.servicePrincipals).toEqual([{ clientId: "sp-1", clientSecret: "s3cr:et" }]);
    expect(options.clusterAccess).toEqual([
      { principal: "alice@example.com" },
      { principal: "sp-1", clusterId: "c-2" },
    ]);
  });

  it("maps --driver-proxy-ports MIN-MAX, including a single-port range", () => {
    expect(start("--driver-proxy-ports", "4000-4010").options.driverProxyPorts).toEqual([4000, 4010]);
    expect(start("--driver-proxy-ports", "1-1").options.driverProxyPorts).toEqual([1, 1]);
    expect(start("--driver-proxy-ports", "1-65535").options.driverProxyPorts).toEqual([1, 65535]);
  });

  it("maps --external-base-url for http and https", () => {
    expect(start("--external-base-url", "https://gw.example.com/v1").options.defaultOpenAiApiBase).toBe(
      "https://gw.example.com/v1",
    );
    expect(start("--external-base-url", "http://127.0.0.1:9000").options.defaultOpenAiApiBase).toBe(
      "http://127.0.0.1:9000",
    );
  });

  it("maps --table names to absolute file paths (the file part may contain '=')", () => {
    const { options } = start("--table", "main.default.t1=data/a.csv", "--table", "c.s.t2=/abs/x=y.parquet");
    expect(options.tables).toEqual({
      "main.default.t1": resolve("data/a.csv"),
      "c.s.t2": "/abs/x=y.parquet",
    });
  });
});

describe("parseCli: usage errors", () => {
  it.each([
    [["--port", "80a"], "--port must be a non-negative integer, got '80a'"],
    [["--port=-1"], "--port must be a non-negative integer, got '-1'"],
    [["--transition-ms", "1.5"], "--transition-ms must be a non-negative integer, got '1.5'"],
    [["--token-ttl", ""], "--token-ttl must be a non-negative integer, got ''"],
    [["--user", ":tok"], "--user takes NAME or NAME:TOKEN (e.g. viewer@example.com:dapi123), got ':tok'"],
    [["--user", "bob:"], "--user takes NAME or NAME:TOKEN (e.g. viewer@example.com:dapi123), got 'bob:'"],
    [["--service-principal", "sp-1"], "--service-principal takes CLIENT_ID:CLIENT_SECRET, got 'sp-1'"],
    [["--service-principal", "sp-1:"], "--service-principal takes CLIENT_ID:CLIENT_SECRET, got 'sp-1:'"],
    [["--service-principal", ":s"], "--service-principal takes CLIENT_ID:CLIENT_SECRET, got ':s'"],
    [["--cluster-access", ":c-1"], "--cluster-access takes PRINCIPAL or PRINCIPAL:CLUSTER_ID, got ':c-1'"],
    [
      ["--cluster-access", "alice:"],
      "--cluster-access takes PRINCIPAL or PRINCIPAL:CLUSTER_ID, got 'alice:'",
    ],
    [
      ["--driver-proxy-ports", "3000"],
      "--driver-proxy-ports takes MIN-MAX within 1-65535 (e.g. 3000-8000), got '3000'",
    ],
    [
      ["--driver-proxy-ports", "0-10"],
      "--driver-proxy-ports takes MIN-MAX within 1-65535 (e.g. 3000-8000), got '0-10'",
    ],
    [
      ["--driver-proxy-ports", "10-65536"],
      "--driver-proxy-ports takes MIN-MAX within 1-65535 (e.g. 3000-8000), got '10-65536'",
    ],
    [
      ["--driver-proxy-ports", "5000-4000"],
      "--driver-proxy-ports takes MIN-MAX within 1-65535 (e.g. 3000-8000), got '5000-4000'",
    ],
    [["--external-base-url", "ftp://x"], "--external-base-url must be an http(s) URL, got 'ftp://x'"],
    [["--external-base-url", "https://"], "--external-base-url must be an http(s) URL, got 'https://'"],
    [
      ["--table", "main.default.t"],
      "--table takes catalog.schema.name=FILE (CSV, Parquet or JSON), got 'main.default.t'",
    ],
    [
      ["--table", "default.t=a.csv"],
      "--table takes catalog.schema.name=FILE (CSV, Parquet or JSON), got 'default.t=a.csv'",
    ],
    [["--table", "a.b.c="], "--table takes catalog.schema.name=FILE (CSV, Parquet or JSON), got 'a.b.c='"],
  ])("start %j -> UsageError", (args, message) => {
    let caught: unknown;
    try {
      start(...args);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toBe(message);
    expect(exitCodeFor(caught)).toBe(2);
  });

  it("an unknown option is node's ERR_PARSE_ARGS_UNKNOWN_OPTION, also exit 2", () => {
    let caught: unknown;
    try {
      parseCli(["start", "--prot", "1"]);
    } catch (err) {
      caught = err;
    }
    expect((caught as { code?: string }).code).toBe("ERR_PARSE_ARGS_UNKNOWN_OPTION");
    expect((caught as Error).message).toContain("--prot");
    expect(exitCodeFor(caught)).toBe(2);
  });

  it("any other error (a failed start) is exit 1", () => {
    expect(exitCodeFor(new Error("listen EADDRINUSE"))).toBe(1);
    expect(exitCodeFor("thrown string")).toBe(1);
    expect(exitCodeFor(null)).toBe(1);
  });
});

describe("loadModels", () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-cli-models-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads a `models` export, else the default export", async () => {
    const named = await loadModels(file("named.mjs", "export const models = { a: { kind: 'named' } };"));
    expect(named).toEqual({ a: { kind: "named" } });
    const dflt = await loadModels(file("default.mjs", "export default { b: { kind: 'default' } };"));
    expect(dflt).toEqual({ b: { kind: "default" } });
  });

  it("a module without a models record is a UsageError naming the file", async () => {
    const path = file("none.mjs", "export const other = 1;");
    await expect(loadModels(path)).rejects.toThrow(
      new UsageError(`--models ${path} must export a models record as \`models\` or as its default export`),
    );
    await expect(loadModels(path)).rejects.toBeInstanceOf(UsageError);
  });
});
