// Re-renders results/<name>.md and .svg from results/<name>.json (default "latest") without re-measuring, e.g.
// after a change to the report format: `npx tsx bench/render.ts [latest|quick|partial]`.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateGoals } from "./lib/goals.js";
import { renderMarkdown, renderSvg } from "./lib/report.js";
import type { BenchReport } from "./lib/types.js";

const name = process.argv[2] ?? "latest";
if (!/^[a-z]+$/.test(name)) throw new Error(`render: expected a result name like "latest", got "${name}"`);
const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
const report = JSON.parse(await readFile(join(dir, `${name}.json`), "utf8")) as BenchReport;
// Goals are data: re-evaluate them so a changed threshold shows without a new run.
report.goals = evaluateGoals(report.suites);
await writeFile(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(dir, `${name}.md`), renderMarkdown(report));
await writeFile(join(dir, `${name}.svg`), renderSvg(report));
console.log(`rendered results/${name}.{md,svg}`);
