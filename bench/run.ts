// Benchmark harness entry point: starts ONE target (the emulator), runs every suite against it, and writes
// results/latest.{json,md,svg} (results/quick.* for --quick). Usage:
//   npm run bench                      full run (< 10 min on 2 cores)
//   npm run bench -- --quick           smoke variant (< 60 s, part of `npm test`), writes results/quick.*; fails if a suite errors
//   npm run bench -- --only=latency,footprint   run some suites
//   npm run bench -- --stub            use the bench stub instead of the emulator (harness development only)
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { evaluateGoals } from "./lib/goals.js";
import { renderMarkdown, renderSvg } from "./lib/report.js";
import { runSuites } from "./lib/runner.js";
import { startTarget } from "./lib/target.js";
import type { BenchReport, RunConfig } from "./lib/types.js";
import { SUITES } from "./suites/index.js";

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: readonly string[]): RunConfig & { stub: boolean } {
  const only = argv.find((a) => a.startsWith("--only="));
  const known = new Set(SUITES.map((s) => s.id));
  const ids = only ? only.slice("--only=".length).split(",").filter(Boolean) : [];
  for (const id of ids) {
    if (!known.has(id))
      throw new Error(`--only: unknown suite "${id}"; known suites: ${[...known].join(", ")}`);
  }
  return { quick: argv.includes("--quick"), only: ids, stub: argv.includes("--stub") };
}

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const target = await startTarget(config.stub);
  const log = (message: string): void => console.log(`[bench] ${message}`);
  log(`target: ${target.kind} at ${target.url}${target.fallbackReason ? ` (${target.fallbackReason})` : ""}`);
  let suites: BenchReport["suites"];
  try {
    suites = await runSuites(SUITES, { target, config, log });
  } finally {
    await target.close();
  }
  const cpu = cpus();
  const report: BenchReport = {
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    quick: config.quick,
    machine: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? "unknown",
    },
    target: { kind: target.kind, fallbackReason: target.fallbackReason },
    suites,
    goals: evaluateGoals(suites),
  };
  const outDir = join(here, "results");
  const base = config.quick ? "quick" : config.only.length > 0 ? "partial" : "latest";
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const md = renderMarkdown(report);
  await writeFile(join(outDir, `${base}.md`), md);
  await writeFile(join(outDir, `${base}.svg`), renderSvg(report));
  console.log(`\n${md}`);
  log(`wrote results/${base}.{json,md,svg} in ${(report.durationMs / 1000).toFixed(1)} s`);
  // The quick run is the smoke test `npm test` runs: a suite that broke must fail it, or the harness rots.
  const broken = suites.filter((s) => s.status === "error");
  if (config.quick && broken.length > 0) {
    console.error(`[bench] quick run failed: ${broken.map((s) => `${s.id} (${s.reason})`).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
