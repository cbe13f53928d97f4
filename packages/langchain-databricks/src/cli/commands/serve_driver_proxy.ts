import { type Command, Option } from "commander";
import { contextFor, note, parsePositiveInt } from "../context.js";
import { CliUsageError } from "../exit_codes.js";
import type { CliIO } from "../io.js";

interface ServeOptions {
  port: number;
  bind: string;
  export?: string;
}

export function registerServeDriverProxy(program: Command, io: CliIO): void {
  program
    .command("serve-driver-proxy")
    .description(
      "Serve a JavaScript function as a cluster driver proxy app: POST / with {prompt, stop?, ...} returns a JSON " +
        "string. Runs until Ctrl-C / SIGTERM.",
    )
    .argument("<module>", "path to an ES module exporting (prompt, stop, kwargs) => string | Promise<string>")
    .addOption(
      new Option("--port <n>", "port (the driver proxy accepts 3000-8000)")
        .argParser(parsePositiveInt("--port"))
        .makeOptionMandatory(),
    )
    .option("--bind <address>", "interface to listen on (127.0.0.1 keeps it local)", "0.0.0.0")
    .option(
      "--export <name>",
      "named export to serve (default: the default export, or the only function exported)",
    )
    .addHelpText(
      "after",
      "\nExample module (dolly.mjs):\n  export default (prompt, stop) => prompt.toUpperCase();\n\n" +
        "  langchain-databricks serve-driver-proxy ./dolly.mjs --port 7777",
    )
    .action(async (modulePath: string, opts: ServeOptions, command: Command) => {
      contextFor(command, io);
      const fn = await loadFunction(io, modulePath, opts.export);
      const { serveDriverProxyApp } = await import("../../index.js");
      const server = await serveDriverProxyApp(fn as never, { port: opts.port, host: opts.bind });
      note(io, `Serving ${modulePath} on http://${opts.bind}:${opts.port}/ (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const off = io.onInterrupt(() => {
          off();
          resolve();
        });
      });
      await server.close();
      note(io, "Stopped.");
    });
}

type ServedFunction = (...args: unknown[]) => unknown;

async function loadFunction(
  io: CliIO,
  modulePath: string,
  exportName: string | undefined,
): Promise<ServedFunction> {
  const { resolve } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(io.cwd, modulePath)).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliUsageError(
      `serve-driver-proxy: cannot load "${modulePath}": ${code === "ERR_MODULE_NOT_FOUND" ? "file not found" : (error as Error).message}`,
    );
  }
  if (exportName) {
    const fn = mod[exportName];
    if (typeof fn !== "function")
      throw new CliUsageError(`serve-driver-proxy: "${exportName}" is not an exported function.`);
    return fn as ServedFunction;
  }
  if (typeof mod.default === "function") return mod.default as ServedFunction;
  const functions = Object.entries(mod).filter(([, v]) => typeof v === "function");
  if (functions.length === 1) return (functions[0] as [string, ServedFunction])[1];
  throw new CliUsageError(
    `serve-driver-proxy: "${modulePath}" must export a default function (or pick one with --export NAME).`,
  );
}
