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
  for (const name of ["streamIdleTimeoutMs", "maxResponseBytes"] as const) {
    const v = o[name];
    if (v !== undefined && !(typeof v === "number" && v > 0 && !Number.isNaN(v))) {
      throw new ConfigError(`\`${name}\` must be a positive number, got ${String(v)}.`);
    }
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
