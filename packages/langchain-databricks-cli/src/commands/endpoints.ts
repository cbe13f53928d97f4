import { type Command, Option } from "commander";
import { type CommandContext, contextFor, parseSeconds, writeJson, writeLine } from "../context.js";
import { CliUsageError } from "../exit-codes.js";
import type { CliIO } from "../io.js";

interface JsonFlag {
  json?: boolean;
}

export function registerEndpoints(program: Command, io: CliIO): void {
  const group = program
    .command("endpoints")
    .description("Manage serving endpoints (/api/2.0/serving-endpoints).");

  group
    .command("list")
    .description("List serving endpoints: name, state, task, type.")
    .option("--json", "print the endpoints as a JSON array")
    .action(async (opts: JsonFlag, command: Command) => {
      const ctx = contextFor(command, io);
      const client = await endpointsClient(ctx);
      const endpoints = await client.list();
      if (opts.json) return writeJson(io, endpoints);
      printTable(
        io,
        endpoints.map((e) => [e.name, stateOf(e), e.task ?? "", e.endpoint_type ?? ""]),
        ["NAME", "STATE", "TASK", "TYPE"],
      );
    });

  group
    .command("get")
    .description("Print one endpoint as JSON.")
    .argument("<name>", "endpoint name")
    .action(async (name: string, _opts: unknown, command: Command) => {
      const client = await endpointsClient(contextFor(command, io));
      writeJson(io, await client.get(name));
    });

  group
    .command("create")
    .description("Create an endpoint from a JSON request body ({name, config, ...}) and print it as JSON.")
    .requiredOption(
      "--json <file>",
      'request body: a file path, "-" for stdin, or inline JSON starting with {',
    )
    .option("--wait", "wait until the endpoint is READY before printing")
    .addOption(waitTimeoutOption())
    .addHelpText(
      "after",
      '\nExample body:\n  {"name": "my-chat", "config": {"served_entities": [{"name": "my-chat", "external_model": {"name": "gpt-4",\n   "provider": "openai", "task": "llm/v1/chat", "openai_config": {"openai_api_key": "{{secrets/my-scope/openai-api-key}}"}}}]}}',
    )
    .action(async (opts: { json: string; wait?: boolean; waitTimeout: number }, command: Command) => {
      const ctx = contextFor(command, io);
      const body = await readJsonArg(ctx, opts.json);
      if (typeof body.name !== "string" || body.name === "") {
        throw new CliUsageError('endpoints create: the JSON body needs a "name" string.');
      }
      const client = await endpointsClient(ctx);
      const created = await client.create(body as never);
      writeJson(
        io,
        opts.wait ? await client.waitForReady(body.name, { timeout: opts.waitTimeout * 1000 }) : created,
      );
    });

  group
    .command("update-config")
    .description("Replace an endpoint's config (PUT .../config) and print the endpoint as JSON.")
    .argument("<name>", "endpoint name")
    .requiredOption(
      "--json <file>",
      'the new config: a file path, "-" for stdin, or inline JSON starting with {',
    )
    .option("--wait", "wait until the update has finished before printing")
    .addOption(waitTimeoutOption())
    .action(
      async (name: string, opts: { json: string; wait?: boolean; waitTimeout: number }, command: Command) => {
        const ctx = contextFor(command, io);
        const config = await readJsonArg(ctx, opts.json);
        const client = await endpointsClient(ctx);
        const updated = await client.updateConfig(name, config as never);
        writeJson(
          io,
          opts.wait ? await client.waitForReady(name, { timeout: opts.waitTimeout * 1000 }) : updated,
        );
      },
    );

  group
    .command("delete")
    .description("Delete an endpoint.")
    .argument("<name>", "endpoint name")
    .option("--json", 'print {"deleted": name}')
    .action(async (name: string, opts: JsonFlag, command: Command) => {
      const client = await endpointsClient(contextFor(command, io));
      await client.delete(name);
      if (opts.json) writeJson(io, { deleted: name });
      else writeLine(io, `Deleted endpoint ${name}.`);
    });

  group
    .command("wait")
    .description("Wait until an endpoint is READY and not updating; fails on UPDATE_FAILED or timeout.")
    .argument("<name>", "endpoint name")
    .addOption(waitTimeoutOption())
    .option("--json", "print the endpoint as JSON when ready")
    .action(async (name: string, opts: JsonFlag & { waitTimeout: number }, command: Command) => {
      const client = await endpointsClient(contextFor(command, io));
      const endpoint = await client.waitForReady(name, { timeout: opts.waitTimeout * 1000 });
      if (opts.json) writeJson(io, endpoint);
      else writeLine(io, `Endpoint ${name} is ${stateOf(endpoint)}.`);
    });
}

function waitTimeoutOption(): Option {
  return new Option("--wait-timeout <seconds>", "how long to wait").argParser(parseSeconds).default(1200);
}

async function endpointsClient(ctx: CommandContext) {
  const { ServingEndpointsClient } = await import("langchain-databricks");
  return new ServingEndpointsClient(ctx.auth);
}

interface EndpointState {
  state?: { ready?: string; config_update?: string };
}

function stateOf(e: EndpointState): string {
  const ready = e.state?.ready ?? "UNKNOWN";
  const update = e.state?.config_update;
  return update && update !== "NOT_UPDATING" ? `${ready} (${update})` : ready;
}

/** Reads a `--json` argument: inline JSON (starts with `{`), `-` for stdin, `@file` or a file path. */
async function readJsonArg(ctx: CommandContext, arg: string): Promise<Record<string, unknown>> {
  let text: string;
  let source: string;
  if (arg.trimStart().startsWith("{")) {
    text = arg;
    source = "--json";
  } else if (arg === "-") {
    const { readAll } = await import("../io.js");
    text = await readAll(ctx.io.stdin);
    source = "stdin";
  } else {
    const path = arg.startsWith("@") ? arg.slice(1) : arg;
    const { readFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    try {
      text = await readFile(resolve(ctx.io.cwd, path), "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CliUsageError(
        `cannot read --json file "${path}"${typeof code === "string" ? ` (${code})` : ""}.`,
      );
    }
    source = path;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliUsageError(`${source} must hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** Prints rows as left-aligned columns. */
function printTable(io: CliIO, rows: string[][], header: string[]): void {
  if (rows.length === 0) {
    writeLine(io, "(no endpoints)");
    return;
  }
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => (r[col] ?? "").length)));
  for (const row of all)
    writeLine(
      io,
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    );
}
