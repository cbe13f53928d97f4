import { CliUsageError, ExitCode, type ExitCodeValue } from "./exit_codes.js";

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

/**
 * Maps any thrown value to a human message and an exit code. Errors of the library are recognised by
 * `name` (not `instanceof`) so that errors from another copy of the package (ESM vs CJS) are handled too.
 */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliUsageError) return { message: error.message, exitCode: ExitCode.usage };
  const e = asErrorLike(error);
  if (!e) return { message: `Unexpected error: ${text(error)}`, exitCode: ExitCode.usage };
  const name = text(e.name ?? "Error");
  const message = text(e.message ?? "");
  const status = typeof e.status === "number" ? e.status : undefined;
  const code = typeof e.errorCode === "string" && e.errorCode !== "" ? e.errorCode : undefined;
  const requestId =
    typeof e.requestId === "string" && e.requestId !== "" ? ` (request id ${e.requestId})` : "";

  if (name === "DatabricksConfigError") {
    return { message: `Configuration error: ${message}`, exitCode: ExitCode.config };
  }
  if (name === "DatabricksTimeoutError") {
    const hint = /raise/i.test(message) ? "" : " Raise --timeout (seconds) if the workspace is slow.";
    return {
      message: `Timed out: ${message}${hint ? `${/[.!?]$/.test(message) ? "" : "."}${hint}` : ""}`,
      exitCode: ExitCode.network,
    };
  }
  if (name === "DatabricksAbortError") return { message: "Interrupted.", exitCode: ExitCode.interrupted };
  if (
    name === "DatabricksConnectionError" ||
    (status === undefined && findNetworkCode(error) !== undefined)
  ) {
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
      message: `Authentication failed (${status}${code ? ` ${code}` : ""}): ${message}${requestId}. ${AUTH_HINT}`,
      exitCode: ExitCode.config,
    };
  }
  if (status !== undefined || code !== undefined || name === "OperationFailedError") {
    const label = [status, code].filter((v) => v !== undefined).join(" ");
    return {
      message: `API error${label ? ` (${label})` : ""}: ${message}${requestId}`,
      exitCode: ExitCode.api,
    };
  }
  return { message: `${name === "Error" ? "Error" : name}: ${message}`, exitCode: ExitCode.usage };
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
  return out;
}
