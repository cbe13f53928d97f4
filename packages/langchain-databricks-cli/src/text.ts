import { CliUsageError } from "./exit-codes.js";

/** Extracts the text of a LangChain message content (a string or a list of content blocks). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const block of content) {
    if (typeof block === "string") out += block;
    else if (typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text") {
      const text = (block as { text?: unknown }).text;
      if (typeof text === "string") out += text;
    }
  }
  return out;
}

/** Parses repeatable `--param key=value` flags; values are JSON when they parse as JSON, strings otherwise. */
export function parseParams(pairs: readonly string[] | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliUsageError(`--param expects key=value, got "${pair}".`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the raw string (so --param style=terse works without quoting).
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

/** Commander reducer for repeatable options (`--stop . --stop "\n"`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
