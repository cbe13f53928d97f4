/**
 * Test-only helpers (not exported by the package) for running things the way users do, in child processes:
 * - {@link runBin} / {@link startBin} run a package's shipped bin exactly as npm linked it
 *   (`node_modules/.bin/<name>` -> `bin/<name>.mjs` -> `dist/`), so they need a current build:
 *   {@link buildStaleBins} makes one when `dist/` is missing or older than `src/`;
 *   `startBin(..., { pty: true })` runs it on a pseudo-terminal (via python3's `pty`), for progress bars,
 *   the REPL and Ctrl-C.
 * - {@link runSource} runs a TypeScript entry point from the sources without a build (examples, doc blocks):
 *   `tsx` compiles on the fly; a generated tsconfig maps `langchain-databricks` / `databricks-emulator` to their
 *   `src/index.ts` (as the Vitest aliases do) and a preload defines the build-time constant `__PKG_VERSION__`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";

import { buildStale, distIsStale, REPO_ROOT } from "./builds.js";

export { buildStale, REPO_ROOT };

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
          "langchain-databricks/lakebase": ["packages/langchain-databricks/src/lakebase/index.ts"],
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
  const run = collect(child, options.timeoutMs);
  child.stdin?.end(options.input ?? "");
  return run.result;
}

/**
 * Runs the JavaScript module `file` (absolute) with this Node, no loader, in a clean environment (see
 * {@link cleanEnv}); stack traces follow source maps. Its bare imports resolve as an installed package's would
 * (`node_modules`, `package.json` "exports": the built `dist/`), so call {@link buildStale} first.
 */
export function runNode(
  file: string,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  const child = spawn(process.execPath, ["--enable-source-maps", file, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...cleanEnv(options.env), NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const run = collect(child, options.timeoutMs);
  child.stdin?.end(options.input ?? "");
  return run.result;
}

const compiledTrees = new Map<string, string>();

/**
 * Compiles every TypeScript module under `dir` (relative to the repo root; tests excluded) to JavaScript, one file
 * each (esbuild, what tsx does on the fly; relative `./x.js` imports keep working), into a mirror under the repo's
 * `.cache/` (so bare imports resolve through the repo's `node_modules` to the packages' built `dist/`: call
 * {@link buildStale} first). Once per process, until {@link removeCompiledTrees}. Returns the mirror's
 * path; run its files with {@link runNode}.
 */
export function compileTree(dir: string): string {
  const cached = compiledTrees.get(dir);
  if (cached) return cached;
  const root = join(REPO_ROOT, ".cache", `compiled-${process.pid}`);
  const out = join(root, dir);
  const src = join(REPO_ROOT, dir);
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(src, path);
    if (!entry.isFile() || !rel.endsWith(".ts") || rel.endsWith(".d.ts") || /\.test\.ts$/.test(rel)) continue;
    if (rel.split("/").includes("node_modules")) continue;
    const js = transformSync(readFileSync(path, "utf8"), {
      loader: "ts",
      format: "esm",
      target: "node20",
      platform: "node",
      sourcefile: path,
      sourcemap: "inline",
    });
    const target = join(out, rel.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js.code);
  }
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  compiledTrees.set(dir, out);
  return out;
}

/** Removes what {@link compileTree} wrote in this process (call it in `afterAll`). */
export function removeCompiledTrees(): void {
  compiledTrees.clear();
  rmSync(join(REPO_ROOT, ".cache", `compiled-${process.pid}`), { recursive: true, force: true });
}

/** The packages whose built dist/ the compiled examples and doc blocks import. */
export const LIBRARY_PACKAGES = ["packages/langchain-databricks", "packages/databricks-emulator"] as const;

/**
 * Runs `examples/<name>.ts` the way a user's compiled project runs: compiled to JavaScript ({@link compileTree}),
 * with a plain `node`, importing the packages' built dist/ (call `buildStale(LIBRARY_PACKAGES)` first, in a
 * `beforeAll`). A third of the CPU of a tsx start on the sources ({@link runSource}).
 */
export function runExample(
  file: string,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  const name = file.replace(/^examples\//, "").replace(/\.ts$/, ".js");
  return runNode(join(compileTree("examples"), name), args, options);
}

/** The bins the packages ship, and the package directory (relative to the repo root) of each. */
export const BINS = {
  "langchain-databricks": "packages/langchain-databricks-cli",
  "databricks-emulator": "packages/databricks-emulator",
} as const;
export type BinName = keyof typeof BINS;

const checkedBins = new Map<BinName, string>();

/**
 * The bin tests run the shipped bins, which run `dist/`, not the sources. So that they always test the
 * current sources, this builds each package whose `dist/` is missing or older than its `src/` (saying so on
 * stderr), and does nothing when the build is current (as after `npm test`'s own `npm run build`).
 * Called from the bin tests' `beforeAll`.
 */
export function buildStaleBins(): void {
  buildStale(Object.values(BINS));
}

/**
 * The file npm runs for `name`: `node_modules/.bin/<name>` resolved. Throws (with what to do) when npm did not
 * link it, or when `dist/` is missing or older than the sources (the bin runs the build, not the sources).
 */
export function binPath(name: BinName): string {
  const cached = checkedBins.get(name);
  if (cached) return cached;
  const link = join(REPO_ROOT, "node_modules", ".bin", name);
  if (!existsSync(link)) {
    throw new Error(`${link} does not exist: npm did not link the bin. Run \`npm ci\` (or \`npm install\`).`);
  }
  const target = realpathSync(link);
  const pkgDir = join(REPO_ROOT, BINS[name]);
  if (distIsStale(pkgDir)) {
    throw new Error(
      `${join(pkgDir, "dist")} is missing or older than ${join(pkgDir, "src")}: call buildStaleBins() first ` +
        "(the bin tests do, in beforeAll), or run `npm run build`.",
    );
  }
  checkedBins.set(name, target);
  return target;
}

/**
 * The python3 interpreter itself (not a version-manager shim: killing a shim would orphan the interpreter and the
 * bin it runs), when it has the `pty` module; undefined otherwise.
 */
const PYTHON: string | undefined = (() => {
  if (process.platform === "win32") return undefined;
  const r = spawnSync("python3", ["-c", "import pty, sys; print(sys.executable)"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
})();

/** True when a pseudo-terminal can be made for {@link startBin} (python3 with the `pty` module). */
export const PTY_AVAILABLE = PYTHON !== undefined;

/**
 * Runs argv[1:] on a pseudo-terminal (stdin, stdout and stderr all a TTY of 100 x 30), relays our stdin to it and
 * its output to our stdout, reads until the terminal is drained, and exits with the child's code (128 + signal
 * when it was killed). Ctrl-C is the byte 0x03 written to stdin, as a terminal would send it.
 */
const PTY_RELAY = `
import fcntl, os, pty, select, signal, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
def stop(signum, frame):
    os.kill(pid, signal.SIGKILL)
    sys.exit(128 + signum)
signal.signal(signal.SIGTERM, stop)
stdin_open = True
while True:
    ready, _, _ = select.select([fd] + ([0] if stdin_open else []), [], [])
    if 0 in ready:
        data = os.read(0, 4096)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`;

export interface BinOptions extends Omit<RunOptions, "input"> {
  /** Run on a pseudo-terminal (see {@link PTY_AVAILABLE}); stdout then holds everything the terminal showed. */
  pty?: boolean;
}

/** A running bin: its output so far, a way to type into it, and its result. */
export interface RunningBin {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  write(text: string): void;
  /** Closes stdin (EOF; on a pty the child keeps its terminal). */
  end(): void;
  /** Resolves once stdout + stderr match `pattern`; rejects after `timeoutMs` or when the process ends first. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  result: Promise<RunResult>;
}

/**
 * Starts the shipped bin `name` (as npm linked it, run by this Node) with `args`, in a clean environment
 * (see {@link cleanEnv}). Use {@link runBin} for one-shot commands.
 */
export function startBin(name: BinName, args: readonly string[] = [], options: BinOptions = {}): RunningBin {
  const argv = [binPath(name), ...args];
  const env = { ...cleanEnv(options.env), NO_COLOR: "1" };
  const spawnOptions = { cwd: options.cwd ?? REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] as "pipe"[] };
  if (options.pty && !PTY_AVAILABLE) throw new Error("no pseudo-terminal available (python3 with pty)");
  const child = options.pty
    ? spawn(PYTHON as string, ["-c", PTY_RELAY, process.execPath, ...argv], spawnOptions)
    : spawn(process.execPath, argv, spawnOptions);
  return collect(child, options.timeoutMs);
}

/** Runs the shipped bin `name` with `args` to completion; `input` is written to stdin, which is then closed. */
export function runBin(
  name: BinName,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  const running = startBin(name, args, options);
  running.child.stdin?.end(options.input ?? "");
  return running.result;
}

/** Collects a child's output and exit; kills it after `timeoutMs` (a safety net tests should never hit). */
function collect(child: ChildProcess, timeoutMs = 60_000): RunningBin {
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    notify();
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    notify();
  });
  child.stdin?.on("error", () => {}); // the child may exit without reading stdin
  // SIGTERM first: the pty relay passes it on to the bin it runs (a SIGKILL would orphan that).
  let killer: ReturnType<typeof setTimeout> | undefined;
  const timer = setTimeout(() => {
    child.kill("SIGTERM");
    killer = setTimeout(() => child.kill("SIGKILL"), 2_000);
  }, timeoutMs);
  let exited = false;
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      clearTimeout(killer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      exited = true;
      notify();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    write: (text) => {
      child.stdin?.write(text);
    },
    end: () => {
      child.stdin?.end();
    },
    waitFor: (pattern, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = () =>
          typeof pattern === "string" ? (stdout + stderr).includes(pattern) : pattern.test(stdout + stderr);
        const check = () => {
          if (matches()) {
            done();
            resolve();
          } else if (exited) {
            done();
            reject(new Error(`process ended before ${String(pattern)} appeared:\n${stdout}\n${stderr}`));
          }
        };
        const deadline = setTimeout(() => {
          done();
          reject(new Error(`${String(pattern)} did not appear within ${ms} ms:\n${stdout}\n${stderr}`));
        }, ms);
        const done = () => {
          clearTimeout(deadline);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    result,
  };
}

/** Removes terminal escape sequences and carriage returns, for asserting on what a pty showed. */
export function plain(terminal: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
  return terminal.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r/g, "");
}

/** A free loopback port (bound then released; the tiny reuse race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Milliseconds this machine takes, right now, to run the CLI bin to a failure that needs no waiting:
 * `endpoints list` against a closed loopback port, no retries (start-up, config, one refused connection,
 * the error report). The baseline the bin tests' time checks are relative to, so a busy machine moves the
 * baseline with the runs.
 */
export async function refusedRunMs(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const r = await runBin("langchain-databricks", ["--max-retries", "0", "endpoints", "list"], {
    env: { ...env, DATABRICKS_HOST: `http://127.0.0.1:${port}`, DATABRICKS_TOKEN: "dapi-unused" },
  });
  if (r.code !== 4) throw new Error(`the baseline run exited ${r.code}, not 4: ${r.stderr}`);
  return performance.now() - started;
}
