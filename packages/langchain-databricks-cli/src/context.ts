import type { Command } from "commander";
import { CliUsageError } from "./exit-codes.js";
import type { CliIO } from "./io.js";

/** Options every command accepts (declared once on the root program; valid before or after the subcommand). */
export interface GlobalOptions {
  host?: string;
  token?: string;
  profile?: string;
  clientId?: string;
  clientSecret?: string;
  configFile?: string;
  /** Seconds, as typed by the user. */
  timeout?: number;
  maxRetries?: number;
  allowInsecureHttp?: boolean;
}

/** The subset of the library's auth options the CLI can set; anything unset falls back to env and profiles. */
export interface CliAuthOptions extends Omit<GlobalOptions, "timeout"> {
  /** Milliseconds per attempt. */
  timeout?: number;
}

/** What a command action receives besides its own arguments. */
export interface CommandContext {
  io: CliIO;
  auth: CliAuthOptions;
  /** Secret values to scrub from anything the CLI prints. */
  secrets: string[];
}

/** Parses `--timeout` (seconds, decimals allowed) for commander. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliUsageError(`--timeout must be a positive number of seconds, got "${value}".`);
  }
  return seconds;
}

/** Parses a positive integer option (batch sizes, ports, counts). */
export function parsePositiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new CliUsageError(`${flag} must be a positive integer, got "${value}".`);
    return n;
  };
}

/** Parses a TCP port (1-65535). */
export function parsePort(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 65535) {
      throw new CliUsageError(`${flag} must be a port number from 1 to 65535, got "${value}".`);
    }
    return n;
  };
}

/** Parses `--max-retries` (0 allowed: fail fast). */
export function parseRetries(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 20) {
    throw new CliUsageError(`--max-retries must be an integer from 0 to 20, got "${value}".`);
  }
  return n;
}

/** Builds the library auth options from the global flags; unset flags are omitted so env/profile resolution applies. */
export function authOptionsFrom(globals: GlobalOptions): CliAuthOptions {
  const auth: CliAuthOptions = {};
  if (globals.host) auth.host = globals.host;
  if (globals.token) auth.token = globals.token;
  if (globals.profile) auth.profile = globals.profile;
  if (globals.clientId) auth.clientId = globals.clientId;
  if (globals.clientSecret) auth.clientSecret = globals.clientSecret;
  if (globals.configFile) auth.configFile = globals.configFile;
  if (globals.timeout !== undefined) auth.timeout = Math.round(globals.timeout * 1000);
  if (globals.maxRetries !== undefined) auth.maxRetries = globals.maxRetries;
  if (globals.allowInsecureHttp) auth.allowInsecureHttp = true;
  return auth;
}

/** Builds the context for a leaf command from its merged options. */
export function contextFor(command: Command, io: CliIO): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const secrets = [
    globals.token,
    globals.clientSecret,
    io.env.DATABRICKS_TOKEN,
    io.env.DATABRICKS_CLIENT_SECRET,
  ];
  return {
    io,
    auth: authOptionsFrom(globals),
    secrets: secrets.filter((s): s is string => typeof s === "string" && s !== ""),
  };
}

/** Writes one line of JSON (for `--json` output and JSONL streams). */
export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Writes a line of text to stdout. */
export function writeLine(io: CliIO, line = ""): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a diagnostic line to stderr (progress, summaries, warnings): stdout stays clean for pipes. */
export function note(io: CliIO, line: string): void {
  io.stderr.write(`${line}\n`);
}
