#!/usr/bin/env node
import { resolve } from "node:path";
import { exitCodeFor, loadModels, parseCli, USAGE } from "./cli-args.js";
import { warmTokenizer } from "./engines/index.js";
import { EMULATOR_VERSION, startEmulator } from "./index.js";

const main = async (argv: string[]): Promise<number> => {
  const command = parseCli(argv);
  if (command.kind === "version") {
    console.log(EMULATOR_VERSION);
    return 0;
  }
  if (command.kind !== "start") {
    console.log(USAGE);
    return command.kind === "help" ? 0 : 2;
  }
  const { options } = command;
  if (command.modelsFile) options.models = await loadModels(command.modelsFile);
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
    `  external models: ${options.allowExternalNetwork ? "may call real providers (--allow-external-network)" : "stay on this machine"}; default openai_api_base ${options.defaultOpenAiApiBase ?? (options.allowExternalNetwork ? "https://api.openai.com/v1" : emu.openaiApiBase)}`,
    // Ready to paste: each client family reads its own variable for extra trusted CAs.
    ...(emu.tls
      ? [
          `  NODE_EXTRA_CA_CERTS=${emu.tls.caPath}`,
          `  REQUESTS_CA_BUNDLE=${emu.tls.caPath}`,
          `  SSL_CERT_FILE=${emu.tls.caPath}`,
        ]
      : []),
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
    const code = exitCodeFor(err);
    if (code === 2) console.error("Run `databricks-emulator --help` for usage.");
    process.exit(code);
  },
);
