/**
 * The progress bar of the long commands (embed, vector-search upsert, batch-inference): on stderr, only on a
 * terminal, cursor hidden while it runs; `cli-progress` loads only when a bar is shown.
 */
import type { SingleBar } from "cli-progress";
import type { CliIO } from "./io.js";

export interface ProgressBarOptions {
  /** The bar's line, e.g. `"embedding [{bar}] {value}/{total} {percentage}% eta {eta}s"`. */
  format: string;
  total: number;
  /** Initial values of the format's own tokens (`{state}`). */
  payload?: Record<string, unknown>;
  /** False (`--no-progress`, nothing to do) shows no bar. @default true */
  enabled?: boolean;
}

/** A started bar, or `undefined` when disabled or stderr is not a terminal. Call `stop()` when done. */
export async function progressBar(io: CliIO, options: ProgressBarOptions): Promise<SingleBar | undefined> {
  if (options.enabled === false || !io.stderr.isTTY) return undefined;
  const { default: cliProgress } = await import("cli-progress");
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr as NodeJS.WritableStream, format: options.format, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, options.payload);
  return bar;
}
