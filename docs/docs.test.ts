/**
 * Docs cannot rot: every ```ts block of README.md and docs/*.md is extracted to its own module and
 * type-checked against the sources (strict, like the rest of the repo); blocks whose first line is `// @run`
 * are also executed (tsx, as a user would) against a freshly started emulator, via DATABRICKS_HOST and
 * DATABRICKS_TOKEN, and must exit 0.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runSource } from "../packages/langchain-databricks/src/cli/test_support.js";

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

function tsc(project: string): Promise<string> {
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
    child.on("close", () => resolve(out));
  });
}

beforeAll(() => {
  mkdirSync(WORK, { recursive: true });
  for (const block of blocks) {
    // Each block is a module of its own (top-level await, no clashes between blocks).
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    writeFileSync(block.file, isModule ? `${block.code}\n` : `${block.code}\nexport {};\n`);
  }
  writeFileSync(
    join(WORK, "tsconfig.json"),
    JSON.stringify({
      extends: join(REPO_ROOT, "tsconfig.base.json"),
      compilerOptions: {
        baseUrl: REPO_ROOT,
        paths: {
          "langchain-databricks": ["packages/langchain-databricks/src/index.ts"],
          "databricks-emulator": ["packages/databricks-emulator/src/index.ts"],
        },
        // Snippets may declare things they only print or show; everything else stays strict.
        noUnusedLocals: false,
        noUnusedParameters: false,
      },
      files: [...blocks.map((b) => b.file), join(REPO_ROOT, "packages/langchain-databricks/src/env.d.ts")],
    }),
  );
});

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

describe("documentation code blocks", () => {
  it("there are blocks to check, and some of them run", () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.filter((b) => b.run).length).toBeGreaterThan(5);
  });

  it("every ```ts block type-checks against the sources", { timeout: 180_000 }, async () => {
    const output = await tsc(join(WORK, "tsconfig.json"));
    // Report only errors inside the blocks, mapped back to the markdown line.
    const errors: string[] = [];
    for (const line of output.split("\n")) {
      const m = /^(.*?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
      if (!m) continue;
      const block = blocks.find(
        (b) =>
          join(REPO_ROOT, m[1] ?? "") === b.file || m[1] === b.file || relative(REPO_ROOT, b.file) === m[1],
      );
      if (!block) continue;
      errors.push(`${block.source}:${block.line + Number(m[2]) - 1}: ${m[4]}`);
    }
    expect(errors, errors.join("\n")).toEqual([]);
  });

  describe.concurrent("runnable blocks (// @run) against a started emulator", () => {
    let emulator: Awaited<ReturnType<typeof startEmulator>>;
    beforeAll(async () => {
      emulator = await startEmulator({ transitionMs: 20 });
    });
    afterAll(async () => {
      await emulator?.close();
    });

    for (const block of blocks.filter((b) => b.run)) {
      it(`${block.source}:${block.line}`, { timeout: 60_000 }, async () => {
        const result = await runSource(block.file, [], {
          env: { DATABRICKS_HOST: emulator.url, DATABRICKS_TOKEN: emulator.token },
        });
        expect(result.code, `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).toBe(0);
      });
    }
  });
});
