/**
 * Output helpers shaped like the seed page: each call is shown as the line of code that made it, followed by
 * its result in the seed's `output` style (strings quoted with single quotes, as Python's repr prints them).
 */
export function heading(text: string): void {
  console.log(`\n## ${text}`);
}

/** The code that is about to run (one line, or several joined). */
export function code(...lines: string[]): void {
  for (const line of lines) console.log(`>>> ${line}`);
}

/** A result, printed like the seed's `output` blocks. */
export function output(value: unknown): void {
  if (typeof value === "string") console.log(repr(value));
  else if (Array.isArray(value) && value.every((v) => typeof v === "number"))
    console.log(`[${value.join(", ")}]`);
  else console.log(JSON.stringify(value));
}

/** A remark about what happened (not a result). */
export function info(text: string): void {
  console.log(`   ${text}`);
}

/** Says that a step (or part of one) did not run, and why. */
export function skip(reason: string): void {
  console.log(`   skipped: ${reason}`);
}

/** Python-style repr of a string: single quotes unless the text contains one. */
export function repr(text: string): string {
  if (!text.includes("'")) return `'${text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}'`;
  return JSON.stringify(text);
}
