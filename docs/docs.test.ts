/**
 * Docs cannot rot: every ```ts block of README.md and docs/*.md is extracted to its own module and
 * type-checked (strict, like the rest of the repo); blocks whose first line is `// @run` are also executed against
 * a freshly started emulator, via DATABRICKS_HOST and DATABRICKS_TOKEN, and must exit 0, each in its own Node
 * process. Both as in a user's project with the packages installed: types and code come through `node_modules`
 * from the packages' built `dist/` (rebuilt first when older than `src/`), and a block runs as the JavaScript
 * esbuild compiles it to (what tsx does on the fly), with a plain `node`. That costs a third of the CPU of a tsx
 * start on the sources (measured ~1 s against ~3 s per block, over 25 blocks), and the type-check does not
 * re-check the sources (`npm run typecheck` does): 2 s instead of 17 s.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { startEmulator } from "databricks-emulator";
import { transformSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, runCli } from "../packages/langchain-databricks-cli/src/program.js";
import { fakeIO } from "../packages/langchain-databricks-cli/test-support/fake-io.js";
import {
  buildStale,
  LIBRARY_PACKAGES,
  REPO_ROOT,
  runNode,
  runSource,
} from "../packages/langchain-databricks-cli/test-support/processes.js";

interface Block {
  /** e.g. docs/chat-models.md */
  source: string;
  /** 1-based line of the first code line in the markdown file. */
  line: number;
  code: string;
  run: boolean;
  file: string;
}

// Outside node_modules (tsx applies tsconfig `paths` only there), git-ignored, removed after the run.
const WORK = join(REPO_ROOT, ".cache", `doc-blocks-${process.pid}`);

function extractBlocks(): Block[] {
  const sources = [
    "README.md",
    ...readdirSync(join(REPO_ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const blocks: Block[] = [];
  for (const source of sources) {
    let text: string;
    try {
      text = readFileSync(join(REPO_ROOT, source), "utf8");
    } catch {
      continue; // README.md may not exist yet in a partial checkout
    }
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
      const code = lines.slice(start, end).join("\n");
      const name = `${source.replace(/[/.]/g, "_")}_L${start + 1}.ts`;
      blocks.push({ source, line: start + 1, code, run: /^\/\/ @run\b/.test(code), file: join(WORK, name) });
      i = end;
    }
  }
  return blocks;
}

const blocks = extractBlocks();

/** The JavaScript a `// @run` block is run as (beside its .ts, so `node_modules` resolves from the repo root). */
const runnable = (block: Block) => block.file.replace(/\.ts$/, ".mjs");

interface CliLine {
  /** e.g. docs/cli.md:52 */
  where: string;
  /** The words after `langchain-databricks`, up to a pipe, redirection or comment. */
  argv: string[];
}

/** Splits a shell command line into words (quotes and backslashes as sh does, enough for docs). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (
      word === undefined &&
      (c === "#" || c === "|" || c === ">" || c === "<" || c === ";" || c === "&")
    ) {
      break; // end of this command: a comment, a pipe, a redirection
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Every `langchain-databricks ...` command in the ```sh blocks of README.md and docs/*.md. */
function extractCliLines(): CliLine[] {
  const out: CliLine[] = [];
  for (const source of [
    "README.md",
    ...readdirSync(join(REPO_ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ]) {
    let text: string;
    try {
      text = readFileSync(join(REPO_ROOT, source), "utf8");
    } catch {
      continue;
    }
    let inSh = false;
    text.split("\n").forEach((line, i) => {
      if (/^```/.test(line)) {
        inSh = !inSh && /^```(sh|bash|shell|console)\s*$/.test(line);
        return;
      }
      if (!inSh) return;
      // The CLI as a command: at the start of the line, after `npx`, or after a pipe.
      const m = /(?:^|\|\s*|npx\s+(?:--no-install\s+)?)langchain-databricks(\s.*)?$/.exec(line.trim());
      if (m) out.push({ where: `${source}:${i + 1}`, argv: shellWords(m[1] ?? "") });
    });
  }
  return out;
}

const cliLines = extractCliLines();

/** Runs tsc; resolves with its exit code and combined output (a tsc that cannot start rejects). */
function tsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", project, "--pretty", "false"],
      {
        cwd: REPO_ROOT,
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output: out }));
  });
}

beforeAll(() => {
  // The blocks are checked and run against the packages as users get them: their built dist/, current with src/.
  buildStale(LIBRARY_PACKAGES);
  mkdirSync(WORK, { recursive: true });
  for (const block of blocks) {
    // Each block is a module of its own (top-level await, no clashes between blocks).
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    const source = isModule ? `${block.code}\n` : `${block.code}\nexport {};\n`;
    writeFileSync(block.file, source);
    if (block.run) {
      const js = transformSync(source, {
        loader: "ts",
        format: "esm",
        target: "node20",
        platform: "node",
        sourcefile: block.file,
        sourcemap: "inline",
      });
      writeFileSync(runnable(block), js.code);
    }
  }
  writeFileSync(
    join(WORK, "tsconfig.json"),
    JSON.stringify({
      extends: join(REPO_ROOT, "tsconfig.base.json"),
      // No `paths`: the packages' types come from their built dist/ (.d.ts generated from src/ by the build),
      // as in a user's project. The sources themselves are type-checked by `npm run typecheck`; checking them
      // again here took 15 of this check's 17 s.
      compilerOptions: {
        // Snippets may declare things they only print or show; everything else stays strict.
        noUnusedLocals: false,
        noUnusedParameters: false,
      },
      files: blocks.map((b) => b.file),
    }),
  );
}, 180_000); // a build, when dist/ is stale, takes a while

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

describe("documentation code blocks", () => {
  it("there are blocks to check, and some of them run", () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.filter((b) => b.run).length).toBeGreaterThan(5);
  });

  it("every ```ts block type-checks against the packages as installed (their built types)", {
    timeout: 180_000,
  }, async () => {
    const { code, output } = await tsc(join(WORK, "tsconfig.json"));
    // Errors inside the blocks are mapped back to the markdown line; any other error (in the sources, the
    // config, or tsc itself failing to run) is reported as printed. tsc exits 0 only when it checked
    // everything without error, so a non-zero exit fails even when no line could be mapped.
    const errors: string[] = [];
    for (const line of output.split("\n")) {
      const m = /^(.*?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
      const block =
        m &&
        blocks.find(
          (b) =>
            join(REPO_ROOT, m[1] ?? "") === b.file || m[1] === b.file || relative(REPO_ROOT, b.file) === m[1],
        );
      if (m && block) errors.push(`${block.source}:${block.line + Number(m[2]) - 1}: ${m[4]}`);
      else if (line.trim() !== "") errors.push(line.trim());
    }
    expect(errors, errors.join("\n")).toEqual([]);
    expect(code, `tsc exited ${code}:\n${output}`).toBe(0);
  });

  it("every `langchain-databricks` command in an sh block names real commands and options (their --help runs)", async () => {
    expect(cliLines.filter((l) => l.where.startsWith("docs/cli.md")).length).toBeGreaterThan(15);
    const program = buildProgram(fakeIO());
    const optionNames = (cmd: Command) =>
      cmd.options.flatMap((o) => [o.long, o.short].filter((n): n is string => !!n));
    const globals = [...optionNames(program), "--help", "-h", "--version", "-V"];
    const problems: string[] = [];
    for (const { where, argv } of cliLines) {
      // The command path: the first word naming a command, then (for groups) the first naming a subcommand.
      const path: Command[] = [];
      for (const word of argv) {
        const children = (path.at(-1) ?? program).commands;
        const next = children.find((c) => c.name() === word);
        if (next) path.push(next);
        if (path.length > 0 && (path.at(-1) as Command).commands.length === 0) break;
      }
      const names = path.map((c) => c.name());
      const last = path.at(-1);
      if (last && last.commands.length > 0)
        problems.push(`${where}: \`${names.join(" ")}\` needs a known subcommand`);
      if (!last && argv.some((w) => !w.startsWith("-")))
        problems.push(`${where}: no known command in ${argv.join(" ")}`);
      const io = fakeIO();
      const code = await runCli([...names, "--help"], io);
      if (code !== 0 || !io.out().includes("Usage: langchain-databricks")) {
        problems.push(`${where}: \`langchain-databricks ${names.join(" ")} --help\` exited ${code}`);
      }
      const known = new Set([...globals, ...path.flatMap(optionNames)]);
      for (const word of argv) {
        const flag = word.startsWith("-") && word !== "-" ? word.split("=")[0] : undefined;
        if (flag && !/^-\d/.test(flag) && !known.has(flag)) {
          problems.push(`${where}: ${names.join(" ") || "(root)"} has no option ${flag}`);
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  describe.concurrent("runnable blocks (// @run) against a started emulator", () => {
    let emulator: Awaited<ReturnType<typeof startEmulator>>;
    beforeAll(async () => {
      emulator = await startEmulator({ transitionMs: 20 });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    it("the example messages of the exit-code table in docs/cli.md are what the CLI prints", async () => {
      const table = readFileSync(join(REPO_ROOT, "docs/cli.md"), "utf8");
      const examples = new Map<number, string>();
      for (const m of table.matchAll(/^\| (\d+) +\| [^|]+\| `([^`]+)` +\|$/gm))
        examples.set(Number(m[1]), m[2] as string);
      const home = mkdtempSync(join(tmpdir(), "docs-cli-"));
      const closed = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, "127.0.0.1", () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const main = "packages/langchain-databricks-cli/src/main.ts";
      const noConfig = { HOME: home, DATABRICKS_CONFIG_FILE: join(home, "none.cfg") };
      const usage = fakeIO();
      try {
        const runs: Record<number, Promise<{ code: number | null; stderr: string }>> = {
          1: runCli(["chat", "hi"], usage).then((code) => ({ code, stderr: usage.err() })),
          2: runSource(main, ["endpoints", "list"], { env: noConfig }),
          3: runSource(main, ["endpoints", "get", "nope"], {
            env: { ...noConfig, DATABRICKS_HOST: emulator.url, DATABRICKS_TOKEN: emulator.token },
          }),
          4: runSource(main, ["--max-retries", "0", "endpoints", "list"], {
            env: { ...noConfig, DATABRICKS_HOST: `http://127.0.0.1:${closed}`, DATABRICKS_TOKEN: "dapi-x" },
          }),
        };
        for (const [code, run] of Object.entries(runs)) {
          const example = examples.get(Number(code));
          expect(example, `docs/cli.md has an example for exit code ${code}`).toBeDefined();
          const r = await run;
          const pattern = new RegExp(
            `^${(example as string)
              .split("...")
              .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}`,
          );
          expect(r.code, r.stderr).toBe(Number(code));
          expect(r.stderr.split("\n")[0]).toMatch(pattern);
        }
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    for (const block of blocks.filter((b) => b.run)) {
      it(`${block.source}:${block.line}`, { timeout: 60_000 }, async () => {
        const result = await runNode(runnable(block), [], {
          env: {
            DATABRICKS_HOST: emulator.url,
            DATABRICKS_TOKEN: emulator.token,
            DATABRICKS_WAREHOUSE_ID: emulator.warehouseId,
          },
        });
        expect(result.code, `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).toBe(0);
      });
    }
  });
});
