#!/usr/bin/env node
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { warmTokenizer } from "./engines/index.js";
import { EMULATOR_VERSION, startEmulator } from "./index.js";
import type { CustomModels, EmulatorOptions } from "./options.js";

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
  --faults            enable the admin/fault API under /__emulator
  --token-ttl N       OAuth token lifetime in seconds (default 3600)
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
      faults: { type: "boolean" },
      "token-ttl": { type: "string" },
      "no-foundation-models": { type: "boolean" },
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
  };
  if (values["no-foundation-models"]) options.foundationModels = false;
  if (values.models) options.models = await loadModels(values.models);
  // Load the tokenizer up front so the first chat request is not the slow one.
  warmTokenizer();
  const emu = await startEmulator(options);
  console.log(`databricks-emulator ${EMULATOR_VERSION} listening on ${emu.url}`);
  console.log(`  DATABRICKS_HOST=${emu.url}`);
  console.log(`  DATABRICKS_TOKEN=${emu.token}`);
  console.log(`  default cluster id: ${emu.defaultClusterId}`);
  console.log(`  workspace id: ${emu.workspaceId}`);
  console.log(`  OpenAI-compatible local base: ${emu.openaiApiBase}`);
  if (options.dataDir) console.log(`  data dir: ${resolve(options.dataDir)}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void emu.close().then(done, done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
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
