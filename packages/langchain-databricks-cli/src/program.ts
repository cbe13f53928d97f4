import { Command, CommanderError, Option } from "commander";
import { registerBatchInference } from "./commands/batch-inference.js";
import { registerChat } from "./commands/chat.js";
import { registerComplete } from "./commands/complete.js";
import { registerEmbed } from "./commands/embed.js";
import { registerEndpoints } from "./commands/endpoints.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerServeDriverProxy } from "./commands/serve-driver-proxy.js";
import { registerVectorSearch } from "./commands/vector-search.js";
import { parseRetries, parseSeconds } from "./context.js";
import { describeError, redact } from "./describe-error.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIO } from "./io.js";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version.js";

const ENV_HELP = `
Authentication (same resolution as the library; flags win over env, env over ~/.databrickscfg):
  DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET,
  DATABRICKS_CONFIG_PROFILE, DATABRICKS_CONFIG_FILE. Prefer env vars or a profile over --token and
  --client-secret: command-line flags are visible to other users in the process list.

Exit codes: 0 ok, 1 usage, 2 configuration/authentication, 3 API error, 4 network/timeout/port in use,
130 interrupted.`;

/**
 * Builds a fresh command tree writing to `io`. Command modules only declare options here; each action
 * imports the library lazily, so `--help` never loads the HTTP stack or LangChain.
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command()
    .name("langchain-databricks")
    .description("Chat, completions, embeddings, serving endpoints and secrets on Databricks Model Serving.")
    .version(`${PACKAGE_NAME} ${PACKAGE_VERSION}`, "-V, --version")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .option("--host <url>", "workspace URL (env DATABRICKS_HOST)")
    .addOption(new Option("--token <pat>", "personal access token (prefer env DATABRICKS_TOKEN)"))
    .option("--profile <name>", "~/.databrickscfg profile (env DATABRICKS_CONFIG_PROFILE)")
    .option("--config-file <path>", "config file instead of ~/.databrickscfg (env DATABRICKS_CONFIG_FILE)")
    .option("--client-id <id>", "OAuth M2M client id (env DATABRICKS_CLIENT_ID)")
    .addOption(
      new Option("--client-secret <secret>", "OAuth M2M client secret (prefer env DATABRICKS_CLIENT_SECRET)"),
    )
    .addOption(new Option("--timeout <seconds>", "per-request timeout in seconds").argParser(parseSeconds))
    .addOption(
      new Option("--max-retries <n>", "retries of network errors, 429 and 5xx (default 3)").argParser(
        parseRetries,
      ),
    )
    .option(
      "--allow-insecure-http",
      "allow a plain http:// host that is not loopback (the token then travels unencrypted)",
    )
    .addHelpText("after", ENV_HELP);

  registerChat(program, io);
  registerComplete(program, io);
  registerEmbed(program, io);
  registerEndpoints(program, io);
  registerSecrets(program, io);
  registerServeDriverProxy(program, io);
  registerBatchInference(program, io);
  registerVectorSearch(program, io);
  return program;
}

/** Values to scrub from error output, taken from argv and env before parsing (parsing may be what failed). */
function secretsOf(argv: readonly string[], io: CliIO): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    for (const flag of ["--token", "--client-secret", "--string-value"]) {
      if (arg === flag && argv[i + 1]) out.push(argv[i + 1] as string);
      if (arg.startsWith(`${flag}=`)) out.push(arg.slice(flag.length + 1));
    }
  });
  for (const name of ["DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET"]) {
    const v = io.env[name];
    if (v) out.push(v);
  }
  return out;
}

/**
 * Runs the CLI with `argv` (user arguments only, without `node` and the script) and returns the exit code.
 * Never throws and never calls `process.exit`.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help or its own message ("error: unknown option ...").
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const report = describeError(error);
    // An interrupt is what the user asked for: say what was done, without calling it an error.
    const prefix = report.exitCode === ExitCode.interrupted ? "" : "Error: ";
    io.stderr.write(`${prefix}${redact(report.message, secretsOf(argv, io))}\n`);
    return report.exitCode;
  }
}
