// Suite 5: footprint. Cold import time (a fresh node process per sample, performance.now() around the dynamic
// import), minified+gzipped bundle size (esbuild, platform node: only node builtins external) of ChatDatabricks
// alone vs @langchain/core alone vs the peers, and our npm pack size.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { lastJsonLine, runNode } from "../lib/child.js";
import { errorMessage } from "../lib/measure.js";
import { addLatency, addRatio, emptyResult } from "../lib/result.js";
import { median, round, summarize } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const libDir = join(benchDir, "..", "packages", "langchain-databricks");

interface Entry {
  name: string;
  specifier: string;
  exportName: string;
}

export const CORE: Entry = {
  name: "@langchain/core alone",
  specifier: "@langchain/core/language_models/chat_models",
  exportName: "BaseChatModel",
};
export const OURS: Entry = {
  name: "ChatDatabricks (ours)",
  specifier: "langchain-databricks",
  exportName: "ChatDatabricks",
};
export const ENTRIES: readonly Entry[] = [
  CORE,
  OURS,
  { name: "ChatOpenAI", specifier: "@langchain/openai", exportName: "ChatOpenAI" },
  { name: "@databricks/langchainjs", specifier: "@databricks/langchainjs", exportName: "ChatDatabricks" },
];

/**
 * Colleagues rebuild `packages/langchain-databricks/dist` in the shared checkout, which briefly removes it; a
 * failed step is retried a few times before it counts as a failure.
 */
async function withRetry<T>(fn: () => Promise<T>, attempts = 4, pauseMs = 3_000): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/** Milliseconds to import `entry` in a fresh process (module resolution relative to bench/). */
export async function coldImportMs(entry: Entry): Promise<number> {
  const script =
    `const t0 = performance.now(); const m = await import(${JSON.stringify(entry.specifier)});` +
    `const ms = performance.now() - t0;` +
    `if (typeof m[${JSON.stringify(entry.exportName)}] !== "function") { console.error("missing export"); process.exit(3); }` +
    `console.log(JSON.stringify({ ms }));`;
  const out = await runNode(["--input-type=module", "-e", script], { cwd: benchDir, timeoutMs: 30_000 });
  return lastJsonLine<{ ms: number }>(out).ms;
}

export interface BundleSize {
  minBytes: number;
  gzipBytes: number;
  /** Largest input packages in the bundle, by output bytes. */
  top: { pkg: string; bytes: number }[];
}

function packageOf(path: string): string {
  const i = path.lastIndexOf("node_modules/");
  if (i === -1) return path.includes("packages/langchain-databricks") ? "langchain-databricks" : "(other)";
  const rest = path.slice(i + "node_modules/".length).split("/");
  return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? "(other)");
}

export async function bundleSize(entry: Entry): Promise<BundleSize> {
  const out = await build({
    stdin: {
      contents: `export { ${entry.exportName} } from ${JSON.stringify(entry.specifier)};`,
      resolveDir: benchDir,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = out.outputFiles[0]?.contents ?? new Uint8Array();
  const byPkg = new Map<string, number>();
  for (const output of Object.values(out.metafile.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) {
      const pkg = packageOf(path);
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + info.bytesInOutput);
    }
  }
  const top = [...byPkg.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([pkg, bytes]) => ({ pkg, bytes }));
  return { minBytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, top };
}

interface PackInfo {
  size: number;
  unpackedSize: number;
  entryCount: number;
}

export function packSize(): Promise<PackInfo> {
  return new Promise((resolve, reject) => {
    execFile(
      "npm",
      ["pack", "--dry-run", "--json", "--ignore-scripts"],
      { cwd: libDir, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout) => {
        if (err) return reject(err);
        try {
          const info = (JSON.parse(stdout) as PackInfo[])[0];
          if (!info) throw new Error("npm pack printed no package");
          resolve({ size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount });
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}

export async function runFootprint(ctx: SuiteContext, samples: number): Promise<SuiteResult> {
  const result = emptyResult("footprint", "Footprint: import time, bundle size, package size");
  // Cold imports, interleaved sample by sample so machine noise spreads over every entry.
  const importEntries = ENTRIES;
  const times = new Map<string, number[]>(importEntries.map((e) => [e.name, []]));
  const failed = new Map<string, string>();
  ctx.log(`footprint: ${samples} cold-import samples x ${importEntries.length} entries`);
  for (let i = 0; i < samples; i++) {
    for (const e of importEntries) {
      if (failed.has(e.name)) continue;
      try {
        times.get(e.name)?.push(await withRetry(() => coldImportMs(e)));
      } catch (err) {
        failed.set(e.name, errorMessage(err));
      }
    }
  }
  for (const e of importEntries) {
    const reason = failed.get(e.name);
    if (reason) result.skippedSubjects.push({ subject: `${e.name} import`, reason });
    else addLatency(result, e.name, "cold import", summarize(times.get(e.name) ?? []));
  }
  const t = (e: Entry): number => (failed.has(e.name) ? Number.NaN : median(times.get(e.name) ?? []));
  addRatio(
    result,
    "footprint.import_overhead_ms",
    "import overhead ours - @langchain/core",
    t(OURS) - t(CORE),
    "ms",
  );

  const sizes = new Map<string, BundleSize>();
  for (const e of ENTRIES) {
    try {
      const s = await withRetry(() => bundleSize(e));
      sizes.set(e.name, s);
      result.measurements.push({
        subject: e.name,
        metric: "bundle min",
        unit: "KB",
        value: round(s.minBytes / 1024, 1),
      });
      result.measurements.push({
        subject: e.name,
        metric: "bundle min+gz",
        unit: "KB",
        value: round(s.gzipBytes / 1024, 1),
      });
      result.notes.push(
        `${e.name} bundle, largest packages (min bytes): ${s.top.map((x) => `${x.pkg} ${Math.round(x.bytes / 1024)} KB`).join(", ")}`,
      );
    } catch (err) {
      result.skippedSubjects.push({ subject: `${e.name} bundle`, reason: errorMessage(err) });
    }
  }
  const gz = (e: Entry): number => (sizes.get(e.name)?.gzipBytes ?? Number.NaN) / 1024;
  addRatio(
    result,
    "footprint.bundle_overhead_kb",
    "bundle overhead ours - @langchain/core (min+gz)",
    gz(OURS) - gz(CORE),
    "KB",
  );

  try {
    const pack = await withRetry(() => packSize());
    result.measurements.push({
      subject: "langchain-databricks",
      metric: "npm pack tarball",
      unit: "KB",
      value: round(pack.size / 1024, 1),
    });
    result.measurements.push({
      subject: "langchain-databricks",
      metric: `npm pack unpacked (${pack.entryCount} files)`,
      unit: "KB",
      value: round(pack.unpackedSize / 1024, 1),
    });
  } catch (err) {
    result.skippedSubjects.push({ subject: "npm pack", reason: errorMessage(err) });
  }
  result.notes.push("Overheads are same-run differences of medians (ms) or of sizes (KB), not ratios.");
  return result;
}

export const footprintSuite: Suite = {
  id: "footprint",
  title: "Footprint: import time, bundle size, package size",
  run: (ctx) => runFootprint(ctx, ctx.config.quick ? 3 : 11),
};
