/**
 * The CLI's view of the outside world. Commands never touch `process` directly, so the whole CLI can run
 * in-process in tests with captured output, and `main.ts` is the only place that calls `process.exit`.
 */
export interface CliOutput {
  write(chunk: string): unknown;
  /** True when a human is watching (progress bars, colours, the REPL). */
  isTTY?: boolean;
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
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
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
