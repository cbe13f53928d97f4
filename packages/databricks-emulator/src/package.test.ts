/**
 * The published package's `dependencies` are exactly the packages its runtime code imports: everything
 * reachable from the entry points (src/index.ts, src/cli.ts) through relative imports, plus the version pins in
 * `PINS`. A library used only by tests belongs in devDependencies (it would otherwise be installed for every
 * user), and a runtime import missing from dependencies would break installs outside this monorepo. The
 * `engines` field is true to the installed tree: every package the emulator brings in runs on its oldest Node.
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/**
 * Dependencies the code never imports, declared to choose a transitive version. fastify ^5 accepts any
 * light-my-request 6; 6.7 and later need cookie 2, which declares Node >= 22, while 6.6 (cookie 1) runs on Node 20.
 * A direct dependency is placed before fastify's own, so installs of the package dedupe to it.
 */
const PINS: Record<string, string> = { "light-my-request": "fastify" };

// Value imports and re-exports (`import type` / `export type` vanish at runtime), and dynamic imports.
const SPECIFIERS = [
  /^\s*import\s+(?!type\s)(?:[^;]*?\sfrom\s+)?["']([^"']+)["']/gm,
  /^\s*export\s+(?!type\s)[^;]*?\sfrom\s+["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

const packageName = (spec: string): string => {
  const parts = spec.split("/");
  return spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
};

const runtimeImports = (entries: string[]): Set<string> => {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        const spec = m[1] as string;
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        else if (!spec.startsWith("node:") && !builtinModules.includes(spec)) bare.add(packageName(spec));
      }
    }
  };
  for (const e of entries) visit(join(root, e));
  return bare;
};

describe("package.json dependencies", () => {
  it("lists exactly the packages the runtime code imports (test-only libraries are devDependencies)", () => {
    const used = [...runtimeImports(["src/index.ts", "src/cli.ts"])].sort();
    expect(used).toContain("fastify"); // the scan works at all
    const declared = Object.keys(pkg.dependencies ?? {}).filter((name) => !(name in PINS));
    expect(declared.sort()).toEqual(used);
  });

  it("keeps ajv for the tests that check generated tool arguments against their schemas", () => {
    expect(pkg.devDependencies?.ajv).toBeDefined();
  });
});

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(root, "../../package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** Where npm resolves `name` from the package installed at `from` (its node_modules, then its parents'). */
const installedAt = (from: string, name: string): string => {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules/")))) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) throw new Error(`${name} (needed by ${from}) is not in package-lock.json`);
  }
};

/** The lock paths of every package installing the emulator brings in. */
const runtimeClosure = (): string[] => {
  const seen = new Set<string>();
  const visit = (path: string) => {
    for (const name of Object.keys(lock.packages[path]?.dependencies ?? {})) {
      const at = installedAt(path, name);
      if (!seen.has(at)) {
        seen.add(at);
        visit(at);
      }
    }
  };
  visit("packages/databricks-emulator");
  return [...seen];
};

const version = (v: string): number[] =>
  v
    .replace(/^v/, "")
    .split(".")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
const compare = (a: number[], b: number[]): number => {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** Whether Node `node` satisfies an engines range (the comparators npm packages use: >=, >, <, <=, ^, x). */
const satisfies = (node: string, range: string): boolean =>
  range.split("||").some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|=)\s+/g, "$1")
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        const [, op = "", v = "0"] = /^(>=|<=|>|<|\^|=)?(.*)$/.exec(comparator) ?? [];
        const c = compare(version(node), version(v));
        if (op === ">=") return c >= 0;
        if (op === ">") return c > 0;
        if (op === "<=") return c <= 0;
        if (op === "<") return c < 0;
        if (op === "^") return c >= 0 && version(node)[0] === version(v)[0];
        return v.includes("x") || v.split(".").length < 3 ? version(node)[0] === version(v)[0] : c === 0;
      }),
  );

describe("package.json engines", () => {
  const oldestNode = pkg.engines.node.replace(/^>=\s*/, "");

  it("reads engines ranges as npm does", () => {
    expect(satisfies("20.19.0", ">=22")).toBe(false);
    expect(satisfies("20.19.0", "^20.19.0 || >=22.12.0")).toBe(true);
    expect(satisfies("20.19.0", ">= 10.x")).toBe(true);
    expect(satisfies("20.18.1", "^20.19.0 || >=22.12.0")).toBe(false);
  });

  it("every package the emulator installs runs on the oldest Node it declares", () => {
    const closure = runtimeClosure();
    expect(closure).toContain("node_modules/fastify");
    const tooNew = closure.flatMap((path) => {
      const engines = lock.packages[path]?.engines;
      const node = Array.isArray(engines) ? undefined : engines?.node;
      return node && !satisfies(oldestNode, node) ? [`${path} needs Node ${node}`] : [];
    });
    expect(tooNew).toEqual([]);
  });

  it("pins only packages a runtime dependency installs, once (the pin is what gets used)", () => {
    for (const [name, by] of Object.entries(PINS)) {
      expect(lock.packages[installedAt("", by)]?.dependencies).toHaveProperty(name);
      expect(installedAt(installedAt("", by), name)).toBe(`node_modules/${name}`);
    }
  });
});
