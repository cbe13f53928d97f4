/**
 * The CLI's view of the outside world. Commands never touch `process` directly, so the whole CLI can run
 * in-process in tests with captured output, and `main.ts` is the only place that calls `process.exit`.
 */
export interface CliOutput {
  write(chunk: string): unknown;
  /** True when a human is watching (progress bars, colours, the REPL). */
  isTTY?: boolean;
  /** Terminal width, when it is one. */
  columns?: number;
}

export interface CliIO {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  onInterrupt(listener: () => void): () => void;
}

/** The real process streams; used by `main.ts`. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(listener) {
      // The first Ctrl-C asks the command to stop cleanly; a second one, while that is still going on, ends
      // the process at once (130) in case the clean stop is stuck. Without a listener the default applies.
      let asked = false;
      const onSignal = () => {
        if (asked) process.exit(130);
        asked = true;
        listener();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      return () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      };
    },
  };
}

/** Reads a whole stream as UTF-8 (stdin when piped). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString("utf8");
}
