// Runs suites one after another; a suite that throws becomes an "error" result instead of ending the run.
import { performance } from "node:perf_hooks";
import { errorMessage } from "./measure.js";
import { emptyResult } from "./result.js";
import type { Suite, SuiteContext, SuiteResult } from "./types.js";

export async function runSuites(suites: readonly Suite[], ctx: SuiteContext): Promise<SuiteResult[]> {
  const out: SuiteResult[] = [];
  for (const suite of suites) {
    if (ctx.config.only.length > 0 && !ctx.config.only.includes(suite.id)) continue;
    ctx.log(`suite ${suite.id}: ${suite.title}`);
    const t0 = performance.now();
    let result: SuiteResult;
    try {
      result = await suite.run(ctx);
    } catch (err) {
      result = { ...emptyResult(suite.id, suite.title), status: "error", reason: errorMessage(err) };
    }
    result.durationMs = Math.round(performance.now() - t0);
    ctx.log(
      `suite ${suite.id}: ${result.status}${result.reason ? ` (${result.reason})` : ""} in ${result.durationMs} ms`,
    );
    out.push(result);
  }
  return out;
}
