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
        if (err)
          reject(
            new Error(
              `child node ${args.slice(0, 2).join(" ")} failed: ${err.message} ${stderr.slice(0, 500)}`,
            ),
          );
        else resolve(stdout);
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
