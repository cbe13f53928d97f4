/**
 * Process exit codes, stable for scripts:
 * 0 success · 1 usage (bad flags/arguments/input files) · 2 configuration or authentication ·
 * 3 API error (the workspace answered with an error) · 4 network (unreachable, timed out, port in use) ·
 * 130 interrupted.
 */
export const ExitCode = {
  ok: 0,
  usage: 1,
  config: 2,
  api: 3,
  network: 4,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in how the CLI was called; the message says what to change. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A failure the CLI detected itself, with the exit code it maps to and a message already in CLI terms. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

/** The user pressed Ctrl-C (or sent SIGTERM); the message says what was done before stopping. */
export class CliInterrupted extends Error {
  override name = "CliInterrupted";
}
