/** Test helper: an in-memory {@link CliIO} that records output (not exported by the package). */
import { Readable } from "node:stream";
import type { CliIO } from "../src/io.js";

export interface FakeIO extends CliIO {
  out(): string;
  err(): string;
  /** Fires the interrupt listeners, as Ctrl-C would. */
  interrupt(): void;
}

export interface FakeIOOptions {
  stdin?: string;
  stdinIsTTY?: boolean;
  /** Makes stdout / stderr look like a terminal of `columns` width (progress bars, the REPL's line editing). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  columns?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function fakeIO(options: FakeIOOptions = {}): FakeIO {
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & {
    isTTY?: boolean;
  };
  stdin.isTTY = options.stdinIsTTY ?? false;
  return {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
      isTTY: options.stdoutIsTTY ?? false,
      columns: options.columns ?? 80,
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
      isTTY: options.stderrIsTTY ?? false,
      columns: options.columns ?? 80,
    },
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    onInterrupt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    out: () => stdout,
    err: () => stderr,
    interrupt: () => {
      for (const l of [...listeners]) l();
    },
  };
}
