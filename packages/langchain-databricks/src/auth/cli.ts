import { ConfigError } from "../errors.js";
import type { ConfigIo } from "./io.js";
import type { ExpiringToken } from "./refreshing-token.js";

/**
 * Runs `databricks auth token --host <host> [--profile <p>]`. Returns undefined when the CLI is not
 * installed; throws a config error when it is installed but cannot produce a token (e.g. not logged in).
 */
export async function fetchCliToken(
  io: ConfigIo,
  host: string,
  profile: string | undefined,
  now: () => number = Date.now,
): Promise<ExpiringToken | undefined> {
  const args = ["auth", "token", "--host", host, ...(profile ? ["--profile", profile] : [])];
  const res = await io.runCli(args, 30_000);
  if (res === undefined) return undefined;
  if (res.code !== 0) {
    const why = res.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 500);
    throw new ConfigError(
      `\`databricks auth token --host ${host}\` failed (exit ${res.code}): ${why || "no output"}. ` +
        `Run \`databricks auth login --host ${host}\`, or pass \`token\` / set DATABRICKS_TOKEN.`,
    );
  }
  let json: { access_token?: unknown; token_type?: unknown; expiry?: unknown; expires_in?: unknown };
  try {
    json = JSON.parse(res.stdout) as typeof json;
  } catch {
    throw new ConfigError(
      "`databricks auth token` did not print JSON; upgrade the Databricks CLI (>= 0.200).",
    );
  }
  if (typeof json.access_token !== "string" || json.access_token === "") {
    throw new ConfigError("`databricks auth token` printed no access_token; run `databricks auth login`.");
  }
  const expiry = typeof json.expiry === "string" ? Date.parse(json.expiry) : Number.NaN;
  const expiresAt = Number.isNaN(expiry)
    ? now() + (typeof json.expires_in === "number" ? json.expires_in * 1000 : 3_600_000)
    : expiry;
  return {
    accessToken: json.access_token,
    tokenType: typeof json.token_type === "string" ? json.token_type : "Bearer",
    expiresAt,
  };
}
