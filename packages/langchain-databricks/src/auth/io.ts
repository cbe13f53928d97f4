import { defaultEnv, type EnvSource } from "./env.js";

/** Result of running the Databricks CLI. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Everything config resolution reads from the outside world, injectable for tests and for runtimes without
 * a file system. Node built-ins are imported lazily so the fetch-only core still bundles for the edge.
 */
export interface ConfigIo {
  env: EnvSource;
  /** File contents, or undefined when the file does not exist (or there is no file system). */
  readFile(path: string): Promise<string | undefined>;
  /** Home directory used to expand `~`, or undefined. */
  homeDir(): Promise<string | undefined>;
  /** Runs `databricks <args>`; undefined when the CLI is not installed (or processes cannot be spawned). */
  runCli(args: readonly string[], timeoutMs: number): Promise<CliResult | undefined>;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === "string";
}

async function readFileNode(path: string): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const fs = await import("node:fs/promises");
  try {
    return await fs.readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
}

async function homeDirNode(): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const os = await import("node:os");
  return os.homedir();
}

async function runCliNode(
  args: readonly string[],
  timeoutMs: number,
  env: EnvSource,
): Promise<CliResult | undefined> {
  if (!isNode()) return undefined;
  const { execFile } = await import("node:child_process");
  const bin = env.DATABRICKS_CLI_PATH?.trim() || "databricks";
  return new Promise((resolve) => {
    execFile(
      bin,
      [...args],
      { timeout: timeoutMs, windowsHide: true, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && (error as { code?: unknown }).code === "ENOENT") {
          resolve(undefined);
          return;
        }
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** The real-world IO: `process.env`, the file system and `databricks` on the PATH. */
export function defaultConfigIo(env: EnvSource = defaultEnv()): ConfigIo {
  return {
    env,
    readFile: readFileNode,
    homeDir: homeDirNode,
    runCli: (args, timeoutMs) => runCliNode(args, timeoutMs, env),
  };
}
