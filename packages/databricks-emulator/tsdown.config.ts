import { defineConfig } from "tsdown";

export default defineConfig({
  // The engine worker is loaded by URL (offload/offload.ts), not imported: it needs its own entry.
  entry: ["src/index.ts", "src/cli.ts", "src/offload/engine-worker.ts"],
  format: ["esm"],
  platform: "node",
  target: "es2022",
  dts: true,
  sourcemap: true,
  clean: true,
  unbundle: true,
  // `npm run build` passes `--logLevel warn`: one line per build instead of a listing of every emitted file
  // (`npx tsdown` in this folder still prints the listing).
  onSuccess: () => {
    console.log("databricks-emulator: built dist/");
  },
});
