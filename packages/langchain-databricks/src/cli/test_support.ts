/**
 * Test-only helper (not exported by the package): runs a TypeScript entry point from the sources in a child
 * process, the way users run the examples and the CLI, without needing a build. `tsx` compiles on the fly;
 * a generated tsconfig maps `langchain-databricks` / `databricks-emulator` to their `src/index.ts` (as the
 * Vitest aliases do) and a preload defines the build-time constant `__PKG_VERSION__`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to a clean environment: inherited DATABRICKS_* variables are removed first. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed (stdin is never a TTY here). */
  input?: string;
  /** Kill the child after this long (a safety net; tests should never hit it). Default 60 s. */
  timeoutMs?: number;
}

let prepared: { tsconfig: string; preload: string } | undefined;

/** Writes the tsconfig and preload once per process (atomically: parallel test files may race). */
function prepare(): { tsconfig: string; preload: string } {
  if (prepared) return prepared;
  const dir = join(REPO_ROOT, "node_modules", ".cache", "langchain-databricks-tsx");
  mkdirSync(dir, { recursive: true });
  const version = (
    JSON.parse(readFileSync(join(REPO_ROOT, "packages/langchain-databricks/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const tsconfig = join(dir, "tsconfig.json");
  const preload = join(dir, "define-version.mjs");
  const write = (path: string, content: string) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  };
  write(
    tsconfig,
    JSON.stringify({
      extends: join(REPO_ROOT, "tsconfig.base.json"),
      compilerOptions: {
        baseUrl: REPO_ROOT,
        paths: {
          "langchain-databricks": ["packages/langchain-databricks/src/index.ts"],
          "databricks-emulator": ["packages/databricks-emulator/src/index.ts"],
        },
      },
    }),
  );
  write(preload, `globalThis.__PKG_VERSION__ = ${JSON.stringify(version)};\n`);
  prepared = { tsconfig, preload };
  return prepared;
}

/** The environment of the test process without any Databricks settings (so nothing real is ever reached). */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("DATABRICKS_") && k !== "DB_CLUSTER_ID" && k !== "OPENAI_API_KEY")
      env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Runs `file` (absolute, or relative to the repo root) with tsx and collects its output. */
export function runSource(
  file: string,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  const { tsconfig, preload } = prepare();
  const tsx = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsx,
      "--import",
      pathToFileURL(preload).href,
      file.startsWith("/") ? file : join(REPO_ROOT, file),
      ...args,
    ],
    {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...cleanEnv(options.env), TSX_TSCONFIG_PATH: tsconfig, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdin.on("error", () => {}); // the child may exit without reading stdin
  child.stdin.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
