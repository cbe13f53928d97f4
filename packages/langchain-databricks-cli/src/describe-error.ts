import { redactSecrets } from "langchain-databricks";
import { CliError, CliInterrupted, CliUsageError, ExitCode, type ExitCodeValue } from "./exit-codes.js";

/** What the CLI prints for a failure: one or two lines, no stack trace, and the exit code. */
export interface ErrorReport {
  message: string;
  exitCode: ExitCodeValue;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  errorCode?: unknown;
  requestId?: unknown;
  code?: unknown;
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const AUTH_HINT =
  "Check the credentials: --token / DATABRICKS_TOKEN, --client-id + --client-secret / DATABRICKS_CLIENT_ID + " +
  "DATABRICKS_CLIENT_SECRET, or --profile / DATABRICKS_CONFIG_PROFILE.";

/** Error names of earlier versions of the library, as they are called now. */
const RENAMED: Readonly<Record<string, string>> = {
  DatabricksConfigError: "ConfigError",
  DatabricksTimeoutError: "TimeoutError",
  DatabricksAbortError: "AbortError",
  DatabricksConnectionError: "ConnectionError",
  DatabricksStreamError: "StreamError",
};

const currentName = (name: string): string => RENAMED[name] ?? name;

function asErrorLike(e: unknown): ErrorLike | undefined {
  return typeof e === "object" && e !== null ? (e as ErrorLike) : undefined;
}

/** Walks `cause` links (bounded: causes can form cycles) looking for a network error code. */
function findNetworkCode(e: unknown): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    const like = asErrorLike(current);
    if (!like) return undefined;
    if (typeof like.code === "string" && NETWORK_CODES.has(like.code)) return like.code;
    current = like.cause;
  }
  return undefined;
}

function stripPeriod(message: string): string {
  return message.replace(/\.+$/, "");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

function seconds(ms: string): string {
  return `${Number(ms) / 1000} s`;
}

/**
 * Library messages speak in constructor options (`timeout` in milliseconds, `allowInsecureHttp: true`,
 * `ServingEndpointsClient.list()`); on the command line the same advice must name flags, env vars and commands.
 * Each entry rewrites one phrase the library really uses (cli.test.ts feeds real library errors through these).
 */
const CLI_TERMS: readonly [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // http/transport-errors.ts and clients/serving-endpoints.ts (waitForReady)
  [/Timed out after (\d+) ms/g, (_, ms) => `Timed out after ${seconds(ms as string)}`],
  [/Raise `timeout` \(milliseconds\)/g, "Raise --timeout (seconds)"],
  [/not ready after (\d+) ms/g, (_, ms) => `not ready after ${seconds(ms as string)}`],
  [/Raise `timeout`\./g, "Raise --wait-timeout (seconds)."],
  [/pass `ca` for a private CA/g, "point NODE_EXTRA_CA_CERTS at a PEM file for a private CA"],
  // auth/host.ts
  [/pass `allowInsecureHttp: true`/g, "pass --allow-insecure-http"],
  // auth/resolve.ts, auth/profile.ts, auth/cli.ts
  [/, pass `tokenProvider`/g, ""],
  [
    /needs a `tokenProvider` function/g,
    "needs a token provider function, which only code can pass (unset DATABRICKS_AUTH_TYPE or the profile's auth_type)",
  ],
  [/the `host` option/g, "--host"],
  [/`host`/g, "--host"],
  [/`token`/g, "--token"],
  [/`clientId`/g, "--client-id"],
  [/`clientSecret`/g, "--client-secret"],
  [/`profile`/g, "--profile"],
  [/`configFile`/g, "--config-file"],
  [/`authType` \/ /g, ""],
  [/ \(or the databricks:\/\/<profile> URI\)/g, ""],
  // http/error-body.ts and clients/serving-endpoints.ts
  [/ServingEndpointsClient\.list\(\)/g, "`langchain-databricks endpoints list`"],
  [/add one with updateConfig\(\)/g, "add one with `langchain-databricks endpoints update-config`"],
];

/** Rewrites the library's option and method names in `message` into the CLI's flags, env vars and commands. */
export function inCliTerms(message: string): string {
  let out = message;
  for (const [pattern, replacement] of CLI_TERMS) {
    out = out.replace(pattern, replacement as string);
  }
  return out;
}

/**
 * Drops the "HTTP 404 RESOURCE_DOES_NOT_EXIST from " that API error messages carry: the CLI puts status and code in
 * its own prefix, so only the request target stays ("(GET /api/2.0/serving-endpoints/x, request id ...)").
 */
function withoutHttpLabel(message: string): string {
  return message.replace(/\(HTTP \d{3}(?: [A-Za-z0-9_]+)? from /g, "(");
}

/** Where to look next when something named does not exist. */
function notFoundHint(message: string, code: string | undefined): string {
  if (code !== "RESOURCE_DOES_NOT_EXIST") return "";
  if (/endpoint/i.test(message) && !message.includes("endpoints list")) {
    return " List the endpoints with `langchain-databricks endpoints list`.";
  }
  if (/scope/i.test(message)) return " List the scopes with `langchain-databricks secrets list-scopes`.";
  return "";
}

/** Failures to listen on a port (serve-driver-proxy): not usage errors, and not worth a stack of "Error:"s. */
const LISTEN_CODES = new Set(["EADDRINUSE", "EACCES", "EADDRNOTAVAIL"]);

/**
 * Maps any thrown value to a human message and an exit code. Errors of the library are recognised by
 * `name` (not `instanceof`) so that errors from another copy of the package (ESM vs CJS) are handled too.
 */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliUsageError) return { message: error.message, exitCode: ExitCode.usage };
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof CliInterrupted) return { message: error.message, exitCode: ExitCode.interrupted };
  const e = asErrorLike(error);
  if (!e) return { message: `Unexpected error: ${text(error)}`, exitCode: ExitCode.usage };
  const name = currentName(text(e.name ?? "Error"));
  const message = inCliTerms(text(e.message ?? ""));
  const status = typeof e.status === "number" ? e.status : undefined;
  const rawCode = typeof e.errorCode === "string" && e.errorCode !== "" ? e.errorCode : undefined;
  // Databricks' own 401/403 bodies carry the status again as a numeric error_code ("403 403" otherwise).
  const code = rawCode === String(status) ? undefined : rawCode;
  const requestId =
    typeof e.requestId === "string" && e.requestId !== "" && !message.includes(e.requestId)
      ? ` (request id ${e.requestId})`
      : "";

  if (name === "ConfigError") {
    return { message: `Configuration error: ${message}`, exitCode: ExitCode.config };
  }
  if (name === "TimeoutError") {
    const hint = /raise/i.test(message) ? "" : " Raise --timeout (seconds) if the workspace is slow.";
    const body = /^timed out/i.test(message) ? message : `Timed out: ${message}`;
    return {
      message: `${body}${hint ? `${/[.!?]$/.test(body) ? "" : "."}${hint}` : ""}`,
      exitCode: ExitCode.network,
    };
  }
  if (name === "AbortError") return { message: "Interrupted.", exitCode: ExitCode.interrupted };
  if (name === "ConnectionError" || (status === undefined && findNetworkCode(error) !== undefined)) {
    const netCode = findNetworkCode(error);
    return {
      message:
        `Network error: ${stripPeriod(message)}${netCode && !message.includes(netCode) ? ` (${netCode})` : ""}. ` +
        "Check --host / DATABRICKS_HOST and that the workspace is reachable.",
      exitCode: ExitCode.network,
    };
  }
  if (status === 401 || (status === 403 && /invalid access token/i.test(message))) {
    return {
      message:
        `Authentication failed (${status}${code ? ` ${code}` : ""}): ${stripPeriod(withoutHttpLabel(message))}${requestId}. ` +
        AUTH_HINT,
      exitCode: ExitCode.config,
    };
  }
  if (status !== undefined || code !== undefined || name === "OperationFailedError") {
    const label = [status, code].filter((v) => v !== undefined).join(" ");
    const body = status !== undefined ? withoutHttpLabel(message) : message;
    const base = `API error${label ? ` (${label})` : ""}: ${body}${requestId}`;
    const hint = notFoundHint(body, code);
    return {
      message: hint ? `${base}${/[.!?]$/.test(base) ? "" : "."}${hint}` : base,
      exitCode: ExitCode.api,
    };
  }
  if (typeof e.code === "string" && LISTEN_CODES.has(e.code)) {
    return { message: `Cannot listen: ${message}`, exitCode: ExitCode.network };
  }
  return { message: name === "Error" ? message : `${name}: ${message}`, exitCode: ExitCode.usage };
}

/**
 * Replaces every known secret value in `message` with `***`. The library never puts credentials in errors;
 * this is a second line of defence for text the CLI itself assembles (e.g. echoing a bad flag value).
 */
export function redact(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  // The library's redactor for every other form: base64 (`Basic base64(token:PAT)`, `Basic base64(id:secret)`),
  // URL-encoded, `client_secret=` / `access_token=` echoes, any `Bearer` / `Basic` value.
  return redactSecrets(out, secrets);
}
