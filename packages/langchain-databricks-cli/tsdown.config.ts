import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

// An executable, not an import target: ESM only. The library, LangChain and commander stay external
// (dependencies), so `--help` loads only the command tree.
export default defineConfig({
  entry: ["src/main.ts"],
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "es2022",
  dts: false,
  clean: true,
  define: { __PKG_VERSION__: JSON.stringify(pkg.version) },
  // `npm run build` passes `--logLevel warn`: one line per build instead of a listing of every emitted file.
  onSuccess: () => {
    console.log("langchain-databricks-cli: built dist/");
  },
});
