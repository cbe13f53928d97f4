// Suite 7: memory. A child process (--expose-gc) runs N ChatDatabricks invokes and records heapUsed after GC at
// each tenth; the goal compares the heap at the end with the heap after the first tenth (issue 7: 100,000 vs
// 10,000 invokes).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lastJsonLine, runNode } from "../lib/child.js";
import { ourExport } from "../lib/load.js";
import { addRatio, emptyResult, skippedResult } from "../lib/result.js";
import { round } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";

const child = join(dirname(fileURLToPath(import.meta.url)), "..", "lib", "memory-child.ts");

export async function runMemory(ctx: SuiteContext, invokes: number): Promise<SuiteResult> {
  const id = "memory";
  const title = "Memory over many invokes";
  const ours = await ourExport("ChatDatabricks");
  if (!ours.ok) return skippedResult(id, title, ours.reason);
  const result = emptyResult(id, title);
  const job = {
    url: ctx.target.url,
    token: ctx.target.token,
    chatEndpoint: ctx.target.chatEndpoint,
    invokes,
    concurrency: 8,
  };
  ctx.log(`memory: ${invokes} invokes in a child process`);
  const out = await runNode(["--expose-gc", "--import", "tsx", child], {
    cwd: dirname(child),
    timeoutMs: 300_000,
    env: { BENCH_MEMORY: JSON.stringify(job) },
  });
  const { checkpoints } = lastJsonLine<{ checkpoints: { invokes: number; heapUsed: number }[] }>(out);
  for (const c of checkpoints) {
    result.measurements.push({
      subject: "ChatDatabricks (ours)",
      metric: `heap after GC at ${c.invokes} invokes`,
      unit: "MB",
      value: round(c.heapUsed / 1024 / 1024, 2),
    });
  }
  const first = checkpoints[0];
  const last = checkpoints[checkpoints.length - 1];
  if (first && last && first !== last) {
    addRatio(
      result,
      "memory.heap_growth",
      `heap at ${last.invokes} / heap at ${first.invokes} invokes`,
      last.heapUsed / first.heapUsed,
    );
  }
  return result;
}

export const memorySuite: Suite = {
  id: "memory",
  title: "Memory over many invokes",
  run: (ctx) => runMemory(ctx, ctx.config.quick ? 10_000 : 100_000),
};
