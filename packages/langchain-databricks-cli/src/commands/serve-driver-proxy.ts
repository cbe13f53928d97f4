import { type Command, Option } from "commander";
import { redactSecrets } from "langchain-databricks";
import { contextFor, note, parsePort } from "../context.js";
import { CliError, CliUsageError, ExitCode } from "../exit-codes.js";
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
      new Option("--port <n>", "port, 1-65535 (the driver proxy forwards 3000-8000)")
        .argParser(parsePort("--port"))
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
      if (opts.port < 3000 || opts.port > 8000) {
        // As the library warns for clusterDriverPort: allowed, but the cluster's driver proxy may not forward it.
        note(
          io,
          `Warning: port ${opts.port} is outside the recommended range 3000-8000; the driver proxy may not forward it.`,
        );
      }
      const fn = await loadFunction(io, modulePath, opts.export);
      const { serveDriverProxyApp } = await import("langchain-databricks");
      const server = await serveDriverProxyApp(loggingFailures(io, fn) as never, {
        port: opts.port,
        host: opts.bind,
        // loggingFailures already wrote the error with its stack to stderr.
        onError: () => undefined,
      }).catch((error: unknown) => {
        throw listenError(error, opts);
      });
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

/** Listen failures in CLI terms: which port, and what to do about it. */
function listenError(error: unknown, opts: ServeOptions): unknown {
  const code = (error as { code?: unknown }).code;
  const where = `${opts.bind}:${opts.port}`;
  if (code === "EADDRINUSE") {
    return new CliError(
      `serve-driver-proxy: port ${opts.port} is already in use on ${opts.bind}. Stop what is listening there or pick another --port.`,
      ExitCode.network,
    );
  }
  if (code === "EACCES") {
    return new CliError(
      `serve-driver-proxy: not allowed to listen on ${where} (ports below 1024 need privileges). Pick another --port.`,
      ExitCode.network,
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new CliUsageError(`serve-driver-proxy: --bind ${opts.bind} is not an address of this machine.`);
  }
  return error;
}

/**
 * The model function, with failures logged on the server's stderr (message and stack, for whoever runs the
 * server) before the library answers the caller with a 500 JSON error that carries the message only.
 */
function loggingFailures(io: CliIO, fn: ServedFunction): ServedFunction {
  const log = (error: unknown) => {
    const detail =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    // The operator sees the failure, not a credential it may carry (Bearer/Basic values, OAuth fields).
    note(io, `serve-driver-proxy: the model function failed (answered 500): ${redactSecrets(detail)}`);
  };
  return async (...args: unknown[]) => {
    let output: unknown;
    try {
      output = await fn(...args);
    } catch (error) {
      log(error);
      throw error;
    }
    if (
      typeof output === "object" &&
      output !== null &&
      (Symbol.asyncIterator in output || Symbol.iterator in output)
    ) {
      const pieces = output as AsyncIterable<unknown> | Iterable<unknown>;
      return (async function* () {
        try {
          yield* pieces;
        } catch (error) {
          log(error);
          throw error;
        }
      })();
    }
    return output;
  };
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
