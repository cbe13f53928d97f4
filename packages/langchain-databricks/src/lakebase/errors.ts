import { DatabricksError, type DatabricksErrorInit } from "../errors.js";

/**
 * Errors of the Lakebase pool, checkpointer and store. Every one is a {@link DatabricksError}; `errorCode` holds the
 * Postgres SQLSTATE when the server sent one. Messages never include the database credential.
 */
export class LakebaseError extends DatabricksError {
  override name = "LakebaseError";
}

/** The instance refused the login (SQLSTATE 28P01/28000) even with a freshly generated credential. */
export class LakebaseAuthenticationError extends LakebaseError {
  override name = "LakebaseAuthenticationError";
}

/** The connection to the instance failed or was lost (instance deleted, stopped, network down). */
export class LakebaseConnectionError extends LakebaseError {
  override name = "LakebaseConnectionError";
}

/** The instance exists but did not become AVAILABLE with a host to connect to in time. */
export class LakebaseInstanceNotReadyError extends LakebaseError {
  override name = "LakebaseInstanceNotReadyError";
}

/** A store value that cannot be stored as JSON (functions, BigInt, NaN, cycles, class instances...). */
export class StoreValueError extends LakebaseError {
  override name = "StoreValueError";
}

const AUTH_STATES = new Set(["28P01", "28000"]);
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

/** True for a Postgres authentication failure (wrong or expired password). */
export const isAuthFailure = (e: unknown): boolean =>
  typeof e === "object" && e !== null && AUTH_STATES.has(String((e as PgLikeError).code));

const isConnectionFailure = (e: unknown): boolean => {
  if (typeof e !== "object" || e === null) return false;
  const { code, message } = e as PgLikeError;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08") || code === "57P01"))
    return true;
  return (
    typeof message === "string" &&
    /Connection terminated|connection timeout|Client has encountered a connection error|Connection ended/i.test(
      message,
    )
  );
};

/**
 * Maps a `pg` error onto the typed hierarchy (authentication, connection) and leaves SQL errors as
 * {@link LakebaseError} with their SQLSTATE. Already typed errors pass through.
 */
export const toLakebaseError = (e: unknown, what: string): DatabricksError => {
  if (e instanceof DatabricksError) return e;
  const code = typeof e === "object" && e !== null ? (e as PgLikeError).code : undefined;
  const message = String((e as PgLikeError | undefined)?.message ?? e);
  const init: DatabricksErrorInit = { cause: e, ...(typeof code === "string" ? { errorCode: code } : {}) };
  if (isAuthFailure(e))
    return new LakebaseAuthenticationError(`${what}: ${message}`, { ...init, status: 401 });
  if (isConnectionFailure(e)) return new LakebaseConnectionError(`${what}: ${message}`, init);
  return new LakebaseError(`${what}: ${message}`, init);
};
