// Renders a BenchReport as markdown and as a hand-written SVG bar chart. Pure functions of the JSON, so the
// report can be regenerated from latest.json and tested on fixed data.
import type { BenchReport, GoalResult, Ratio, SuiteResult } from "./types.js";

export function fmt(value: number | null | undefined, unit = ""): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  const abs = Math.abs(value);
  // Ratios sit close to their thresholds (1.2x, 1.25x...), so they keep three decimals: "1.20x" must not hide 1.203.
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : unit === "x" ? 3 : abs >= 1 ? 2 : 3;
  const text = value.toFixed(digits);
  return unit === "x" ? `${text}x` : unit ? `${text} ${unit}` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A quick run is a smoke test of the harness (1 round, 1 s loads): its ratios are shown, never judged. */
function verdictMark(g: GoalResult, quick: boolean): string {
  if (g.verdict === "not measured") return "not measured";
  if (quick) return "informational";
  if (g.verdict === "met") return g.informational ? "reported" : "**met**";
  if (g.verdict === "missed") return g.informational ? "reported" : "**MISSED**";
  return "not measured";
}

function goalUnit(g: GoalResult): string {
  if (g.key.endsWith("_ms")) return "ms";
  if (g.key.endsWith("_kb")) return "KB";
  return "x";
}

export function renderGoalsTable(goals: readonly GoalResult[], quick = false): string {
  const lines = ["| Goal | Issue | Target | Measured | Verdict |", "|---|---|---|---|---|"];
  for (const g of goals) {
    const unit = goalUnit(g);
    lines.push(
      `| ${cell(g.description)} | #${g.issue} | ${g.informational ? "not gated" : `${g.op} ${fmt(g.threshold, unit)}`} | ${fmt(g.value, unit)} | ${verdictMark(g, quick)} |`,
    );
  }
  return lines.join("\n");
}

function renderSuite(s: SuiteResult): string {
  const out = [`### ${s.title} (\`${s.id}\`)`, ""];
  if (s.status !== "ok") {
    out.push(`${s.status}: ${s.reason ?? "no reason given"}`, "");
    return out.join("\n");
  }
  out.push(`took ${(s.durationMs / 1000).toFixed(1)} s`, "");
  if (s.measurements.length > 0) {
    out.push("| Subject | Metric | Value | p99 latency | n |", "|---|---|---|---|---|");
    for (const m of s.measurements) {
      const p99 = m.p99 === undefined ? "" : fmt(m.p99, "ms");
      out.push(
        `| ${cell(m.subject)} | ${cell(m.metric)} | ${fmt(m.value, m.unit)} | ${p99} | ${m.n ?? ""} |`,
      );
    }
    out.push("");
  }
  if (s.ratios.length > 0) {
    out.push("| Ratio | Value |", "|---|---|");
    for (const r of s.ratios) out.push(`| ${cell(r.label)} | ${fmt(r.value, r.unit ?? "x")} |`);
    out.push("");
  }
  for (const k of s.skippedSubjects) out.push(`- skipped ${k.subject}: ${cell(k.reason)}`);
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.skippedSubjects.length + s.notes.length > 0) out.push("");
  return out.join("\n");
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const target =
    report.target.kind === "emulator"
      ? "databricks-emulator"
      : `bench stub (NOT the emulator: ${report.target.fallbackReason ?? "unknown reason"})`;
  const met = report.goals.filter((g) => !g.informational && g.verdict === "met").length;
  const gated = report.goals.filter((g) => !g.informational).length;
  return [
    `# Benchmark results${report.quick ? " (quick smoke run: not a verdict)" : ""}`,
    "",
    `- started ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s`,
    `- Node ${m.node} on ${m.platform}/${m.arch}, ${m.cpus} CPUs (${m.cpuModel})`,
    `- target: ${target}`,
    report.quick
      ? `- quick run: ${gated} gated goals shown as informational ratios; \`npm run bench\` gives the verdicts`
      : `- goals met: ${met} of ${gated} gated goals`,
    "",
    "## Goals",
    "",
    renderGoalsTable(report.goals, report.quick),
    "",
    "## Suites",
    "",
    ...report.suites.map(renderSuite),
  ].join("\n");
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface ChartRow {
  label: string;
  value: number;
  unit: string;
  goal?: GoalResult;
}

function chartRows(report: BenchReport): ChartRow[] {
  const goals = new Map(report.goals.map((g) => [g.key, g]));
  const rows: ChartRow[] = [];
  const all: Ratio[] = report.suites.flatMap((s) => s.ratios);
  for (const r of all)
    rows.push({ label: r.label, value: r.value, unit: r.unit ?? "x", goal: goals.get(r.key) });
  return rows;
}

/**
 * Horizontal bars, one per ratio. True ratios ("x") share one linear axis (with a thin line at 1x) so they can be
 * compared at a glance; overheads in ms/KB each get their own scale (0 .. 1.25 x max(value, goal)). A goal is a
 * dashed tick; bars are green when the goal is met, red when missed, grey when there is no gated goal.
 */
export function renderSvg(report: BenchReport): string {
  const rows = chartRows(report);
  const width = 900;
  const labelW = 400;
  const barW = 380;
  const rowH = 26;
  const top = 40;
  const height = top + Math.max(1, rows.length) * rowH + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(
      `langchain-databricks benchmark ratios${report.quick ? " (quick run)" : ""} - ${report.startedAt.slice(0, 10)}`,
    )}</text>`,
  ];
  if (rows.length === 0) parts.push(`<text x="10" y="${top + 16}">no ratios measured</text>`);
  const ratioMax =
    Math.max(1, ...rows.filter((r) => r.unit === "x").map((r) => Math.max(r.value, r.goal?.threshold ?? 0))) *
    1.1;
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    // Reported-only goals get no tick: there is no line to be on the right side of.
    const threshold = row.goal && !row.goal.informational ? row.goal.threshold : undefined;
    const scaleMax = row.unit === "x" ? ratioMax : Math.max(row.value, threshold ?? 0, 1e-9) * 1.25;
    if (row.unit === "x") {
      const one = labelW + (1 / scaleMax) * barW;
      parts.push(
        `<line x1="${one.toFixed(1)}" y1="${y}" x2="${one.toFixed(1)}" y2="${y + rowH}" stroke="#bbb"/>`,
      );
    }
    const w = Math.max(1, (row.value / scaleMax) * barW);
    const gated = row.goal && !row.goal.informational && !report.quick;
    const color = !gated ? "#9e9e9e" : row.goal?.verdict === "met" ? "#2e7d32" : "#c62828";
    parts.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(row.label)}</text>`);
    parts.push(
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${color}"/>`,
    );
    const valueText = fmt(row.value, row.unit);
    parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 16}">${esc(valueText)}</text>`);
    if (threshold !== undefined) {
      const gx = labelW + (threshold / scaleMax) * barW;
      parts.push(
        `<line x1="${gx.toFixed(1)}" y1="${y + 1}" x2="${gx.toFixed(1)}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"><title>${esc(
          `goal ${row.goal?.op} ${fmt(threshold, row.unit)}`,
        )}</title></line>`,
      );
    }
  });
  parts.push(
    `<text x="10" y="${height - 10}" fill="#555">dashed tick = goal, grey line = 1x; green = met, red = missed, grey = reported only. Ratios (x) share one axis; ms/KB rows have their own.</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}
