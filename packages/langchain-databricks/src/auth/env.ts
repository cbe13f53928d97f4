/** A source of environment variables: `process.env` on Node, or an injected record (tests, other runtimes). */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * Returns `process.env` when the runtime has one, else an empty record. Works in browsers, Deno (where
 * reading env may throw without permission) and edge runtimes.
 */
export function defaultEnv(): EnvSource {
  try {
    const proc = (globalThis as { process?: { env?: EnvSource } }).process;
    return proc?.env ?? {};
  } catch {
    return {};
  }
}

/** Reads one variable; empty and whitespace-only values count as unset, as in the Databricks SDKs. */
export function readEnv(env: EnvSource, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}
