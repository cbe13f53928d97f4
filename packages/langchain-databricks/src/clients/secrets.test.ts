import { describe, expect, test } from "vitest";
import { errorResponse, jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import { BadRequestError, DatabricksConfigError } from "../errors.js";
import { SecretsClient } from "./secrets.js";

const VALUE = "sk-live-value-0123456789";

describe("SecretsClient.putSecret", () => {
  test("sends string values as string_value and bytes as base64 bytes_value", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const secrets = new SecretsClient(testAuth(m));
    await secrets.putSecret("s", "k", VALUE);
    await secrets.putSecret("s", "b", new Uint8Array([0, 255, 1]));
    expect(m.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["POST", "/api/2.0/secrets/put", { scope: "s", key: "k", string_value: VALUE }],
      ["POST", "/api/2.0/secrets/put", { scope: "s", key: "b", bytes_value: "AP8B" }],
    ]);
  });

  test("a server error that echoes the value (twice) carries it redacted, class and code kept", async () => {
    const m = mockFetch(() =>
      errorResponse(400, "INVALID_PARAMETER_VALUE", `value ${VALUE} too long; ${VALUE} rejected`),
    );
    const e = (await new SecretsClient(testAuth(m))
      .putSecret("s", "k", VALUE)
      .catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE" });
    expect(e.message).toMatch(/^value \[REDACTED\] too long; \[REDACTED\] rejected/);
    expect(`${e.message} ${JSON.stringify(e)} ${String(e.stack)}`).not.toContain(VALUE);
  });

  test("refuses a value that is neither a string nor bytes, before any request", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const put = new SecretsClient(testAuth(m)).putSecret("s", "k", 42 as unknown as string);
    await expect(put).rejects.toBeInstanceOf(DatabricksConfigError);
    await expect(put).rejects.toThrow("Secret value must be a string or a Uint8Array.");
    expect(m.calls).toHaveLength(0);
  });
});
