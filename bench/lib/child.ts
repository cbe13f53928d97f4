// Runs a short Node child process and returns its stdout; bounded by a timeout so a hung child cannot hang the run.
import { execFile } from "node:child_process";

export function runNode(
  args: readonly string[],
  opts: { cwd: string; timeoutMs: number; env?: Record<string, string> },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...args],
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, ...opts.env },
      },
      (err, stdout, stderr) => {
        if (err) {
          // The last stderr lines carry the real cause; the command line (a whole script) is noise.
          const detail = stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 400);
          const how = err.killed ? "timed out" : `exit ${String(err.code ?? err.signal)}`;
          reject(new Error(`child process failed (${how})${detail ? `: ${detail}` : ""}`));
        } else resolve(stdout);
      },
    );
  });
}

/** The last non-empty stdout line parsed as JSON (children print one JSON result line last). */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split("\n").filter(Boolean).pop();
  if (!line) throw new Error("child printed nothing");
  return JSON.parse(line) as T;
}
