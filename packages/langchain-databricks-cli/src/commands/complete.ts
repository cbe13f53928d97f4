import { type Command, Option } from "commander";
import { contextFor, parsePort, writeJson, writeLine } from "../context.js";
import { CliUsageError } from "../exit-codes.js";
import { type CliIO, readAll } from "../io.js";
import { collect, parseParams } from "../text.js";

interface CompleteOptions {
  model?: string;
  clusterId?: string;
  port?: number;
  stop?: string[];
  param?: string[];
  json?: boolean;
}

export function registerComplete(program: Command, io: CliIO): void {
  program
    .command("complete")
    .description(
      "Complete a prompt with the Databricks LLM: a serving endpoint (custom model, completions or chat task) " +
        "or a cluster driver proxy app.",
    )
    .argument("[prompt]", "the prompt; read from piped stdin when omitted")
    .option("-m, --model <endpoint>", "serving endpoint name (e.g. a custom model endpoint like dolly)")
    .option("--cluster-id <id>", "cluster running a driver proxy app (default DB_CLUSTER_ID)")
    .addOption(
      new Option("--port <n>", "driver proxy app port on the cluster").argParser(parsePort("--port")),
    )
    .option("--stop <sequence>", "stop sequence (repeatable)", collect)
    .option("--param <key=value>", "extra request field, JSON value or string (repeatable)", collect)
    .option("--json", 'print {"text": ...} as JSON')
    .addHelpText(
      "after",
      '\nExamples:\n  langchain-databricks complete "How are you?" -m dolly --stop .\n  langchain-databricks complete "你好吗？" --cluster-id 0000-000000-xxxxxxxx --port 7777 --param temperature=0.1',
    )
    .action(async (prompt: string | undefined, opts: CompleteOptions, command: Command) => {
      const ctx = contextFor(command, io);
      if (opts.model && (opts.clusterId || opts.port !== undefined)) {
        throw new CliUsageError("complete: use either -m/--model or --cluster-id/--port, not both.");
      }
      if (!opts.model && opts.port === undefined) {
        throw new CliUsageError(
          "complete: pass -m/--model ENDPOINT, or --port N (and --cluster-id) for a driver proxy app.",
        );
      }
      const text = prompt ?? (io.stdin.isTTY ? "" : (await readAll(io.stdin)).trim());
      if (!text) throw new CliUsageError("complete: no prompt given. Pass it as an argument or on stdin.");
      const extraParams = parseParams(opts.param);
      const { Databricks } = await import("langchain-databricks");
      const llm = new Databricks({
        ...ctx.auth,
        ...(opts.model ? { endpointName: opts.model } : {}),
        ...(opts.clusterId ? { clusterId: opts.clusterId } : {}),
        ...(opts.port !== undefined ? { clusterDriverPort: String(opts.port) } : {}),
        ...(Object.keys(extraParams).length > 0 ? { extraParams } : {}),
      });
      const answer = await llm.invoke(text, opts.stop?.length ? { stop: opts.stop } : {});
      if (opts.json) writeJson(io, { text: answer });
      else writeLine(io, answer);
    });
}
