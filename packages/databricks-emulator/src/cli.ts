#!/usr/bin/env node
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { warmTokenizer } from "./engines/index.js";
import { EMULATOR_VERSION, startEmulator } from "./index.js";
import type { CustomModels, EmulatorOptions, ServicePrincipalSpec, UserSpec } from "./options.js";

const USAGE = `Usage: databricks-emulator start [options]

Options:
  --port N            TCP port (default 8080; 0 = random)
  --host ADDR         bind address (default 127.0.0.1)
  --data-dir DIR      persist endpoints, secrets, ACLs and principals in DIR (default: in memory)
  --token TOKEN       PAT of the default admin user (default: generated, and reused from --data-dir)
  --models FILE       JS module exporting a models record ({ "<entity_name>": { predict(records, params) } })
                      as \`models\` or as its default export
  --transition-ms N   endpoint config update delay in ms (default 200)
  --cluster ID        register a cluster for the driver proxy (repeatable)
  --user NAME[:TOKEN] add a workspace user with a PAT (repeatable; the PAT is generated when omitted, and
                      reused from --data-dir); the users and their PATs are printed at start
  --service-principal ID:SECRET
                      add a service principal for OAuth M2M (client_credentials at /oidc/v1/token;
                      repeatable)
  --faults            enable the admin/fault API under /__emulator
  --token-ttl N       OAuth token lifetime in seconds (default 3600)
  --table catalog.schema.name=FILE
                      load a Unity Catalog table from a CSV, Parquet or JSON file at start (repeatable)
  --no-foundation-models
                      start without the pre-provisioned databricks-* foundation endpoints
  -h, --help          show this help
  -v, --version       show the version`;

class UsageError extends Error {}

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
};

/** Splits `A:B` at the first colon (secrets and tokens may contain colons, names and client ids do not). */
const splitPair = (v: string): [string, string | undefined] => {
  const i = v.indexOf(":");
  return i < 0 ? [v, undefined] : [v.slice(0, i), v.slice(i + 1)];
};

const parseUsers = (values: string[] | undefined): UserSpec[] | undefined =>
  values?.map((v) => {
    const [userName, token] = splitPair(v);
    if (userName === "" || token === "") {
      throw new UsageError(`--user takes NAME or NAME:TOKEN (e.g. viewer@example.com:dapi123), got '${v}'`);
    }
    return token === undefined ? { userName } : { userName, token };
  });

const parseServicePrincipals = (values: string[] | undefined): ServicePrincipalSpec[] | undefined =>
  values?.map((v) => {
    const [clientId, clientSecret] = splitPair(v);
    if (clientId === "" || !clientSecret) {
      throw new UsageError(`--service-principal takes CLIENT_ID:CLIENT_SECRET, got '${v}'`);
    }
    return { clientId, clientSecret };
  });

const parseTables = (values: string[]): Record<string, string> =>
  Object.fromEntries(
    values.map((v) => {
      const i = v.indexOf("=");
      const name = v.slice(0, i);
      if (i < 0 || name.split(".").length !== 3 || v.slice(i + 1) === "") {
        throw new UsageError(`--table takes catalog.schema.name=FILE (CSV, Parquet or JSON), got '${v}'`);
      }
      return [name, resolve(v.slice(i + 1))];
    }),
  );

const loadModels = async (file: string): Promise<CustomModels> => {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { models?: unknown; default?: unknown };
  const models = mod.models ?? mod.default;
  if (typeof models !== "object" || models === null) {
    throw new UsageError(
      `--models ${file} must export a models record as \`models\` or as its default export`,
    );
  }
  return models as CustomModels;
};

const main = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      token: { type: "string" },
      models: { type: "string" },
      "transition-ms": { type: "string" },
      cluster: { type: "string", multiple: true },
      user: { type: "string", multiple: true },
      "service-principal": { type: "string", multiple: true },
      faults: { type: "boolean" },
      "token-ttl": { type: "string" },
      "no-foundation-models": { type: "boolean" },
      table: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.version) {
    console.log(EMULATOR_VERSION);
    return 0;
  }
  if (values.help || positionals[0] !== "start" || positionals.length > 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const options: EmulatorOptions = {
    port: int(values.port, "port") ?? 8080,
    host: values.host,
    dataDir: values["data-dir"],
    token: values.token,
    transitionMs: int(values["transition-ms"], "transition-ms"),
    clusters: values.cluster,
    faults: values.faults,
    tokenTtlSeconds: int(values["token-ttl"], "token-ttl"),
    users: parseUsers(values.user),
    servicePrincipals: parseServicePrincipals(values["service-principal"]),
  };
  if (values["no-foundation-models"]) options.foundationModels = false;
  if (values.table) options.tables = parseTables(values.table);
  if (values.models) options.models = await loadModels(values.models);
  // Load the tokenizer up front so the first chat request is not the slow one.
  warmTokenizer();
  const emu = await startEmulator(options);
  // Signal handlers go in before the banner: a supervisor (or a test) may send SIGTERM the moment it reads it,
  // and a signal that lands before them kills the process instead of closing it. A second signal while
  // closing forces the exit (a hung close must not need kill -9).
  let stopping = false;
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      if (stopping) process.exit(1);
      stopping = true;
      void emu.close().then(done, done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  // One write, so a reader of the pipe sees the whole banner at once.
  const banner = [
    `databricks-emulator ${EMULATOR_VERSION} listening on ${emu.url}`,
    `  DATABRICKS_HOST=${emu.url}`,
    `  DATABRICKS_TOKEN=${emu.token}`,
    `  DATABRICKS_WAREHOUSE_ID=${emu.warehouseId}`,
    `  default cluster id: ${emu.defaultClusterId}`,
    `  workspace id: ${emu.workspaceId}`,
    `  OpenAI-compatible local base: ${emu.openaiApiBase}`,
    // Generated PATs are only known here; service principal secrets are the caller's own and are not echoed.
    ...emu.users.map((u) => `  user ${u.userName} token: ${u.token}`),
    ...(options.servicePrincipals ?? []).map((sp) => `  service principal ${sp.clientId} (OAuth M2M)`),
  ];
  if (options.dataDir) banner.push(`  data dir: ${resolve(options.dataDir)}`);
  console.log(banner.join("\n"));
  await stopped;
  console.log("databricks-emulator stopped");
  return 0;
};

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`databricks-emulator: ${message}`);
    if (err instanceof UsageError || (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error("Run `databricks-emulator --help` for usage.");
      process.exit(2);
    }
    process.exit(1);
  },
);
