import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig([
  {
    // `lakebase` is a subpath export (`langchain-databricks/lakebase`): `pg` and the LangGraph checkpointer load
    // only from there, never from the main entry.
    entry: { index: "src/index.ts", "lakebase/index": "src/lakebase/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "es2022",
    dts: true,
    sourcemap: true,
    clean: true,
    unbundle: false,
    define: { __PKG_VERSION__: JSON.stringify(pkg.version) },
    // `npm run build` passes `--logLevel warn`: one line per build instead of a listing of every emitted file.
    onSuccess: () => {
      console.log("langchain-databricks: built dist/");
    },
  },
]);
