import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { valueForSchema } from "./schema-value.js";
import { extractFacts } from "./text-facts.js";

const ajv = new Ajv({ strict: false, logger: false });

const schemas: Record<string, Record<string, unknown>> = {
  nested: {
    type: "object",
    properties: {
      user: {
        type: "object",
        properties: { name: { type: "string" }, age: { type: "integer", minimum: 18 } },
        required: ["name", "age"],
      },
    },
    required: ["user"],
  },
  nullableUnion: {
    type: "object",
    properties: { v: { type: ["null", "number"], maximum: -5 } },
    required: ["v"],
  },
  oneOfConst: {
    type: "object",
    properties: { k: { oneOf: [{ const: "x" }, { const: "y" }] } },
    required: ["k"],
  },
  allOf: {
    allOf: [
      { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
      { properties: { b: { type: "boolean" } }, required: ["b"] },
    ],
  },
  recursive: {
    $ref: "#/definitions/node",
    definitions: {
      node: {
        type: "object",
        properties: {
          id: { type: "integer" },
          kids: { type: "array", items: { $ref: "#/definitions/node" } },
        },
        required: ["id"],
      },
    },
  },
  arrays: {
    type: "object",
    properties: {
      xs: {
        type: "array",
        items: { type: "integer", multipleOf: 5 },
        minItems: 3,
        maxItems: 3,
        uniqueItems: true,
      },
    },
    required: ["xs"],
  },
  strings: {
    type: "object",
    properties: { s: { type: "string", minLength: 30 }, t: { type: "string", maxLength: 2 } },
    required: ["s", "t"],
  },
  exclusive: {
    type: "object",
    properties: { p: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 } },
    required: ["p"],
  },
  topLevelArray: { type: "array", items: { type: "string" }, minItems: 1 },
};

describe("valueForSchema", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`produces a valid value for ${name}`, () => {
      const value = valueForSchema(schema, extractFacts("Book a table for 4 in New York at 7 and tell Ann"));
      const ok = ajv.validate(schema, value);
      expect(ajv.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it("assigns distinct places and numbers in order", () => {
    const schema = {
      type: "object",
      properties: {
        origin: { type: "string" },
        destination: { type: "string" },
        passengers: { type: "integer" },
      },
      required: ["origin", "destination", "passengers"],
    };
    expect(valueForSchema(schema, extractFacts("Fly 2 people from Paris to New York"))).toEqual({
      origin: "Paris",
      destination: "New York",
      passengers: 2,
    });
  });
});
