/**
 * The one error type every emulator handler throws. The server turns it into the Databricks error envelope
 * (spec/errors.md 1.4): `{"error_code", "message", "details": [RequestInfo]}` with the given HTTP status.
 * `body` replaces the envelope entirely for the few real responses that do not use it
 * (e.g. external-provider errors, legacy `{"error": ...}` bodies).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly errorCode: string | number,
    message: string,
    readonly extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = "BAD_REQUEST") => new ApiError(400, code, message);
export const invalidParameter = (message: string) => new ApiError(400, "INVALID_PARAMETER_VALUE", message);
export const notFound = (message: string) => new ApiError(404, "RESOURCE_DOES_NOT_EXIST", message);
export const permissionDenied = (message: string) => new ApiError(403, "PERMISSION_DENIED", message);
