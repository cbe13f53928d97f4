import { describe, expect, it } from "vitest";
import { DatabricksConfigError } from "../errors.js";
import { StoreValueError } from "./errors.js";
import { LakebasePool } from "./pool.js";
import { assertJsonObject, DatabricksStore } from "./store.js";

const rejects = (value: unknown): string => {
  try {
    assertJsonObject(value, "value of x");
  } catch (e) {
    expect(e).toBeInstanceOf(StoreValueError);
    return (e as Error).message;
  }
  throw new Error("expected a StoreValueError");
};

class Point {
  x = 1;
}

describe("assertJsonObject", () => {
  it("accepts nested JSON, null-prototype objects and a shared (non-circular) sub-object", () => {
    const shared = { a: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: "v" });
    expect(() =>
      assertJsonObject(
        { s: "x", n: 1.5, b: false, z: null, list: [1, "a", [shared]], again: shared, bare },
        "v",
      ),
    ).not.toThrow();
  });

  it("names the top-level kind of a non-object value", () => {
    expect(rejects(undefined)).toBe("Store value of x must be a plain JSON object, got undefined.");
    expect(rejects([1])).toBe("Store value of x must be a plain JSON object, got an array.");
    expect(rejects(new Point())).toBe(
      "Store value of x must be a plain JSON object, got an instance of Point.",
    );
    expect(rejects("text")).toBe("Store value of x must be a plain JSON object, got string.");
    expect(rejects(null)).toBe("Store value of x must be a plain JSON object, got object.");
  });

  it("names the path and kind of the first non-JSON value inside", () => {
    expect(rejects({ a: { b: Number.NaN } })).toBe("Store value of x is not JSON: $.a.b is NaN.");
    expect(rejects({ a: [1, Number.POSITIVE_INFINITY] })).toBe(
      "Store value of x is not JSON: $.a[1] is Infinity.",
    );
    expect(rejects({ n: 10n })).toBe("Store value of x is not JSON: $.n is a BigInt.");
    expect(rejects({ f: () => 1 })).toBe("Store value of x is not JSON: $.f is a function.");
    expect(rejects({ s: Symbol("s") })).toBe("Store value of x is not JSON: $.s is a symbol.");
    expect(rejects({ u: undefined })).toBe("Store value of x is not JSON: $.u is undefined.");
    expect(rejects({ d: new Date(0) })).toBe("Store value of x is not JSON: $.d is an instance of Date.");
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    expect(rejects(cyc)).toBe("Store value of x is not JSON: $.self is a circular reference.");
  });
});

describe("DatabricksStore construction (no I/O)", () => {
  const pool = () => new LakebasePool({ instanceName: "lb", host: "127.0.0.1", port: 1, token: "t" });

  it("requires embeddingDims with embeddingEndpoint", () => {
    expect(() => new DatabricksStore({ pool: pool(), embeddingEndpoint: "databricks-gte-large-en" })).toThrow(
      new DatabricksConfigError("DatabricksStore: embeddingEndpoint needs embeddingDims."),
    );
  });

  it("reports which semantic search it uses", async () => {
    const p = pool();
    expect(new DatabricksStore({ pool: p }).semanticSearch).toBe("none");
    const byEndpoint = new DatabricksStore({
      pool: p,
      embeddingEndpoint: "databricks-gte-large-en",
      embeddingDims: 1024,
      vectorSearch: "pgvector",
    });
    expect(byEndpoint.semanticSearch).toBe("pgvector");
    expect(byEndpoint.lakebasePool).toBe(p);
    const inProc = new DatabricksStore({
      pool: p,
      index: { dims: 2, embed: async (texts: string[]) => texts.map(() => [1, 0]) },
      vectorSearch: "in-process",
    });
    expect(inProc.semanticSearch).toBe("in-process");
    await p.end();
  });

  it("rejects a non-JSON value before any I/O, in put and in batch", async () => {
    const store = new DatabricksStore({ pool: pool() });
    await expect(store.put(["users", "u1"], "prefs", { when: new Date(0) } as never)).rejects.toThrow(
      'Store value of ["users","u1","prefs"] is not JSON: $.when is an instance of Date.',
    );
    await expect(
      store.batch([{ namespace: ["n"], key: "k", value: { big: 1n } as never }]),
    ).rejects.toBeInstanceOf(StoreValueError);
  });
});
