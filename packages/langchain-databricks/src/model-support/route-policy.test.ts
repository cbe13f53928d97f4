import { describe, expect, test } from "vitest";
import { errorClassFor } from "../errors.js";
import { isRouteRejection, RoutePolicy, routeMemoryOf } from "./route-policy.js";

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

describe("RoutePolicy", () => {
  const refused = () =>
    err(404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /serving-endpoints/chat/completions'");

  test("falls back once on a route rejection and remembers it per client, not per process", async () => {
    const clientA = {};
    const clientB = {};
    const a = new RoutePolicy(() => clientA, "ep", "auto");
    const routes: boolean[] = [];
    const send = async (viaInvocations: boolean) => {
      routes.push(viaInvocations);
      if (!viaInvocations) throw refused();
      return "ok";
    };
    expect(await a.run(send)).toBe("ok");
    expect(routes).toEqual([false, true]);
    expect(a.useInvocations()).toBe(true);
    // A second model on the same client shares what was learnt; another client does not.
    expect(new RoutePolicy(() => clientA, "ep", "auto").useInvocations()).toBe(true);
    expect(new RoutePolicy(() => clientB, "ep", "auto").useInvocations()).toBe(false);
    expect(routeMemoryOf(clientA).of("other-endpoint")).toEqual({});
  });

  test("a switch whose /invocations call fails is not remembered; a forced route never falls back", async () => {
    const client = {};
    const policy = new RoutePolicy(() => client, "ep", "auto");
    const failing = async (viaInvocations: boolean): Promise<string> => {
      throw viaInvocations ? err(400, "BAD_REQUEST", "bad body") : refused();
    };
    await expect(policy.run(failing)).rejects.toMatchObject({ status: 400, errorCode: "BAD_REQUEST" });
    expect(policy.useInvocations()).toBe(false);

    const forced = new RoutePolicy(() => client, "ep", "chat-completions");
    await expect(forced.run(failing)).rejects.toMatchObject({ status: 404, errorCode: "ENDPOINT_NOT_FOUND" });
    expect(new RoutePolicy(() => client, "ep", "invocations").useInvocations()).toBe(true);
  });
});
