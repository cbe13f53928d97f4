import { describe, expect, test } from "vitest";
import { errorClassFor } from "../errors.js";
import { isRouteRejection } from "./route-policy.js";

const err = (status: number, errorCode: string | undefined, message: string) =>
  new (errorClassFor(status, errorCode))(message, { status, errorCode });

describe("isRouteRejection", () => {
  test.each([
    [404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /serving-endpoints/chat/completions'"],
    [404, undefined, "Not Found"],
    [405, undefined, "Method Not Allowed"],
    [501, "NOT_IMPLEMENTED", "Not implemented"],
    [
      400,
      "BAD_REQUEST",
      "Bad request: endpoint 'my-values-agent' serves task agent/v1/responses, which /serving-endpoints/chat/completions does not support.",
    ],
    [400, "BAD_REQUEST", "Endpoint does not support the chat completions route"],
    [400, "BAD_REQUEST", "This endpoint only supports /invocations"],
  ])("route refused: %i %s %s", (status, code, message) => {
    expect(isRouteRejection(err(status, code, message))).toBe(true);
  });

  test.each([
    [404, "RESOURCE_DOES_NOT_EXIST", "Endpoint with name 'nope' does not exist."],
    [400, "BAD_REQUEST", "Parameter 'logprobs' is not supported"],
    [400, "BAD_REQUEST", "Parameter 'logprobs' is not supported for the chat completions API"],
    [400, "INVALID_PARAMETER_VALUE", "Unsupported value for 'temperature': 3"],
    [400, "BAD_REQUEST", "The model does not support tool calling"],
    [400, "BAD_REQUEST", "Invalid task"],
    [400, "BAD_REQUEST", "The input must be a JSON dictionary with exactly one of the input fields"],
    [400, "BAD_REQUEST", "stream_options is not supported for the chat completions route"],
    [415, undefined, "Unsupported Media Type"],
    [429, "REQUEST_LIMIT_EXCEEDED", "slow down"],
    [500, "INTERNAL_ERROR", "chat completions route unsupported"],
  ])("not a route refusal: %i %s %s", (status, code, message) => {
    expect(isRouteRejection(err(status, code, message))).toBe(false);
  });
});
