import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    platform: "node",
    target: "es2022",
    dts: true,
    sourcemap: true,
    clean: true,
    unbundle: false,
    define: { __PKG_VERSION__: JSON.stringify(pkg.version) },
  },
]);
