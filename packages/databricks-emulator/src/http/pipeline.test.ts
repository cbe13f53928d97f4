import { describe, expect, it } from "vitest";
import { jsonHeaderList } from "./pipeline.js";

describe("jsonHeaderList (the flat header list writeJson hands to writeHead)", () => {
  it("request id, the answer's own headers, then content type and length", () => {
    expect(jsonHeaderList("req-1", { "served-model-name": "m", "retry-after": "1" }, 42)).toEqual([
      "x-request-id",
      "req-1",
      "served-model-name",
      "m",
      "retry-after",
      "1",
      "content-type",
      "application/json; charset=utf-8",
      "content-length",
      42,
    ]);
  });

  it("an own x-request-id replaces the request's; own content headers never replace the JSON ones", () => {
    const list = jsonHeaderList(
      "req-1",
      { "x-request-id": "upstream", "content-type": "text/plain", "content-length": "1" },
      7,
    );
    expect(list).toEqual([
      "x-request-id",
      "upstream",
      "content-type",
      "application/json; charset=utf-8",
      "content-length",
      7,
    ]);
  });
});
