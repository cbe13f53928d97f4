import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  DatabricksError,
  errorClassFor,
  InternalError,
  isDatabricksError,
  markNotRetryable,
  NotFoundError,
  PermissionDeniedError,
  RequestLimitExceededError,
  ResourceAlreadyExistsError,
  ResourceConflictError,
  TemporarilyUnavailableError,
  UnauthenticatedError,
} from "./errors.js";

describe("errorClassFor", () => {
  it("maps error_code before status", () => {
    // Secrets: scope already exists is HTTP 400 with RESOURCE_ALREADY_EXISTS.
    expect(errorClassFor(400, "RESOURCE_ALREADY_EXISTS")).toBe(ResourceAlreadyExistsError);
    expect(errorClassFor(403, "PERMISSION_DENIED")).toBe(PermissionDeniedError);
    expect(errorClassFor(429, "REQUEST_LIMIT_EXCEEDED")).toBe(RequestLimitExceededError);
  });
  it("falls back to status, then to the 4xx/5xx family", () => {
    expect(errorClassFor(401, "401")).toBe(UnauthenticatedError);
    expect(errorClassFor(404, undefined)).toBe(NotFoundError);
    expect(errorClassFor(409, undefined)).toBe(ResourceConflictError);
    expect(errorClassFor(503, undefined)).toBe(TemporarilyUnavailableError);
    expect(errorClassFor(502, undefined)).toBe(InternalError);
    expect(errorClassFor(418, undefined)).toBe(BadRequestError);
  });
});

describe("DatabricksError", () => {
  it("sets name per class and keeps instanceof chains", () => {
    const e = new ResourceAlreadyExistsError("x", { status: 400, errorCode: "RESOURCE_ALREADY_EXISTS" });
    expect(e.name).toBe("ResourceAlreadyExistsError");
    expect(e).toBeInstanceOf(ResourceConflictError);
    expect(e).toBeInstanceOf(DatabricksError);
    expect(e).toBeInstanceOf(Error);
  });
  it("exposes status and retry-after where @langchain/core's classifier reads them", () => {
    const e = new RequestLimitExceededError("slow down", {
      status: 429,
      headers: { "retry-after": "2" },
      retryAfterMs: 2000,
    });
    expect(e.status).toBe(429);
    expect(e.headers["retry-after"]).toBe("2");
    expect(e.retryAfterMs).toBe(2000);
  });
  it("is recognised across package copies by brand or name", () => {
    const foreign = Object.assign(new Error("x"), {
      name: "NotFoundError",
      errorCode: "RESOURCE_DOES_NOT_EXIST",
    });
    expect(isDatabricksError(foreign)).toBe(true);
    const branded = Object.create(null) as Record<symbol, unknown>;
    branded[Symbol.for("langchain-databricks.error")] = true;
    expect(isDatabricksError(branded)).toBe(true);
    expect(isDatabricksError(new Error("plain"))).toBe(false);
    expect(isDatabricksError(Object.assign(new Error("x"), { name: "NotFoundError" }))).toBe(false);
    expect(isDatabricksError(null)).toBe(false);
  });
  it("toJSON carries data fields only", () => {
    const e = new NotFoundError("gone", {
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      endpoint: "ep",
      requestId: "r1",
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: "NotFoundError",
      message: "gone",
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      endpoint: "ep",
      requestId: "r1",
    });
  });
  it("markNotRetryable sets @langchain/core's retryable marker to false", async () => {
    const { getRetryable } = await import("@langchain/core/errors");
    const e = markNotRetryable(new InternalError("x", { status: 500 }));
    expect(getRetryable(e)).toBe(false);
  });
});
