/**
 * The README's install story, done as a user does it: the library, the emulator (a dev dependency) and the CLI
 * are `npm pack`ed, installed into a fresh project with `npm ci --offline` (no network: see
 * test-support/packed-install.ts), the README's ten-line example is type-checked and run against the installed
 * emulator as ESM and as CommonJS, and the installed CLI bin answers. Needs `npm run build` first (as `npm test`
 * does): the tarballs ship `dist/`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServingEndpointsClient } from "./src/clients/serving-endpoints.js";
import { codeBlockAfter, packWorkspaces, writeProject } from "./test-support/packed-install.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
const TOKEN = "dapi-packed-install-check";

let dir: string;
let emulator: ChildProcess | undefined;
let host: string;

/** Env of a user's shell: only the emulator's host and token, no profile, no other credentials. */
function userEnv(): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: dir,
    DATABRICKS_HOST: host,
    DATABRICKS_TOKEN: TOKEN,
  };
}

/** Starts the installed emulator bin and resolves with the host it prints (deadline: 30 s). */
function startInstalledEmulator(): Promise<string> {
  const bin = join(dir, "node_modules/databricks-emulator/package.json");
  const pkg = JSON.parse(readFileSync(bin, "utf8")) as { bin: Record<string, string> };
  const script = join(dir, "node_modules/databricks-emulator", pkg.bin["databricks-emulator"]!);
  const child = spawn(
    process.execPath,
    [script, "start", "--port", "0", "--transition-ms", "0", "--token", TOKEN, "--models", "./models.mjs"],
    { cwd: dir, env: { PATH: userEnv().PATH, HOME: dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  emulator = child;
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString("utf8");
      const m = /DATABRICKS_HOST=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${out}`));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "packed-install-"));
  const tarballs = packWorkspaces(
    REPO_ROOT,
    ["packages/langchain-databricks", "packages/databricks-emulator", "packages/langchain-databricks-cli"],
    join(dir, "packed"),
  );
  writeProject(
    dir,
    REPO_ROOT,
    tarballs,
    ["langchain-databricks", "@langchain/core", "langchain-databricks-cli"],
    ["databricks-emulator"],
  );
  execFileSync("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
    env: { ...process.env, npm_config_offline: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  writeFileSync(
    join(dir, "models.mjs"),
    'export const models = { dolly: { predict: (records) => records.map((r) => "echo: " + r.prompt) } };\n',
  );
  host = await startInstalledEmulator();
  const endpoints = new ServingEndpointsClient({ host, token: TOKEN });
  await endpoints.create({
    name: "dolly",
    config: { served_entities: [{ entity_name: "dolly", entity_version: "1", workload_size: "Small" }] },
  });
  await endpoints.waitForReady("dolly", { timeout: 30_000, pollIntervalMs: 50 });
}, 240_000);

afterAll(() => {
  emulator?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const example = codeBlockAfter(readFileSync(join(REPO_ROOT, "README.md"), "utf8"), "## In ten lines");

function compile(config: string, file: string, source: string, module: string): void {
  writeFileSync(join(dir, file), source);
  writeFileSync(
    join(dir, config),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module,
        moduleResolution: module,
        strict: true,
        skipLibCheck: true,
        typeRoots: [join(REPO_ROOT, "node_modules/@types")],
        types: ["node"],
        outDir: "out",
      },
      files: [file],
    }),
  );
  execFileSync(process.execPath, [TSC, "-p", config], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs an emitted example; its three lines: the chat answer, three numbers, the custom model's answer. */
function runExample(file: string): string[] {
  const out = execFileSync(process.execPath, [join(dir, "out", file)], {
    cwd: dir,
    env: userEnv(),
    encoding: "utf8",
  });
  return out.trim().split("\n");
}

describe("the packed tarballs, installed offline into a fresh project", () => {
  it("installs the three packages with their bins, and only the library's own runtime dependencies", () => {
    for (const name of ["langchain-databricks", "databricks-emulator", "langchain-databricks-cli"]) {
      expect(existsSync(join(dir, "node_modules", name, "package.json")), name).toBe(true);
    }
    const lib = JSON.parse(
      readFileSync(join(dir, "node_modules/langchain-databricks/package.json"), "utf8"),
    ) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(lib.dependencies)).toEqual(["ini"]);
    // `@langchain/core` is the one required peer; the Lakebase subpath's drivers are optional peers, so a plain
    // install need not pull them in.
    const required = Object.keys(lib.peerDependencies).filter(
      (p) => !lib.peerDependenciesMeta?.[p]?.optional,
    );
    expect(required).toEqual(["@langchain/core"]);
    expect(existsSync(join(dir, "node_modules/.bin/langchain-databricks"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/.bin/databricks-emulator"))).toBe(true);
  });

  it("type-checks and runs the README's ten-line example as ESM", () => {
    compile("tsconfig.esm.json", "example.mts", example, "nodenext");
    const [chat, vector, dolly] = runExample("example.mjs");
    expect(chat!.length).toBeGreaterThan(0);
    expect(JSON.parse(vector!.replace(/\s+/g, ""))).toHaveLength(3);
    expect(dolly).toBe("echo: How are you?");
  });

  it("type-checks and runs the same example as CommonJS (require)", () => {
    const body = example.replace(/^import .*\n/m, "");
    const imports = /^import .*$/m.exec(example)![0];
    const cjs = `${imports}\n\nasync function main(): Promise<void> {\n${body}}\n\nvoid main();\n`;
    compile("tsconfig.cjs.json", "example.cts", cjs, "node16");
    expect(readFileSync(join(dir, "out/example.cjs"), "utf8")).toContain('require("langchain-databricks")');
    const [chat, vector, dolly] = runExample("example.cjs");
    expect(chat!.length).toBeGreaterThan(0);
    expect(JSON.parse(vector!.replace(/\s+/g, ""))).toHaveLength(3);
    expect(dolly).toBe("echo: How are you?");
  });

  it("runs the installed CLI bin (what `npx langchain-databricks-cli` runs)", () => {
    const help = execFileSync(join(dir, "node_modules/.bin/langchain-databricks"), ["--help"], {
      cwd: dir,
      env: userEnv(),
      encoding: "utf8",
    });
    expect(help).toContain("Usage: langchain-databricks");
    const list = execFileSync(join(dir, "node_modules/.bin/langchain-databricks"), ["endpoints", "list"], {
      cwd: dir,
      env: userEnv(),
      encoding: "utf8",
    });
    expect(list).toContain("dolly");
  });
});
