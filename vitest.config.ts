import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const libPkg = JSON.parse(readFileSync(here("./packages/langchain-databricks/package.json"), "utf8")) as {
  version: string;
};

// Tests run against the sources, not dist: no build needed to iterate, and coverage maps to real files.
// `*.soak.test.ts` files are the long load/crash loops; they run only under `npm run test:soak`.
const soak = process.env.SOAK === "1";

export default defineConfig({
  define: { __PKG_VERSION__: JSON.stringify(libPkg.version) },
  resolve: {
    alias: {
      "databricks-emulator": here("./packages/databricks-emulator/src/index.ts"),
      "langchain-databricks/lakebase": here("./packages/langchain-databricks/src/lakebase/index.ts"),
      "langchain-databricks": here("./packages/langchain-databricks/src/index.ts"),
    },
  },
  test: {
    include: soak
      ? ["**/*.soak.test.ts"]
      : [
          "packages/*/src/**/*.test.ts",
          "packages/*/*.test.ts",
          "examples/**/*.test.ts",
          "bench/**/*.test.ts",
          "docs/**/*.test.ts",
        ],
    exclude: ["**/node_modules/**", "**/dist/**", ...(soak ? [] : ["**/*.soak.test.ts"])],
    // Measured by `npm test` (`vitest run --coverage`); `npx vitest run <files>` stays fast without it.
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/*.d.ts", "packages/*/test-support/**"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      reportOnFailure: true,
      // Per package (glob keys): a file that drops the package below these fails `npm test`.
      thresholds: {
        "packages/langchain-databricks/src/**": { lines: 92, branches: 85 },
        "packages/databricks-emulator/src/**": { lines: 92, branches: 85 },
        "packages/langchain-databricks-cli/src/**": { lines: 92, branches: 85 },
      },
    },
    // Two test files at a time (Vitest's default on a 2-core machine is one): much of the suite waits on child
    // processes, sockets and timers, so a second file overlaps that waiting and the per-file start-up. Files that
    // share anything use their own temp dirs, random ports and lock-guarded builds (see test-support/).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default"],
  },
});
