import { ConfigError } from "../errors.js";
import type { DatabricksAuthOptions } from "../options.js";

/** Checks option shapes (no I/O); throws `ConfigError` naming the option. */
export function validateOptions(o: DatabricksAuthOptions): void {
  if (
    o.timeout !== undefined &&
    !(typeof o.timeout === "number" && o.timeout > 0 && Number.isFinite(o.timeout))
  ) {
    throw new ConfigError(`\`timeout\` must be a positive number of milliseconds, got ${String(o.timeout)}.`);
  }
  const idle = o.streamIdleTimeoutMs;
  // setTimeout turns anything past 2^31 - 1 ms (and Infinity) into 1 ms: refuse it rather than time out at once.
  if (idle !== undefined && !(typeof idle === "number" && idle > 0 && idle <= 2_147_483_647)) {
    throw new ConfigError(
      `\`streamIdleTimeoutMs\` must be a positive number of milliseconds up to 2147483647, got ${String(idle)}.`,
    );
  }
  const max = o.maxResponseBytes;
  if (max !== undefined && !(typeof max === "number" && max > 0 && !Number.isNaN(max))) {
    throw new ConfigError(
      `\`maxResponseBytes\` must be a positive number of bytes (Infinity for no bound), got ${String(max)}.`,
    );
  }
  if (o.maxRetries !== undefined && !(Number.isInteger(o.maxRetries) && o.maxRetries >= 0)) {
    throw new ConfigError(`\`maxRetries\` must be a non-negative integer, got ${String(o.maxRetries)}.`);
  }
  if (o.tokenProvider !== undefined && typeof o.tokenProvider !== "function") {
    throw new ConfigError("`tokenProvider` must be a function returning a token (or a promise of one).");
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") {
    throw new ConfigError("`fetch` must be a fetch-compatible function.");
  }
}
