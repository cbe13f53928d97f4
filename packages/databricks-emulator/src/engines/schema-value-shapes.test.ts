/**
 * valueForSchema (engines/schema-value.ts) on each schema construct it supports: the exact value built from the
 * user text or the fixed defaults, and that the value is valid against the schema (Ajv) where the schema is.
 */
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { valueForSchema } from "./schema-value.js";
import { extractFacts } from "./text-facts.js";

const ajv = new Ajv({ strict: false, logger: false });
const gen = (schema: unknown, text = "") => valueForSchema(schema, extractFacts(text));
const valid = (schema: Record<string, unknown>, text = "") => {
  const v = gen(schema, text);
  expect(ajv.validate(schema, v), `${JSON.stringify(v)}: ${ajv.errorsText()}`).toBe(true);
  return v;
};

describe("$ref", () => {
  it("resolves #/definitions and #/$defs (percent-decoded), keeping sibling keywords", () => {
    const point = {
      type: "object",
      properties: { p: { $ref: "#/definitions/Pt" } },
      required: ["p"],
      definitions: { Pt: { type: "object", properties: { x: { type: "integer" } }, required: ["x"] } },
    };
    expect(valid(point, "move to 3")).toEqual({ p: { x: 3 } });
    const spaced = {
      type: "object",
      properties: { code: { $ref: "#/$defs/a%20b", maxLength: 3 } },
      required: ["code"],
      $defs: { "a b": { type: "string" } },
    };
    expect(valid(spaced, 'use "abcdef"')).toEqual({ code: "abc" });
  });

  it("an external, unknown or dangling reference falls back to a string from the text", () => {
    expect(gen({ $ref: "other.json#/x" }, "hello there.")).toBe("hello there");
    expect(gen({ $ref: "#/$defs/missing", $defs: {} }, "hi!")).toBe("hi");
    expect(gen({ $ref: "#/$defs/x", $defs: "not an object" }, "yo")).toBe("yo");
  });

  it("a self-reference stops at the depth limit with null instead of recursing forever", () => {
    const tree = { type: "object", properties: { child: { $ref: "#" } }, required: ["child"] };
    let v = gen(tree) as { child?: unknown } | null;
    let levels = 0;
    while (v !== null && typeof v === "object") {
      levels++;
      v = v.child as { child?: unknown } | null;
    }
    expect(v).toBeNull();
    expect(levels).toBeGreaterThan(1);
    expect(levels).toBeLessThanOrEqual(17);
  });
});

describe("enum, const, anyOf/oneOf, allOf", () => {
  it("picks the enum value the text names (whole word), else the first", () => {
    const unit = { enum: ["celsius", "fahrenheit"] };
    expect(gen(unit, "in Fahrenheit please")).toBe("fahrenheit");
    expect(gen(unit, "fahrenheitish")).toBe("celsius");
    expect(gen({ enum: [3, 4] }, "4")).toBe(3);
    expect(gen({ const: { fixed: true } })).toEqual({ fixed: true });
  });

  it("anyOf prefers the first non-null branch; all-null is null; a boolean branch is a string", () => {
    expect(gen({ anyOf: [{ type: "null" }, { type: "integer" }] }, "7 apples")).toBe(7);
    expect(gen({ anyOf: [{ type: "null" }] })).toBeNull();
    expect(gen({ oneOf: [true] }, "free text.")).toBe("free text");
  });

  it("allOf merges properties and required lists (ignoring non-object parts)", () => {
    const schema = {
      allOf: [
        { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
        { properties: { b: { type: "integer" } }, required: ["b"] },
        "junk",
      ],
    };
    expect(gen(schema, 'label "red" count 5')).toEqual({ a: "red", b: 5 });
  });
});

describe("types", () => {
  it("infers object from properties/required and array from items; a type list uses the first non-null", () => {
    expect(gen({ required: ["n"], properties: { n: { type: "number" } } }, "2.5")).toEqual({ n: 2.5 });
    expect(gen({ items: { type: "integer" } }, "9")).toEqual([9]);
    expect(gen({ type: ["null", "boolean"] })).toBe(false);
    expect(gen({ type: [1] })).toBeNull();
    expect(gen("not a schema")).toBeNull();
    expect(gen(true, "anything goes")).toBe("anything goes");
  });

  it("a boolean is true when the text names the property", () => {
    const schema = { type: "object", properties: { urgent: { type: "boolean" } }, required: ["urgent"] };
    expect(gen(schema, "this is urgent")).toEqual({ urgent: true });
    expect(gen(schema, "whenever")).toEqual({ urgent: false });
    expect(gen({ type: "boolean" }, "true")).toBe(false);
  });
});

describe("objects", () => {
  it("a required key without a property schema uses additionalProperties; minProperties fills optional ones", () => {
    expect(gen({ type: "object", required: ["k"], additionalProperties: { type: "integer" } }, "42")).toEqual(
      {
        k: 42,
      },
    );
    const schema = {
      type: "object",
      minProperties: 2,
      properties: { first: { type: "integer" }, second: { type: "integer" }, third: { type: "integer" } },
    };
    expect(valid(schema, "1 and 2")).toEqual({ first: 1, second: 2 });
  });

  it("an optional property is filled when the text names it or one of its enum values", () => {
    const schema = {
      type: "object",
      properties: { size: { enum: ["small", "large"] }, colour: { type: "string" }, code: { enum: ["ab"] } },
    };
    expect(gen(schema, "a large one")).toEqual({ size: "large" });
    expect(gen(schema, "pick a colour")).toEqual({ colour: "pick a colour" });
    // Enum values of two characters or less are not taken as a mention.
    expect(gen(schema, "ab")).toEqual({});
  });
});

describe("arrays", () => {
  it("prefixItems alone (items false) give exactly the prefix", () => {
    const tuple = { type: "array", prefixItems: [{ type: "integer" }, { type: "string" }], items: false };
    expect(gen(tuple, "3 'wide'")).toEqual([3, "wide"]);
  });

  it("a list named for places gets one item per place in the text, capped by maxItems", () => {
    const schema = {
      type: "object",
      properties: { locations: { type: "array", items: { type: "string" }, maxItems: 2 } },
      required: ["locations"],
    };
    expect(valid(schema, "from Paris to Rome near Oslo")).toEqual({ locations: ["Paris", "Rome"] });
  });

  it("uniqueItems: next enum value, numbered strings, numbers stepped by multipleOf", () => {
    expect(valid({ type: "array", items: { enum: ["a", "b"] }, minItems: 2, uniqueItems: true })).toEqual([
      "a",
      "b",
    ]);
    expect(
      valid({ type: "array", items: { type: "string" }, minItems: 3, uniqueItems: true }, "go."),
    ).toEqual(["go", "go 2", "go 3"]);
    expect(
      valid({ type: "array", items: { type: "integer", multipleOf: 5 }, minItems: 3, uniqueItems: true }),
    ).toEqual([5, 10, 15]);
  });
});

describe("numbers", () => {
  it("draft-04 boolean and draft-06 numeric exclusive bounds, integer and number", () => {
    // Draft-04 booleans (Ajv here validates draft-07, so these two are checked by value only).
    expect(gen({ type: "integer", minimum: 0, exclusiveMinimum: true })).toBe(1);
    expect(valid({ type: "integer", exclusiveMaximum: 10 }, "50")).toBe(9);
    expect(gen({ type: "number", maximum: 3, exclusiveMaximum: true }, "50")).toBe(3 - 1e-6);
    expect(valid({ type: "number", exclusiveMinimum: 0.5 })).toBe(0.5 + 1e-6);
  });

  it("rounds integers from the text and keeps multipleOf inside the maximum", () => {
    expect(valid({ type: "integer" }, "about 2.6 kg")).toBe(3);
    expect(valid({ type: "integer", minimum: 1, maximum: 9, multipleOf: 4 }, "9")).toBe(8);
    expect(valid({ type: "number", multipleOf: 0.5 }, "1.2")).toBe(1.5);
  });
});

describe("strings", () => {
  it("formats: fixed examples, and an email taken from the text when there is one", () => {
    expect(valid({ type: "string", format: "date" })).toBe("2024-01-15");
    expect(valid({ type: "string", format: "uuid" })).toBe("00000000-0000-4000-8000-000000000000");
    expect(gen({ type: "string", format: "email" }, "mail ann@corp.io now")).toBe("ann@corp.io");
    expect(gen({ type: "string", format: "email" }, "no address")).toBe("user@example.com");
    // An unknown format is a plain string.
    expect(gen({ type: "string", format: "color" }, "teal.")).toBe("teal");
  });

  it("by property name: places, text, names; each falls back in order", () => {
    const obj = (key: string, text: string) =>
      (
        gen({ type: "object", properties: { [key]: { type: "string" } }, required: [key] }, text) as Record<
          string,
          unknown
        >
      )[key];
    expect(obj("location", "weather in Lisbon")).toBe("Lisbon");
    expect(obj("city", "weather today")).toBe("today");
    expect(obj("city", "!!!")).toBe("San Francisco");
    expect(obj("query", 'search "vector dbs" now')).toBe("vector dbs");
    expect(obj("query", "how do I sort?")).toBe("how do I sort");
    expect(obj("name", 'call me "Ada"')).toBe("Ada");
    expect(obj("name", "ask at Acme")).toBe("Acme");
    expect(obj("name", "nobody")).toBe("example");
    expect(obj("other", "  ")).toBe("example");
  });

  it("length bounds pad or cut by code points", () => {
    expect(valid({ type: "string", minLength: 5 }, "ab")).toBe("abxxx");
    expect(valid({ type: "string", maxLength: 2 }, "héllo")).toBe("hé");
  });

  it("patterns: text that matches is kept, else a fallback or a sample; an invalid pattern keeps the text", () => {
    expect(valid({ type: "string", pattern: "^[a-z ]+$" }, "plain words")).toBe("plain words");
    expect(valid({ type: "string", pattern: "^[0-9]+$" }, "no digits")).toBe("0");
    const code = valid({ type: "string", pattern: "^[A-Z]{3}-\\d{4}$" }, "the code") as string;
    expect(code).toMatch(/^[A-Z]{3}-\d{4}$/);
    expect(gen({ type: "string", pattern: "([" }, "kept as is")).toBe("kept as is");
    // Padding to minLength broke the pattern: a sample of the right length is used instead.
    const padded = valid({ type: "string", pattern: "^a+$", minLength: 4 }, "a") as string;
    expect(padded).toMatch(/^a{4,}$/);
  });
});
