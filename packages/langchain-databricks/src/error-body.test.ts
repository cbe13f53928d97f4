import { describe, expect, it } from "vitest";
import { apiErrorFromResponse, parseErrorBody } from "./error-body.js";
import {
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  ResourceAlreadyExistsError,
  UnauthenticatedError,
} from "./errors.js";

const ctx = { method: "GET", path: "/api/2.0/serving-endpoints/foo", endpoint: "foo" };

describe("parseErrorBody: every form of spec/serving-errors.md", () => {
  it("Databricks JSON envelope with details", () => {
    const p = parseErrorBody(
      404,
      {},
      JSON.stringify({
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: "Endpoint with name 'foo' does not exist.",
        details: [
          { "@type": "type.googleapis.com/google.rpc.RequestInfo", request_id: "28e1", serving_data: "" },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retry_delay: "1.5s" },
        ],
      }),
    );
    expect(p).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", requestId: "28e1", retryDelayMs: 1500 });
    expect(p.message).toBe("Endpoint with name 'foo' does not exist.");
  });
  it("numeric error_code", () => {
    const p = parseErrorBody(
      401,
      {},
      '{"error_code":401,"message":"Credential was not sent. [ReqId: abc-1]"}',
    );
    expect(p.errorCode).toBe("401");
    expect(p.requestId).toBe("abc-1");
  });
  it('legacy {"error": "..."} and external model errors', () => {
    expect(parseErrorBody(404, {}, '{"error":"Bad Target: /api/2.2/sql/endpoints"}').message).toBe(
      "Bad Target: /api/2.2/sql/endpoints",
    );
    const ext = parseErrorBody(
      400,
      {},
      '{"error":"Received error from openai","external_model_message":{"error":{"message":"bad key"}}}',
    );
    expect(ext.message).toContain("Received error from openai");
    expect(ext.message).toContain("bad key");
  });
  it("OAuth error with description", () => {
    const p = parseErrorBody(
      401,
      {},
      '{"error":"invalid_client","error_description":"Client authentication failed"}',
    );
    expect(p).toMatchObject({
      errorCode: "invalid_client",
      message: "invalid_client: Client authentication failed",
    });
  });
  it("OpenAI-style nested error", () => {
    const p = parseErrorBody(400, {}, '{"error":{"message":"bad","code":"invalid_value"}}');
    expect(p).toMatchObject({ errorCode: "invalid_value", message: "bad" });
  });
  it("SCIM", () => {
    const p = parseErrorBody(404, {}, '{"detail":"User not found","status":"404","scimType":"invalidValue"}');
    expect(p).toMatchObject({ message: "User not found", errorCode: "invalidValue" });
  });
  it("plain text CODE: message", () => {
    const p = parseErrorBody(
      400,
      {},
      "INVALID_PARAMETER_VALUE: Missing required embeddings parameter: 'input'",
    );
    expect(p).toMatchObject({
      errorCode: "INVALID_PARAMETER_VALUE",
      message: "Missing required embeddings parameter: 'input'",
    });
  });
  it("HTML <pre> and <title>", () => {
    const pre = parseErrorBody(
      503,
      {},
      "<html><body><pre>TEMPORARILY_UNAVAILABLE: try &lt;later&gt;</pre></body></html>",
    );
    expect(pre).toMatchObject({ errorCode: "TEMPORARILY_UNAVAILABLE", message: "try <later>" });
    expect(parseErrorBody(502, {}, "<html><head><title>502 Bad Gateway</title></head></html>").message).toBe(
      "502 Bad Gateway",
    );
  });
  it("empty body -> reason phrase (or X-Databricks-Reason-Phrase)", () => {
    expect(parseErrorBody(429, {}, "").message).toBe("Too Many Requests");
    expect(parseErrorBody(403, { "x-databricks-reason-phrase": "Invalid access token." }, "").message).toBe(
      "Invalid access token.",
    );
  });
  it("unparseable JSON-looking text is kept as text", () => {
    expect(parseErrorBody(500, {}, "{not json").message).toBe("{not json");
  });
  it("request id from headers wins", () => {
    expect(parseErrorBody(500, { "x-request-id": "hdr" }, '{"message":"x"}').requestId).toBe("hdr");
  });
});

describe("apiErrorFromResponse", () => {
  it("builds the class by error_code first and fills fields", () => {
    const e = apiErrorFromResponse(
      400,
      { "content-type": "application/json" },
      '{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Scope s1 already exists!"}',
      {
        method: "POST",
        path: "/api/2.0/secrets/scopes/create",
        endpoint: undefined,
      },
    );
    expect(e).toBeInstanceOf(ResourceAlreadyExistsError);
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe("RESOURCE_ALREADY_EXISTS");
    expect(e.message).toContain("Scope s1 already exists!");
    expect(e.message).toContain("POST /api/2.0/secrets/scopes/create");
    expect(e.endpoint).toBe("/api/2.0/secrets/scopes/create");
  });
  it("404 on an endpoint gets a hint naming it", () => {
    const e = apiErrorFromResponse(404, {}, '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"nope"}', ctx);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.endpoint).toBe("foo");
    expect(e.message).toContain('"foo"');
  });
  it("Retry-After seconds, ms and HTTP-date", () => {
    const now = () => Date.parse("2025-01-01T00:00:00Z");
    expect(apiErrorFromResponse(429, { "retry-after": "3" }, "", { ...ctx, now }).retryAfterMs).toBe(3000);
    expect(
      apiErrorFromResponse(429, { "retry-after-ms": "250", "retry-after": "3" }, "", { ...ctx, now })
        .retryAfterMs,
    ).toBe(250);
    expect(
      apiErrorFromResponse(429, { "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }, "", { ...ctx, now })
        .retryAfterMs,
    ).toBe(5000);
  });
  it("403 PERMISSION_DENIED vs invalid token stay distinguishable", () => {
    const denied = apiErrorFromResponse(403, {}, '{"error_code":"PERMISSION_DENIED","message":"no"}', ctx);
    const invalid = apiErrorFromResponse(
      403,
      {},
      '{"error_code":403,"message":"Invalid access token."}',
      ctx,
    );
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(invalid).toBeInstanceOf(PermissionDeniedError);
    expect(invalid.errorCode).toBe("403");
    expect(apiErrorFromResponse(401, {}, "", ctx)).toBeInstanceOf(UnauthenticatedError);
    expect(apiErrorFromResponse(400, {}, "x", ctx)).toBeInstanceOf(BadRequestError);
  });
});
