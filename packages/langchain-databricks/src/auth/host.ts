import { ConfigError } from "../errors.js";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`: plain http is safe only on these. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(h) || h.endsWith(".localhost") || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Normalises a workspace host to an origin such as `https://adb-1.2.azuredatabricks.net`.
 *
 * Accepts the host with or without scheme, trailing slashes, path, query (`?o=<org id>`) or fragment; strips
 * by parsing, never by character set (the Python LLM's `lstrip("https://")` mangles hosts starting with
 * h/t/p/s). Plain `http://` is allowed only for loopback hosts unless `allowInsecureHttp` is set, because the
 * bearer token would otherwise cross the network in clear text.
 *
 * @param source names where the value came from, for the error message (e.g. "DATABRICKS_HOST").
 */
export function normalizeHost(raw: string, allowInsecureHttp: boolean, source = "host"): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(
      `Invalid Databricks host ${JSON.stringify(raw)} (from ${source}): expected e.g. "https://my-workspace.cloud.databricks.com".`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(
      `Invalid Databricks host ${JSON.stringify(raw)} (from ${source}): scheme must be https:// (or http:// for loopback).`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(
      `Invalid Databricks host (from ${source}): credentials in the URL are not supported; pass \`token\` or set DATABRICKS_TOKEN.`,
    );
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopbackHostname(url.hostname)) {
    throw new ConfigError(
      `Refusing plain http:// for non-loopback host ${url.host} (from ${source}): the token would be sent unencrypted. ` +
        "Use https://, or pass `allowInsecureHttp: true` if you really mean it.",
    );
  }
  // `URL.origin` drops the path, query and fragment, and the default port (:443 / :80).
  return url.origin;
}
