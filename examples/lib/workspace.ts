import { pathToFileURL } from "node:url";
import { dollyModel } from "./dolly.js";
import { info } from "./print.js";

/**
 * Where the examples run: the embedded emulator (default, offline) or a real workspace (when
 * `DATABRICKS_HOST` or `DATABRICKS_CONFIG_PROFILE` is set). Either way the example code is the same: the
 * library reads its settings from the environment, exactly like the seed's `get_deploy_client("databricks")`.
 */
export interface Workspace {
  /** True when running on the embedded emulator. */
  offline: boolean;
  /** Where requests go, for display (never includes a credential). */
  where: string;
  /**
   * Explicit auth options for the examples that show passing them (the seed's "explicit host and token"
   * variant). Offline they name the emulator; online they repeat the env settings.
   */
  auth: { host?: string; token?: string };
  /** Scope holding the OpenAI key secret (`QUICKSTART_SECRET_SCOPE`, default `quickstart`). */
  secretScope: string;
  /** Runs `fn` when the workspace closes (cleanup of what an example created), last registered first. */
  defer(fn: () => Promise<unknown> | unknown): void;
  close(): Promise<void>;
}

/** Env vars that would make the library pick other credentials than the emulator's. */
const AUTH_ENV = [
  "DATABRICKS_TOKEN",
  "DATABRICKS_CLIENT_ID",
  "DATABRICKS_CLIENT_SECRET",
  "DATABRICKS_CONFIG_PROFILE",
  "DATABRICKS_AUTH_TYPE",
];

export function isOnline(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DATABRICKS_HOST || env.DATABRICKS_CONFIG_PROFILE);
}

export async function openWorkspace(): Promise<Workspace> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const secretScope = process.env.QUICKSTART_SECRET_SCOPE || "quickstart";
  const defer = (fn: () => Promise<unknown> | unknown) => {
    cleanups.push(fn);
  };
  const runCleanups = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        info(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  if (isOnline()) {
    const host = process.env.DATABRICKS_HOST;
    return {
      offline: false,
      where: host ? host : `profile ${process.env.DATABRICKS_CONFIG_PROFILE}`,
      auth: {
        ...(host ? { host } : {}),
        ...(process.env.DATABRICKS_TOKEN ? { token: process.env.DATABRICKS_TOKEN } : {}),
      },
      secretScope,
      defer,
      close: runCleanups,
    };
  }

  // Imported lazily: a real-workspace run does not need the emulator at all.
  const { startEmulator } = await import("databricks-emulator");
  const emulator = await startEmulator({
    models: { dolly: dollyModel },
    transitionMs: 100,
    // DRIVER_PROXY_PORT=0 (any free port) lands outside the seed's driver port range [3000, 8000]: widen it.
    ...(process.env.DRIVER_PROXY_PORT === "0" ? { driverProxyPorts: [1024, 65535] as [number, number] } : {}),
  });
  for (const name of AUTH_ENV) delete process.env[name];
  // The same settings a Databricks notebook would provide: host, token and the attached cluster.
  process.env.DATABRICKS_HOST = emulator.url;
  process.env.DATABRICKS_TOKEN = emulator.token;
  process.env.DB_CLUSTER_ID = emulator.defaultClusterId;
  return {
    offline: true,
    where: `embedded emulator at ${emulator.url}`,
    auth: { host: emulator.url, token: emulator.token },
    secretScope,
    defer,
    close: async () => {
      await runCleanups();
      await emulator.close();
    },
  };
}

/** True when `moduleUrl` is the script node/tsx was started with (so a step file can also run on its own). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

/**
 * Runs one example on its own: opens a workspace, runs, closes everything, and sets the exit code.
 * Errors print as one line (no stack trace): the library's errors already say what went wrong.
 */
export async function runStandalone(run: (ws: Workspace) => Promise<void>): Promise<void> {
  const ws = await openWorkspace();
  console.log(`Running on ${ws.where}`);
  try {
    await run(ws);
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    process.exitCode = 1;
  } finally {
    await ws.close();
  }
}
