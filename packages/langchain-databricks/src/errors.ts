/**
 * Typed errors. Every error this package throws is a {@link DatabricksError}; API failures use a subclass
 * picked by the Databricks `error_code` first and the HTTP status second (spec/serving-errors.md).
 *
 * Errors never carry credentials: messages are built from the server's error text, the method and the path
 * (never the query string), and `headers` holds only response headers.
 */

/** Registered globally so that ESM and CJS copies of this package recognise each other's errors. */
const BRAND: unique symbol = Symbol.for("langchain-databricks.error") as never;
/** `@langchain/core`'s retry marker (`stampRetryable`); see {@link markNotRetryable}. */
const LC_RETRYABLE = Symbol.for("langchain.errors.retryable");

/** Fields accepted by every error constructor. All optional: transport errors have no status. */
export interface DatabricksErrorInit {
  /** HTTP status of the failed response. */
  status?: number;
  /** Databricks `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`); numeric codes are stringified. */
  errorCode?: string;
  /** Request id from `x-request-id` or the `RequestInfo` error detail. */
  requestId?: string;
  /** Serving endpoint name (or request path when no endpoint applies). */
  endpoint?: string;
  /** Response headers, lower-cased keys (never request headers, which hold the token). */
  headers?: Record<string, string>;
  /** Server-requested delay before a retry, in milliseconds (from `Retry-After`/`retry-after-ms`). */
  retryAfterMs?: number;
  /** Raw `details` array of the Databricks error envelope. */
  details?: unknown[];
  /** Underlying error (network error, parse error...). */
  cause?: unknown;
}

/**
 * Root of every error thrown by langchain-databricks.
 *
 * `status` and `headers["retry-after"]` are where `@langchain/core`'s retry classifier looks.
 * @example
 * try { await client.getEndpoint("nope"); }
 * catch (e) { if (isDatabricksError(e) && e.status === 404) console.log(e.errorCode); }
 */
export class DatabricksError extends Error {
  override name = "DatabricksError";
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly endpoint: string | undefined;
  readonly headers: Record<string, string>;
  retryAfterMs: number | undefined;
  readonly details: unknown[] | undefined;

  constructor(message: string, init: DatabricksErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.requestId = init.requestId;
    this.endpoint = init.endpoint;
    this.headers = init.headers ?? {};
    this.retryAfterMs = init.retryAfterMs;
    this.details = init.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Plain data for logs and traces; contains no credentials. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      requestId: this.requestId,
      endpoint: this.endpoint,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** 400, or `INVALID_PARAMETER_VALUE` / `BAD_REQUEST` / `MALFORMED_REQUEST` / `INVALID_STATE`. */
export class BadRequestError extends DatabricksError {
  override name = "BadRequestError";
}
/** 401: credentials missing or not accepted. */
export class UnauthenticatedError extends DatabricksError {
  override name = "UnauthenticatedError";
}
/** 403: the caller lacks permission (or, with message "Invalid access token.", the token is bad). */
export class PermissionDeniedError extends DatabricksError {
  override name = "PermissionDeniedError";
}
/** 404 / `RESOURCE_DOES_NOT_EXIST` / `ENDPOINT_NOT_FOUND`. */
export class NotFoundError extends DatabricksError {
  override name = "NotFoundError";
}
/** 409 / `ABORTED` / `RESOURCE_CONFLICT`. */
export class ResourceConflictError extends DatabricksError {
  override name = "ResourceConflictError";
}
/** `RESOURCE_ALREADY_EXISTS` / `ALREADY_EXISTS`, whatever the status (secrets use 400). */
export class ResourceAlreadyExistsError extends ResourceConflictError {
  override name = "ResourceAlreadyExistsError";
}
/** 429 / `REQUEST_LIMIT_EXCEEDED` / `RESOURCE_EXHAUSTED`. `retryAfterMs` holds the server's hint. */
export class RequestLimitExceededError extends DatabricksError {
  override name = "RequestLimitExceededError";
}
/** `RESOURCE_LIMIT_EXCEEDED`: a quota on objects (scopes, secrets...), not a rate. */
export class ResourceLimitExceededError extends DatabricksError {
  override name = "ResourceLimitExceededError";
}
/** 499 / `CANCELLED`. */
export class CancelledError extends DatabricksError {
  override name = "CancelledError";
}
/** 500 / `INTERNAL_ERROR` / `UNKNOWN` / `DATA_LOSS`, and other 5xx without a better class. */
export class InternalError extends DatabricksError {
  override name = "InternalError";
}
/** 501 / `NOT_IMPLEMENTED`. */
export class NotImplementedError extends DatabricksError {
  override name = "NotImplementedError";
}
/** 503 / `TEMPORARILY_UNAVAILABLE` (often an endpoint scaling from zero). */
export class TemporarilyUnavailableError extends DatabricksError {
  override name = "TemporarilyUnavailableError";
}
/** 504 / `DEADLINE_EXCEEDED`. */
export class DeadlineExceededError extends DatabricksError {
  override name = "DeadlineExceededError";
}

/** Missing or invalid settings; the message names the option and the env var that provides it. */
export class ConfigError extends DatabricksError {
  override name = "ConfigError";
}
/** No response within the per-attempt `timeout` (ms). */
export class TimeoutError extends DatabricksError {
  override name = "TimeoutError";
}
/**
 * The caller's `AbortSignal` fired. The message starts with "Cancel" so that `@langchain/core`'s
 * retry handler treats it as a cancellation and does not retry.
 */
export class AbortError extends DatabricksError {
  override name = "AbortError";
}
/**
 * The connection failed before a response arrived (refused, reset, DNS, TLS...). `transient` is false for
 * failures a retry cannot fix (TLS certificate rejected, invalid URL).
 */
export class ConnectionError extends DatabricksError {
  override name = "ConnectionError";
  readonly transient: boolean;
  constructor(message: string, init: DatabricksErrorInit & { transient?: boolean } = {}) {
    super(message, init);
    this.transient = init.transient ?? true;
  }
}
/** A streamed response was malformed or truncated, or an in-band error event arrived. */
export class StreamError extends DatabricksError {
  override name = "StreamError";
}
/**
 * A stream sent nothing for `streamIdleTimeoutMs` after its headers (no chunk, not even a keep-alive comment).
 * A {@link TimeoutError}, so code that handles timeouts handles this one too.
 */
export class StreamIdleTimeoutError extends TimeoutError {
  override name = "StreamIdleTimeoutError";
}
/**
 * A non-streaming response body is larger than `maxResponseBytes`: refused from its `Content-Length` before any
 * byte is read, or when the running count passes the bound (the connection is then closed). Never retried: the
 * same request would get the same answer. `status` and `requestId` are those of the refused response.
 */
export class ResponseTooLargeError extends DatabricksError {
  override name = "ResponseTooLargeError";
  /** The bound that was exceeded, bytes. */
  readonly maxResponseBytes: number;
  constructor(message: string, init: DatabricksErrorInit & { maxResponseBytes: number }) {
    super(message, init);
    this.maxResponseBytes = init.maxResponseBytes;
  }
}
/** A long-running operation ended in a failure state (e.g. `UPDATE_FAILED`) or the wait timed out. */
export class OperationFailedError extends DatabricksError {
  override name = "OperationFailedError";
}

/**
 * Error class names before the naming was made consistent (root `DatabricksError`, subclasses named for what
 * went wrong, as the API errors always were). The old names stay exported as deprecated aliases.
 */
const RENAMED = {
  DatabricksConfigError: "ConfigError",
  DatabricksTimeoutError: "TimeoutError",
  DatabricksAbortError: "AbortError",
  DatabricksConnectionError: "ConnectionError",
  DatabricksStreamError: "StreamError",
} as const;

/** @deprecated Renamed {@link ConfigError}. */
export const DatabricksConfigError = ConfigError;
/** @deprecated Renamed {@link ConfigError}. */
export type DatabricksConfigError = ConfigError;
/** @deprecated Renamed {@link TimeoutError}. */
export const DatabricksTimeoutError = TimeoutError;
/** @deprecated Renamed {@link TimeoutError}. */
export type DatabricksTimeoutError = TimeoutError;
/** @deprecated Renamed {@link AbortError}. */
export const DatabricksAbortError = AbortError;
/** @deprecated Renamed {@link AbortError}. */
export type DatabricksAbortError = AbortError;
/** @deprecated Renamed {@link ConnectionError}. */
export const DatabricksConnectionError = ConnectionError;
/** @deprecated Renamed {@link ConnectionError}. */
export type DatabricksConnectionError = ConnectionError;
/** @deprecated Renamed {@link StreamError}. */
export const DatabricksStreamError = StreamError;
/** @deprecated Renamed {@link StreamError}. */
export type DatabricksStreamError = StreamError;

type ErrorClass = new (message: string, init?: DatabricksErrorInit) => DatabricksError;

const BY_CODE: Readonly<Record<string, ErrorClass>> = {
  INVALID_PARAMETER_VALUE: BadRequestError,
  INVALID_STATE: BadRequestError,
  BAD_REQUEST: BadRequestError,
  MALFORMED_REQUEST: BadRequestError,
  INVALID_REQUEST: BadRequestError,
  INVALID_ARGUMENT: BadRequestError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  CUSTOMER_UNAUTHORIZED: PermissionDeniedError,
  RESOURCE_DOES_NOT_EXIST: NotFoundError,
  ENDPOINT_NOT_FOUND: NotFoundError,
  NOT_FOUND: NotFoundError,
  RESOURCE_ALREADY_EXISTS: ResourceAlreadyExistsError,
  ALREADY_EXISTS: ResourceAlreadyExistsError,
  ABORTED: ResourceConflictError,
  RESOURCE_CONFLICT: ResourceConflictError,
  REQUEST_LIMIT_EXCEEDED: RequestLimitExceededError,
  RESOURCE_EXHAUSTED: RequestLimitExceededError,
  RESOURCE_LIMIT_EXCEEDED: ResourceLimitExceededError,
  CANCELLED: CancelledError,
  INTERNAL_ERROR: InternalError,
  UNKNOWN: InternalError,
  DATA_LOSS: InternalError,
  NOT_IMPLEMENTED: NotImplementedError,
  TEMPORARILY_UNAVAILABLE: TemporarilyUnavailableError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
};

const BY_STATUS: Readonly<Record<number, ErrorClass>> = {
  400: BadRequestError,
  401: UnauthenticatedError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ResourceConflictError,
  429: RequestLimitExceededError,
  499: CancelledError,
  500: InternalError,
  501: NotImplementedError,
  503: TemporarilyUnavailableError,
  504: DeadlineExceededError,
};

/** Picks the error class: `error_code` mapping first, then the HTTP status, then the 4xx/5xx family. */
export function errorClassFor(status: number | undefined, errorCode: string | undefined): ErrorClass {
  // Own properties only: a server-sent code such as "constructor" or "valueOf" must not reach Object.prototype.
  const byCode =
    errorCode !== undefined && Object.hasOwn(BY_CODE, errorCode) ? BY_CODE[errorCode] : undefined;
  if (byCode) return byCode;
  if (status === undefined) return DatabricksError;
  const byStatus = Object.hasOwn(BY_STATUS, status) ? BY_STATUS[status] : undefined;
  if (byStatus) return byStatus;
  if (status >= 500) return InternalError;
  if (status >= 400) return BadRequestError;
  return DatabricksError;
}

const KNOWN_NAMES: ReadonlySet<string> = new Set([
  "DatabricksError",
  ...Object.values(BY_CODE).map((c) => c.name),
  "ConfigError",
  "TimeoutError",
  "AbortError",
  "ConnectionError",
  "StreamError",
  "StreamIdleTimeoutError",
  "ResponseTooLargeError",
  "OperationFailedError",
  // Names of earlier versions (an older copy of the package may still throw them).
  ...Object.keys(RENAMED),
]);

/**
 * True for any error thrown by this package, including errors from another copy of it (ESM vs CJS),
 * where `instanceof` fails: the check uses a global symbol brand, falling back to the class name.
 */
export function isDatabricksError(e: unknown): e is DatabricksError {
  if (e instanceof DatabricksError) return true;
  if (typeof e !== "object" || e === null) return false;
  if ((e as Record<symbol, unknown>)[BRAND] === true) return true;
  const name = (e as { name?: unknown }).name;
  return typeof name === "string" && KNOWN_NAMES.has(name) && "errorCode" in e;
}

/**
 * Marks an error so `@langchain/core`'s `AsyncCaller` does not retry it: the transport already applied
 * the retry policy, and retrying again would multiply attempts (3 transport x 6 core = 28 requests).
 */
export function markNotRetryable<E>(error: E): E {
  if (typeof error === "object" && error !== null) {
    try {
      Object.defineProperty(error, LC_RETRYABLE, { value: false, configurable: true });
    } catch {
      // Frozen objects cannot be marked; retries by core are harmless enough then.
    }
  }
  return error;
}
