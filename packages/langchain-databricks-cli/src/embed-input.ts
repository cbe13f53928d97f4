import { CliUsageError } from "./exit-codes.js";

/** One text to embed, with the caller's id carried through to the output row when the input had one. */
export interface EmbedRow {
  text: string;
  id?: unknown;
}

export type EmbedFormat = "auto" | "lines" | "jsonl";

/**
 * Parses the input of `embed`: plain text (one text per non-empty line) or JSONL (each line a JSON string or
 * an object whose `field` holds the text; an `id` field is kept). `auto` picks JSONL when the first
 * non-empty line parses as a JSON string or object.
 */
export function parseEmbedInput(content: string, format: EmbedFormat, field: string): EmbedRow[] {
  const lines = content.split(/\r?\n/);
  const resolved = format === "auto" ? detectFormat(lines) : format;
  const rows: EmbedRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    if (resolved === "lines") {
      rows.push({ text: line });
      return;
    }
    rows.push(parseJsonLine(line, i + 1, field));
  });
  return rows;
}

function detectFormat(lines: readonly string[]): "lines" | "jsonl" {
  const first = lines.find((l) => l.trim() !== "")?.trim();
  if (!first || !(first.startsWith("{") || first.startsWith('"'))) return "lines";
  try {
    const value: unknown = JSON.parse(first);
    return typeof value === "string" || (typeof value === "object" && value !== null) ? "jsonl" : "lines";
  } catch {
    return "lines";
  }
}

function parseJsonLine(line: string, lineNo: number, field: string): EmbedRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CliUsageError(
      `embed: line ${lineNo} is not valid JSON. Use --format lines for plain text input.`,
    );
  }
  if (typeof value === "string") return { text: value };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const text = record[field];
    if (typeof text !== "string") {
      throw new CliUsageError(
        `embed: line ${lineNo} has no string field "${field}". Choose the field with --field.`,
      );
    }
    return record.id === undefined ? { text } : { text, id: record.id };
  }
  throw new CliUsageError(`embed: line ${lineNo} must be a JSON string or object.`);
}

/** Splits `items` into consecutive batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
