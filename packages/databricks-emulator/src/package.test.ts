/**
 * The published package's `dependencies` are exactly the packages its runtime code imports: everything
 * reachable from the entry points (src/index.ts, src/cli.ts) through relative imports. A library used only by
 * tests belongs in devDependencies (it would otherwise be installed for every user), and a runtime import
 * missing from dependencies would break installs outside this monorepo.
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

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
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(used);
  });

  it("keeps ajv for the tests that check generated tool arguments against their schemas", () => {
    expect(pkg.devDependencies?.ajv).toBeDefined();
  });
});
